package dev.chorus.simulator.scenario;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes what a set of replications measured into a results directory:
 *
 * <ul>
 *   <li>{@code manifest.json}: what ran — the scenario's effective key/values, seeds, versions,
 *       start time, wall time and events per replication;
 *   <li>{@code summary.json}: every replication's summary, mean and 95% CI per metric, and
 *       whether the byte-accounting invariant held;
 *   <li>{@code timeseries.csv}: one row per sample per replication;
 *   <li>plots as PNG and SVG: {@code sources}, {@code peer-share}, {@code online}, {@code
 *       start-latency}.
 * </ul>
 *
 * <p>{@code summary.json} and {@code timeseries.csv} hold nothing that depends on the machine or
 * the clock, so the same scenario and seed give byte-identical files (numbers in one fixed,
 * locale-free form; maps in report order; "\n" line ends).
 */
public final class ResultsWriter {
  static final String MANIFEST = "manifest.json";
  static final String SUMMARY = "summary.json";
  static final String TIMESERIES = "timeseries.csv";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultsWriter() {}

  /**
   * Creates {@code dir} (and its parents) for a run's results, before the run, so that a run of
   * hours is not lost to an unusable directory at the end. A directory with files in it is refused
   * unless {@code force}; then files of the same names are overwritten and others left alone.
   */
  public static void prepare(Path dir, boolean force) throws IOException {
    if (Files.isDirectory(dir)) {
      if (!force && !isEmpty(dir)) {
        throw new IOException(dir + " is not empty (use --force to write into it anyway)");
      }
    } else if (Files.exists(dir)) {
      throw new IOException(dir + " exists and is not a directory");
    }
    Files.createDirectories(dir);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /**
   * Writes every file for {@code results} (replication order) of {@code scenario}, run from
   * {@code started}, with {@code stats} as {@link Replications#statistics} computed them.
   */
  public static void write(Path dir, Scenario scenario, List<RunResult> results,
      Map<String, Replications.Stats> stats, Instant started) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(MANIFEST), manifest(scenario, results, started));
    Files.write(dir.resolve(SUMMARY), summary(scenario, results, stats));
    Files.write(dir.resolve(TIMESERIES), timeseries(results));
    Plots.write(dir, scenario, results);
  }

  // ---- manifest.json ----------------------------------------------------------------------------

  static byte[] manifest(Scenario scenario, List<RunResult> results, Instant started)
      throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("scenario", scenario.name());
    root.put("chorus_version", chorusVersion());
    root.put("java_version", System.getProperty("java.version") + " ("
        + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor") + ")");
    root.put("start_time", started.toString());
    root.put("replications", results.size());
    ArrayNode seeds = root.putArray("seeds");
    results.forEach(r -> seeds.add(r.seed()));
    long events = 0;
    long wallNanos = 0;
    ArrayNode runs = root.putArray("runs");
    for (RunResult r : results) {
      ObjectNode run = runs.addObject();
      run.put("replication", r.replication());
      run.put("seed", r.seed());
      number(run, "wall_seconds", r.wallNanos() / 1e9);
      run.put("events", r.events());
      number(run, "events_per_second", perSecond(r.events(), r.wallNanos()));
      events += r.events();
      wallNanos += r.wallNanos();
    }
    root.put("events_total", events);
    number(root, "events_per_second", perSecond(events, wallNanos));
    ObjectNode values = root.putObject("scenario_values");
    ScenarioFile.effectiveValues(scenario).forEach(values::put);
    return json(root);
  }

  private static double perSecond(long events, long nanos) {
    return nanos <= 0 ? Double.NaN : events / (nanos / 1e9);
  }

  /** The Implementation-Version of the jar this class was loaded from, or "dev" from classes. */
  public static String chorusVersion() {
    String v = ResultsWriter.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  // ---- summary.json -----------------------------------------------------------------------------

  static byte[] summary(Scenario scenario, List<RunResult> results,
      Map<String, Replications.Stats> stats) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("scenario", scenario.name());
    root.put("replications", results.size());
    ObjectNode invariant = root.putObject("invariant");
    ArrayNode violations = JSON.createArrayNode();
    for (RunResult r : results) {
      if (r.invariantViolation() != null) {
        ObjectNode v = violations.addObject();
        v.put("replication", r.replication());
        v.put("message", r.invariantViolation());
      }
    }
    invariant.put("ok", violations.isEmpty());
    invariant.set("violations", violations);
    ObjectNode metrics = root.putObject("metrics");
    stats.forEach((name, s) -> {
      ObjectNode m = metrics.putObject(name);
      number(m, "mean", s.mean());
      number(m, "std_dev", s.stdDev());
      number(m, "ci95", s.ci95());
      m.put("n", s.n());
    });
    ArrayNode runs = root.putArray("runs");
    for (RunResult r : results) {
      ObjectNode run = runs.addObject();
      run.put("replication", r.replication());
      run.put("seed", r.seed());
      ObjectNode summary = run.putObject("summary");
      r.summary().forEach((k, v) -> number(summary, k, v));
    }
    return json(root);
  }

  /**
   * Whole numbers as integers (byte counts read better), NaN and infinities as null (JSON has
   * neither), everything else as Java's shortest round-tripping decimal form, which is fixed and
   * locale-free.
   */
  private static void number(ObjectNode node, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      node.putNull(field);
    } else if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
      node.put(field, (long) v);
    } else {
      node.put(field, v);
    }
  }

  private static byte[] json(JsonNode root) throws IOException {
    // "\n" rather than the platform's line separator, so files are equal across systems.
    DefaultPrettyPrinter pretty = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    byte[] body = JSON.writer(pretty).writeValueAsBytes(root);
    byte[] withNewline = new byte[body.length + 1];
    System.arraycopy(body, 0, withNewline, 0, body.length);
    withNewline[body.length] = '\n';
    return withNewline;
  }

  // ---- timeseries.csv ---------------------------------------------------------------------------

  static byte[] timeseries(List<RunResult> results) {
    StringBuilder sb = new StringBuilder("replication,")
        .append(String.join(",", RunResult.SERIES_COLUMNS)).append('\n');
    for (RunResult r : results) {
      for (double[] row : r.series()) {
        sb.append(r.replication());
        for (double v : row) {
          sb.append(',').append(csvNumber(v));
        }
        sb.append('\n');
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** As in the JSON: whole numbers without a fraction, NaN spelled so (pandas and R read it). */
  static String csvNumber(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
