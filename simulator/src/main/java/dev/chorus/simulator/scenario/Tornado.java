package dev.chorus.simulator.scenario;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A tornado plot: one horizontal bar per input, from its effect at the low value to its effect at
 * the high value (changes from the base run), the largest at the top. XChart has no horizontal
 * bars, so each bar is a thick line segment of an XY chart.
 */
final class Tornado {
  private Tornado() {}

  /** {@code labels}, {@code low} and {@code high} are in order, the largest effect first. */
  static void write(Path dir, String name, String title, String unit, List<String> labels,
      double[] low, double[] high) throws IOException {
    XYChart c = new XYChartBuilder().width(900).height(120 + 45 * Math.max(1, labels.size()))
        .title(title).xAxisTitle("change of " + unit + " from the base run").yAxisTitle("").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    c.getStyler().setYAxisTicksVisible(false);
    c.getStyler().setLocale(java.util.Locale.ROOT);
    int n = labels.size();
    for (int i = 0; i < n; i++) {
      double y = n - i;
      XYSeries s = c.addSeries((i + 1) + ". " + labels.get(i), new double[] {low[i], 0, high[i]},
          new double[] {y, y, y});
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setLineStyle(new BasicStroke(14f));
    }
    if (n == 0) {
      c.addSeries("no assumed inputs", new double[] {0}, new double[] {0});
    }
    Plots.save(c, dir, name);
  }
}
