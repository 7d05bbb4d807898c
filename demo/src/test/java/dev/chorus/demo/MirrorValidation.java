package dev.chorus.demo;

import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.scenario.ScenarioFile;
import dev.chorus.simulator.swarm.SwarmSimulation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The simulator's validation against real nodes: a mirrored pair (a demo swarm of real nodes, and
 * the scenario file that describes it to the simulator) run on both sides, and the statistics that
 * decide whether they agree. See {@code simulator/docs/validation.md}.
 *
 * <p>Every run: 10 nodes, 10 tracks, 40 s of wall-clock listening at 8x (320 s of audio), 200 MB
 * caches. The demo is not repeatable (thread timing), so its spread is measured over seeds; the
 * simulator is deterministic per replication, and its spread over replications is measured too.
 *
 * <p>Metrics, the same on both sides: the network peer share (bytes fetched from peers over bytes
 * fetched from peers and the CDN); the cache share (bytes played from the node's own cache over
 * bytes played, the P2P'10 paper's measure); and start latency p50 and p90 over all plays (open to
 * ready-to-play), the demo's in wall-clock time times the speed, i.e. in audio time as the
 * simulator counts it.
 */
final class MirrorValidation {
  static final int NODES = 10;
  static final int TRACKS = 10;
  static final Duration WALL = Duration.ofSeconds(40);
  /** The mirror scenarios' swarm.* timers are scaled for --speed 8; keep the demo at that speed. */
  static final double SPEED = 8;
  static final long CACHE_BYTES = 200_000_000L;
  static final int REPLICATIONS = 10;
  /** The module runs its tests from {@code demo/}; the scenarios are the simulator module's. */
  static final Path SCENARIOS = Path.of(System.getProperty("user.dir"), "..", "simulator", "scenarios").normalize();

  /** A mirrored pair: the demo swarm and the scenario file that describes it. */
  enum Mirror {
    /** {@code ./chorus demo}'s swarm: uncapped nodes, always online. */
    PLAIN("demo-mirror", SwarmVariation.NONE),
    /** The same with upload caps in three classes and churn. */
    CAPS_AND_CHURN("demo-mirror-churn", SwarmVariation.CAPS_AND_CHURN);

    final String scenario;
    final SwarmVariation variation;

    Mirror(String scenario, SwarmVariation variation) {
      this.scenario = scenario;
      this.variation = variation;
    }

    /** The scenario file resized to the demo run: same nodes, tracks and audio time. */
    Scenario scenario() {
      Map<String, String> overrides = new LinkedHashMap<>();
      overrides.put("sim.peers", Integer.toString(NODES));
      overrides.put("catalogue.tracks", Integer.toString(TRACKS));
      overrides.put("catalogue.albumTracks", Integer.toString(TRACKS)); // one sequence, as Listener plays
      overrides.put("sim.duration", Math.round(WALL.toSeconds() * SPEED) + "s");
      overrides.put("sim.sampleInterval", "10s");
      overrides.put("cache.minBytes", Long.toString(CACHE_BYTES));
      overrides.put("cache.maxBytes", Long.toString(CACHE_BYTES));
      overrides.put("cache.freeDiskMedianBytes", Long.toString(CACHE_BYTES));
      return ScenarioFile.read(SCENARIOS.resolve(scenario + ".scenario"), overrides);
    }
  }

  /** The compared metrics, in the order of {@link Sample#values}. */
  enum Metric {
    PEER_SHARE("network peer share", "%.3f"),
    CACHE_SHARE("cache share of bytes played", "%.3f"),
    START_P50("start latency p50 (ms of audio time)", "%.0f"),
    START_P90("start latency p90 (ms of audio time)", "%.0f");

    final String label;
    final String format;

    Metric(String label, String format) {
      this.label = label;
      this.format = format;
    }

    String format(double v) {
      return String.format(Locale.ROOT, format, v);
    }
  }

  /** One run's figures, indexed by {@link Metric#ordinal()}; {@code note} says what else it found. */
  record Sample(double[] values, String note) {
    double get(Metric m) {
      return values[m.ordinal()];
    }
  }

  /** Mean and sample standard deviation of n values. */
  record Stat(int n, double mean, double sd) {
    static Stat of(List<Sample> samples, Metric m) {
      int n = samples.size();
      double mean = samples.stream().mapToDouble(s -> s.get(m)).average().orElse(Double.NaN);
      double ss = samples.stream().mapToDouble(s -> (s.get(m) - mean) * (s.get(m) - mean)).sum();
      return new Stat(n, mean, n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN);
    }
  }

  /**
   * One metric of one mirror: the demo's and the simulator's statistics, the difference of the
   * simulator from the demo, the tolerance on it and whether the difference is within it.
   */
  record Check(Mirror mirror, Metric metric, Stat demo, Stat sim, double difference, double tolerance) {
    boolean agrees() {
      return Math.abs(difference) <= tolerance;
    }
  }

