package dev.chorus.simulator.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tables of {@code papers/kreitz-p2p-2010.md}, written from results directories by {@code
 * papers/reproduce} (through {@code chorus sim note}): the comparison with the paper, the
 * listening-history warm-up, and the sensitivity of the headline figures to every assumed input.
 * Each table lands in its {@link MarkedBlock}; nothing in them is typed by hand.
 */
public final class PaperNotes {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A figure the paper reports, and how to read the simulator's value next to it. */
  record Figure(String label, String metric, double paper, boolean percent, String previous) {}

  /**
   * P2P'10's figures (papers/sources.md §8) and the simulator's figures before this change
   * (spotify-like, commit ec8ba2b, 3 replications, caches pre-filled with a tuned 200 tracks).
   */
  static final List<Figure> P2P10 = List.of(
      new Figure("played from the local cache", RunResult.SHARE_CACHE, 55.4, true, "62.9 ± 6.1"),
      new Figure("played from peers", RunResult.SHARE_PEERS, 35.8, true, "34.6 ± 5.7"),
      new Figure("played from Spotify's servers (CDN)", RunResult.SHARE_CDN, 8.8, true, "2.4 ± 0.5"),
      new Figure("start latency, median (ms)", RunResult.START_LATENCY_P50_MS, 265, false, "0"),
      new Figure("start latency, 75th percentile (ms)", RunResult.START_LATENCY_P75_MS, 515, false, "0"),
      new Figure("start latency, 90th percentile (ms)", RunResult.START_LATENCY_P90_MS, 1047, false, "74"),
      new Figure("plays with a stutter", RunResult.STUTTER_RATE, 1.0, true, "0.01"));

  /** The headline outputs of the sensitivity analysis, in the order of its table's columns. */
  static final List<String[]> HEADLINES = List.of(
      new String[] {RunResult.SHARE_CACHE, "cache %", "100"},
      new String[] {RunResult.SHARE_PEERS, "peers %", "100"},
      new String[] {RunResult.SHARE_CDN, "CDN %", "100"},
      new String[] {RunResult.START_LATENCY_P50_MS, "start p50 ms", "1"},
      new String[] {RunResult.START_LATENCY_P90_MS, "start p90 ms", "1"},
      new String[] {RunResult.STUTTER_RATE, "stutter %", "100"});

  private PaperNotes() {}

  /** Replaces block {@code name} of the note at {@code note} with {@code content}. */
  public static void writeBlock(Path note, String name, String content) throws IOException {
    String doc = Files.readString(note, StandardCharsets.UTF_8);
    Files.writeString(note, MarkedBlock.replace(doc, name, content), StandardCharsets.UTF_8);
  }

  static JsonNode summary(Path resultsDir) throws IOException {
    return JSON.readTree(resultsDir.resolve(ResultsWriter.SUMMARY).toFile());
  }

  static JsonNode manifest(Path resultsDir) throws IOException {
    return JSON.readTree(resultsDir.resolve(ResultsWriter.MANIFEST).toFile());
  }

  /** Mean of a metric over the replications of a results summary (NaN if absent). */
  static double mean(JsonNode summary, String metric) {
    JsonNode m = summary.path("metrics").path(metric).path("mean");
    return m.isNumber() ? m.asDouble() : Double.NaN;
  }

  static double ci95(JsonNode summary, String metric) {
    JsonNode m = summary.path("metrics").path(metric).path("ci95");
    return m.isNumber() ? m.asDouble() : Double.NaN;
  }

  /** The comparison with the paper: every figure with its gap, whether it matches or not. */
  public static String p2p10Table(Path resultsDir, Map<String, String> run) throws IOException {
    JsonNode s = summary(resultsDir);
    JsonNode m = manifest(resultsDir);
    int n = s.path("replications").asInt();
    StringBuilder b = new StringBuilder();
    b.append(provenance(m, run)).append('\n');
    b.append("| Measure | Paper | Before (ec8ba2b, pre-fill tuned) | Simulator now, mean ± 95% CI (n = ")
        .append(n).append(") | Gap, simulator − paper | Fitted or predicted |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (Figure f : P2P10) {
      double scale = f.percent ? 100 : 1;
      double v = mean(s, f.metric) * scale;
      double ci = ci95(s, f.metric) * scale;
      String unit = f.percent ? " pts" : " ms";
      b.append("| ").append(f.label).append(" | ").append(fmt(f.paper, f.percent))
          .append(f.percent ? "%" : "").append(" | ").append(f.previous).append(" | ")
          .append(fmt(v, f.percent)).append(Double.isNaN(ci) ? "" : " ± " + fmt(ci, f.percent))
          .append(" | ").append(signed(v - f.paper, f.percent)).append(unit)
          .append(" (").append(relative(v, f.paper)).append(") | predicted |\n");
    }
    b.append('\n').append("No input is fitted to a figure of this table. The one fitted input is the "
        + "popularity exponent, fitted to the paper's \"88% of plays in the top 12% of tracks\" "
        + "(not a row here). Gaps are the simulator's mean minus the paper's figure; the relative "
        + "gap is against the paper's figure.\n");
    return b.toString();
  }

