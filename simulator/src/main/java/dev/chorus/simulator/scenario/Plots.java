package dev.chorus.simulator.scenario;

import java.awt.Dimension;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.apache.batik.util.SVGConstants;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The four plots of a results directory, each as PNG and SVG, drawn with XChart from the time
 * series: where played bytes came from, the peer share, online and playing peers, and the median
 * start latency. With several replications each point is the mean over them at that sample.
 *
 * <p>PNG goes through XChart's {@link BitmapEncoder} (ImageIO). SVG does not use XChart's
 * VectorGraphicsEncoder, whose backend (VectorGraphics2D) is LGPL and is kept out of the jars: the
 * chart paints itself onto Apache Batik's {@link SVGGraphics2D} (Apache-2.0) instead.
 */
final class Plots {
  static {
    // No display on servers and in CI; charts are drawn off-screen only.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static final int WIDTH = 900;
  private static final int HEIGHT = 500;
  private static final double MB = 1e6;

  private Plots() {}

  static void write(Path dir, Scenario scenario, List<RunResult> results) throws IOException {
    Series s = new Series(results);
    String what = scenario.name() + (results.size() > 1
        ? " (mean of " + results.size() + " replications)" : "");
    String x = s.timeLabel();

    XYChart sources = chart("Bytes per interval by source — " + what, x, "MB per interval");
    line(sources, "cache", s.x(), s.scaled(RunResult.T_BYTES_CACHE, 1 / MB));
    line(sources, "peers", s.x(), s.scaled(RunResult.T_BYTES_PEERS, 1 / MB));
    line(sources, "CDN", s.x(), s.scaled(RunResult.T_BYTES_CDN, 1 / MB));
    save(sources, dir, "sources");

    XYChart share = chart("Peer share of bytes not from the cache — " + what, x, "%");
    line(share, "peer share", s.x(), s.scaled(RunResult.T_PEER_SHARE, 100));
    save(share, dir, "peer-share");

    XYChart online = chart("Peers online and playing — " + what, x, "peers");
    line(online, "online", s.x(), s.scaled(RunResult.T_ONLINE_PEERS, 1));
    line(online, "playing", s.x(), s.scaled(RunResult.T_PLAYING_PEERS, 1));
    save(online, dir, "online");

    XYChart latency = chart("Median start latency per interval — " + what, x, "ms");
    line(latency, "p50 start latency", s.x(), s.scaled(RunResult.T_START_LATENCY_P50_MS, 1));
    save(latency, dir, "start-latency");
  }

  private static XYChart chart(String title, String xLabel, String yLabel) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    c.getStyler().setLocale(Locale.ROOT);
    // Plain grouped numbers on the y axis (bytes and peer counts), not 9E5.
    c.getStyler().setYAxisDecimalPattern("#,##0.##");
    c.getStyler().setXAxisDecimalPattern("#,##0.#");
    return c;
  }

  private static void line(XYChart chart, String name, double[] x, double[] y) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.NONE);
  }

  static void save(XYChart chart, Path dir, String name) throws IOException {
    try (OutputStream out = Files.newOutputStream(dir.resolve(name + ".png"))) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    try (Writer out = Files.newBufferedWriter(dir.resolve(name + ".svg"), StandardCharsets.UTF_8)) {
      svg(chart, out);
    }
  }

  /** Paints {@code chart} onto an SVG canvas of its size and writes the SVG document. */
  private static void svg(XYChart chart, Writer out) throws IOException {
    Document doc;
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      doc = factory.newDocumentBuilder().getDOMImplementation()
          .createDocument(SVGConstants.SVG_NAMESPACE_URI, SVGConstants.SVG_SVG_TAG, null);
    } catch (ParserConfigurationException e) {
      throw new IOException("no XML DOM for the SVG plots", e);
    }
    SVGGeneratorContext context = SVGGeneratorContext.createDefault(doc);
    context.setComment(null);
    // false: strings drawn with drawString stay <text> (XChart itself draws its labels as outlines).
    SVGGraphics2D g = new SVGGraphics2D(context, false);
    g.setSVGCanvasSize(new Dimension(chart.getWidth(), chart.getHeight()));
    try {
      chart.paint(g, chart.getWidth(), chart.getHeight());
      Element root = g.getRoot(); // the canvas size is set on it; a viewBox lets viewers scale it
      root.setAttributeNS(null, SVGConstants.SVG_VIEW_BOX_ATTRIBUTE,
          "0 0 " + chart.getWidth() + " " + chart.getHeight());
      g.stream(root, out, true, false);
    } finally {
      g.dispose();
    }
  }

  /** The time series averaged over replications, sample by sample. */
  private static final class Series {
    private final List<RunResult> results;
    private final int rows;
    private final boolean hours;

    Series(List<RunResult> results) {
      this.results = results;
      int n = Integer.MAX_VALUE;
      double last = 0;
      for (RunResult r : results) {
        n = Math.min(n, r.series().size());
      }
      this.rows = results.isEmpty() ? 0 : n;
      if (rows > 0) {
        last = results.get(0).series().get(rows - 1)[col(RunResult.T_TIME_S)];
      }
      this.hours = last > 2 * 3600; // minutes read better for runs of up to two hours
    }

    String timeLabel() {
      return hours ? "simulated time (h)" : "simulated time (min)";
    }

    double[] x() {
      double[] t = scaled(RunResult.T_TIME_S, hours ? 1 / 3600.0 : 1 / 60.0);
      return t.length == 0 ? new double[] {0} : t;
    }

    /** Mean over replications of {@code column}, times {@code factor}; one 0 when empty. */
    double[] scaled(String column, double factor) {
      if (rows == 0) {
        return new double[] {0}; // XChart refuses empty series; an empty run still gets its plots
      }
      int c = col(column);
      double[] y = new double[rows];
      for (int i = 0; i < rows; i++) {
        double sum = 0;
        for (RunResult r : results) {
          sum += r.series().get(i)[c];
        }
        y[i] = sum / results.size() * factor;
      }
      return y;
    }

    private static int col(String column) {
      return RunResult.SERIES_COLUMNS.indexOf(column);
    }
  }
}