  /** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom. */
  private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
      2.056, 2.052, 2.048, 2.045, 2.042};

  /** Two-sided 99.9% quantiles of Student's t for 1..30 degrees of freedom. */
  private static final double[] T9995 = {636.62, 31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041, 4.781, 4.587,
      4.437, 4.318, 4.221, 4.140, 4.073, 4.015, 3.965, 3.922, 3.883, 3.850, 3.819, 3.792, 3.768, 3.745, 3.725,
      3.707, 3.690, 3.674, 3.659, 3.646};

  static double t975(int degreesOfFreedom) {
    return quantile(T975, 1.960, degreesOfFreedom);
  }

  static double t9995(int degreesOfFreedom) {
    return quantile(T9995, 3.291, degreesOfFreedom);
  }

  private static double quantile(double[] table, double normal, int degreesOfFreedom) {
    if (degreesOfFreedom < 1) {
      throw new IllegalArgumentException("a tolerance needs at least two demo runs (one degree of freedom)");
    }
    return degreesOfFreedom <= table.length ? table[degreesOfFreedom - 1] : normal;
  }

  /**
   * The simulator's mean against the mean of n demo runs: they agree if the difference is within
   * t(0.975, n−1) · √(s_demo²/n + s_sim²/R), a two-sided t-test at 5% with the demo's degrees of
   * freedom (fewer than Welch's, so conservative). Too high fails as well as too low.
   */
  static Check meanAgainstMean(Mirror mirror, Metric metric, Stat demo, Stat sim) {
    double tolerance = t975(demo.n() - 1) * Math.sqrt(demo.sd() * demo.sd() / demo.n() + sim.sd() * sim.sd() / sim.n());
    return new Check(mirror, metric, demo, sim, sim.mean() - demo.mean(), tolerance);
  }

  /**
   * One new demo run against the demo's spread measured over n earlier runs ({@code spread}):
   * whether the real nodes still behave as measured. It agrees if the run is within
   * t(0.9995, n−1) · s_demo · √(1 + 1/n) of the measured mean, a 99.9% prediction interval (wide:
   * it is checked in every build, so a chance failure must be rare; it catches gross changes).
   */
  static Check runAgainstSpread(Mirror mirror, Metric metric, Stat spread, double demoRun) {
    double tolerance = t9995(spread.n() - 1) * spread.sd() * Math.sqrt(1 + 1.0 / spread.n());
    return new Check(mirror, metric, new Stat(1, demoRun, Double.NaN), spread, spread.mean() - demoRun, tolerance);
  }

  /** The simulator's replications 0..R-1 of the mirror; each must keep the byte invariant. */
  static List<Sample> simulate(Mirror mirror, int replications) {
    Scenario scenario = mirror.scenario();
    List<Sample> out = new ArrayList<>();
    for (int r = 0; r < replications; r++) {
      RunResult result = SwarmSimulation.run(scenario, r, (now, duration, events) -> {});
      if (result.invariantViolation() != null) {
        throw new IllegalStateException(mirror + " replication " + r + ": " + result.invariantViolation());
      }
      out.add(new Sample(new double[] {result.metric(RunResult.NETWORK_PEER_SHARE),
          result.metric(RunResult.SHARE_CACHE), result.metric(RunResult.START_LATENCY_P50_MS),
          result.metric(RunResult.START_LATENCY_P90_MS)},
          String.format(Locale.ROOT, "plays %.0f, peak online %.0f", result.metric(RunResult.PLAYS),
              result.metric(RunResult.PEAK_ONLINE_PEERS))));
    }
    return out;
  }

  /** What one demo run measured, and the report (for its table and checks). */
  record DemoRun(Sample sample, DemoReport report) {}

  /** One demo run of the mirror with {@code seed}, in a new directory under {@code dir}. */
  static DemoRun demo(Mirror mirror, long seed, Path dir) throws IOException, InterruptedException {
    Path runDir = Files.createTempDirectory(dir, mirror.scenario + "-seed" + seed + "-");
    DemoOptions options = new DemoOptions(NODES, TRACKS, WALL, SPEED, seed, Optional.of(runDir), false,
        CACHE_BYTES, 0);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    DemoReport report;
    try (PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
      report = Demo.run(options, mirror.variation, out, false, new AtomicBoolean(), null);
    } finally {
      Demo.deleteRecursively(runDir);
    }
    double played = report.played().total();
    double cacheShare = played == 0 ? 0 : report.played().fromCache() / played;
    long errors = report.nodes().stream().mapToLong(DemoReport.Row::errors).sum();
    String violation = report.invariantViolation();
    String note = String.format(Locale.ROOT, "plays %d, errors %d, stutters %d%s", report.plays(), errors,
        report.stutters(), violation == null ? "" : ", ACCOUNTING: " + violation);
    return new DemoRun(new Sample(new double[] {report.networkPeerShare(), cacheShare,
        report.startLatencyP50Nanos() / 1e6 * SPEED, report.startLatencyP90Nanos() / 1e6 * SPEED}, note), report);
  }
}
