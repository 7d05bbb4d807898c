package dev.chorus.simulator.cli;

import dev.chorus.simulator.scenario.Replications;
import java.util.Locale;
import java.util.Map;

/** The table {@code chorus sim run} ends with: each summary metric as mean ± 95% CI. */
final class SummaryTable {
  private SummaryTable() {}

  static String render(Map<String, Replications.Stats> stats, int replications) {
    int width = "metric".length();
    for (String name : stats.keySet()) {
      width = Math.max(width, name.length());
    }
    StringBuilder sb = new StringBuilder();
    String format = "%-" + width + "s  %18s  %s%n";
    String header = String.format(Locale.ROOT, format, "metric", "mean",
        replications > 1 ? "± 95% CI (" + replications + " replications)" : "± 95% CI");
    sb.append(header).append("-".repeat(header.strip().length())).append('\n');
    stats.forEach((name, s) -> sb.append(String.format(Locale.ROOT, format, name,
        number(s.mean()), Double.isNaN(s.ci95()) ? "± n/a" : "± " + number(s.ci95()))));
    if (replications == 1) {
      sb.append("(one replication: no confidence interval; use --replications N)\n");
    }
    return sb.toString();
  }

  /** Large values (bytes) with thousands separators, shares and ratios with four decimals. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