  /**
   * The listening-history warm-up per run and replication: days simulated, the days after which
   * the daily cache share stopped changing, and the share on the first and last days.
   */
  public static String historyTable(Map<String, Path> runs) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("| Run | Replication | History days simulated | Settled after (days) | Cache share, "
        + "first day | last day | Change over the last day |\n|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, Path> run : runs.entrySet()) {
      for (JsonNode r : summary(run.getValue()).path("runs")) {
        JsonNode sum = r.path("summary");
        int settled = sum.path(RunResult.HISTORY_DAYS_TO_CONVERGE).asInt(-1);
        b.append("| ").append(run.getKey()).append(" | ").append(r.path("replication").asInt())
            .append(" | ").append(sum.path(RunResult.HISTORY_DAYS).asInt()).append(" | ")
            .append(settled < 0 ? "not settled" : Integer.toString(settled)).append(" | ")
            .append(fmt(100 * sum.path(RunResult.HISTORY_CACHE_SHARE_FIRST_DAY).asDouble(), true))
            .append("% | ")
            .append(fmt(100 * sum.path(RunResult.HISTORY_CACHE_SHARE_LAST_DAY).asDouble(), true))
            .append("% | ")
            .append(signed(100 * sum.path(RunResult.HISTORY_LAST_CHANGE).asDouble(), true))
            .append(" pts |\n");
      }
    }
    return b.toString();
  }

  /** One assumed input moved to a low and a high value, with the results of each. */
  record Variation(String key, String label, String base, String low, String high, Path lowDir,
      Path highDir) {}

  /**
   * Reads the sensitivity plan the reproduce script writes: one tab-separated line per assumed
   * input, {@code key label base low high lowDir highDir}; {@code #} lines are comments.
   */
  static List<Variation> readPlan(Path plan) throws IOException {
    List<Variation> out = new ArrayList<>();
    for (String line : Files.readAllLines(plan, StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t");
      if (f.length != 7) {
        throw new IOException(plan + ": a line needs 7 tab-separated fields "
            + "(key label base low high lowDir highDir), got " + f.length + ": " + line);
      }
      out.add(new Variation(f[0], f[1], f[2], f[3], f[4], Path.of(f[5]), Path.of(f[6])));
    }
    return out;
  }

  /**
   * The sensitivity table (each headline output at the low and at the high value, as the change
   * from the base run), the ranking by effect on the CDN share, and one tornado plot per headline
   * output into {@code plotDir}.
   */
  public static String sensitivity(Path baseDir, Path plan, Path plotDir, Map<String, String> run)
      throws IOException {
    JsonNode base = summary(baseDir);
    List<Variation> vs = readPlan(plan);
    List<double[][]> effects = new ArrayList<>(); // per variation: [metric][low, high] change
    for (Variation v : vs) {
      JsonNode lo = summary(v.lowDir);
      JsonNode hi = summary(v.highDir);
      double[][] e = new double[HEADLINES.size()][2];
      for (int i = 0; i < HEADLINES.size(); i++) {
        String metric = HEADLINES.get(i)[0];
        double scale = Double.parseDouble(HEADLINES.get(i)[2]);
        e[i][0] = (mean(lo, metric) - mean(base, metric)) * scale;
        e[i][1] = (mean(hi, metric) - mean(base, metric)) * scale;
      }
      effects.add(e);
    }
    StringBuilder b = new StringBuilder();
    b.append(provenance(manifest(baseDir), run)).append('\n');
    b.append("Base run: ");
    for (int i = 0; i < HEADLINES.size(); i++) {
      String[] h = HEADLINES.get(i);
      b.append(i == 0 ? "" : ", ").append(h[1]).append(' ')
          .append(fmt(mean(base, h[0]) * Double.parseDouble(h[2]), !"1".equals(h[2])));
    }
    b.append(".\n\nEach cell: change from the base run at the low value / at the high value.\n\n");
    b.append("| Assumed input | Base | Low | High |");
    HEADLINES.forEach(h -> b.append(' ').append(h[1]).append(" |"));
    b.append("\n|---|---|---|---|");
    HEADLINES.forEach(h -> b.append("---|"));
    b.append('\n');
    for (int k = 0; k < vs.size(); k++) {
      Variation v = vs.get(k);
      b.append("| ").append(v.label).append(" (`").append(v.key).append("`) | ").append(v.base)
          .append(" | ").append(v.low).append(" | ").append(v.high).append(" |");
      for (int i = 0; i < HEADLINES.size(); i++) {
        boolean pct = !"1".equals(HEADLINES.get(i)[2]);
        b.append(' ').append(signed(effects.get(k)[i][0], pct)).append(" / ")
            .append(signed(effects.get(k)[i][1], pct)).append(" |");
      }
      b.append('\n');
    }
    List<Integer> order = rankBy(effects, 2);
    b.append("\nRanked by the largest change of the CDN share (the researcher's question: how much "
        + "traffic stays off the servers): ");
    for (int i = 0; i < order.size(); i++) {
      Variation v = vs.get(order.get(i));
      double[] e = effects.get(order.get(i))[2];
      b.append(i == 0 ? "" : "; ").append(i + 1).append(". ").append(v.label).append(" (")
          .append(fmt(Math.max(Math.abs(e[0]), Math.abs(e[1])), true)).append(" pts)");
    }
    b.append(".\n");
    for (int i = 0; i < HEADLINES.size(); i++) {
      String[] h = HEADLINES.get(i);
      List<String> labels = new ArrayList<>();
      double[] low = new double[vs.size()];
      double[] high = new double[vs.size()];
      List<Integer> byEffect = rankBy(effects, i);
      for (int j = 0; j < byEffect.size(); j++) {
        int k = byEffect.get(j);
        labels.add(vs.get(k).label);
        low[j] = effects.get(k)[i][0];
        high[j] = effects.get(k)[i][1];
      }
      Tornado.write(plotDir, "sensitivity-" + h[0].replace('_', '-'), "Sensitivity of "
          + h[1] + " (change from the base run)", h[1], labels, low, high);
    }
    b.append("\nTornado plots: ");
    for (int i = 0; i < HEADLINES.size(); i++) {
      String f = "sensitivity-" + HEADLINES.get(i)[0].replace('_', '-') + ".png";
      b.append(i == 0 ? "" : ", ").append('[').append(HEADLINES.get(i)[1]).append("](")
          .append(plotDir.getFileName()).append('/').append(f)
          .append(')');
    }
    b.append(".\n");
    return b.toString();
  }

  /** Variation indexes by the largest absolute change of headline {@code metric}, largest first. */
  private static List<Integer> rankBy(List<double[][]> effects, int metric) {
    List<Integer> order = new ArrayList<>();
    for (int k = 0; k < effects.size(); k++) {
      order.add(k);
    }
    order.sort(Comparator.comparingDouble((Integer k) -> -Math.max(
        Math.abs(effects.get(k)[metric][0]), Math.abs(effects.get(k)[metric][1])))
        .thenComparing(k -> k));
    return order;
  }

  private static String provenance(JsonNode manifest, Map<String, String> run) {
    StringBuilder b = new StringBuilder("*Generated by `papers/reproduce");
    String mode = run.getOrDefault("mode", "");
    b.append(mode.isEmpty() ? "" : " --" + mode).append("`");
    run.forEach((k, v) -> {
      if (!"mode".equals(k)) {
        b.append("; ").append(k).append(": ").append(v);
      }
    });
    b.append("; scenario ").append(manifest.path("scenario").asText()).append(", ")
        .append(manifest.path("replications").asInt()).append(" replication(s), seeds ");
    List<String> seeds = new ArrayList<>();
    manifest.path("seeds").forEach(x -> seeds.add(x.asText()));
    b.append(String.join(", ", seeds)).append(".*\n");
    return b.toString();
  }

  static String fmt(double v, boolean percent) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, percent ? "%.2f" : "%.0f", v);
  }

  private static String signed(double v, boolean percent) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, percent ? "%+.2f" : "%+.0f", v);
  }

  private static String relative(double v, double paper) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+.0f%%", 100 * (v - paper) / paper);
  }
}
