package dev.chorus.simulator.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A scripted {@link ScenarioRunner} for tests: deterministic results from the scenario's seed and
 * the replication index (every summary metric, one series row per sample interval), reporting
 * progress at every sample. It can be told to break the invariant or to throw in given
 * replications.
 */
public final class FakeRunner implements ScenarioRunner {
  /** Every summary metric of {@link RunResult}, in report order. */
  public static final List<String> METRICS = List.of(RunResult.BYTES_PLAYED,
      RunResult.BYTES_FROM_CACHE, RunResult.BYTES_FROM_PEERS, RunResult.BYTES_FROM_CDN,
      RunResult.SHARE_CACHE, RunResult.SHARE_PEERS, RunResult.SHARE_CDN,
      RunResult.NETWORK_BYTES_PEERS, RunResult.NETWORK_BYTES_CDN, RunResult.NETWORK_PEER_SHARE,
      RunResult.START_LATENCY_P50_MS, RunResult.START_LATENCY_P75_MS,
      RunResult.START_LATENCY_P90_MS, RunResult.PLAYS, RunResult.STUTTERS, RunResult.STUTTER_RATE,
      RunResult.TRACKER_LOOKUPS_PER_SECOND, RunResult.UPLOAD_PER_PEER_MEAN_BYTES,
      RunResult.UPLOAD_PER_PEER_P50_BYTES, RunResult.UPLOAD_PER_PEER_P99_BYTES,
      RunResult.PEAK_ONLINE_PEERS);

  private final Set<Integer> violate;
  private final Set<Integer> fail;

  public FakeRunner() {
    this(Set.of(), Set.of());
  }

  /**
   * @param violate replications whose result reports an invariant violation
   * @param fail replications that throw an {@link IllegalStateException}
   */
  public FakeRunner(Set<Integer> violate, Set<Integer> fail) {
    this.violate = violate;
    this.fail = fail;
  }

  /** The seed the fake derives for a replication (the real driver has its own derivation). */
  public static long seedOf(Scenario s, int replication) {
    return s.seed() * 1_000_003L + replication;
  }

  @Override
  public RunResult run(Scenario s, int replication, SimulationProgress progress) {
    if (fail.contains(replication)) {
      throw new IllegalStateException("scripted failure in replication " + replication);
    }
    long seed = seedOf(s, replication);
    SplittableRandom rnd = new SplittableRandom(seed);
    long duration = s.duration().toNanos();
    long interval = s.sampleInterval().toNanos();
    List<double[]> series = new ArrayList<>();
    long events = 0;
    for (long t = interval; t <= duration; t += interval) {
      double[] row = new double[RunResult.SERIES_COLUMNS.size()];
      row[0] = t / 1e9;
      for (int c = 1; c < row.length; c++) {
        // Whole numbers and fractions, so that both output forms are exercised.
        row[c] = c % 2 == 0 ? rnd.nextInt(1_000_000) : rnd.nextDouble();
      }
      series.add(row);
      events += 1000 + rnd.nextInt(1000);
      progress.progress(t, duration, events);
    }
    double cache = 4e9 + rnd.nextInt(1_000_000_000);
    double peers = 3e9 + rnd.nextInt(1_000_000_000);
    double cdn = 1e9 + rnd.nextInt(100_000_000);
    double played = cache + peers + cdn;
    Map<String, Double> summary = new LinkedHashMap<>();
    for (String m : METRICS) {
      summary.put(m, rnd.nextDouble() * 1000);
    }
    summary.put(RunResult.BYTES_PLAYED, played);
    summary.put(RunResult.BYTES_FROM_CACHE, cache);
    summary.put(RunResult.BYTES_FROM_PEERS, peers);
    summary.put(RunResult.BYTES_FROM_CDN, cdn);
    summary.put(RunResult.SHARE_CACHE, cache / played);
    summary.put(RunResult.SHARE_PEERS, peers / played);
    summary.put(RunResult.SHARE_CDN, cdn / played);
    String violation = violate.contains(replication)
        ? "cache + peers + CDN = " + (long) (played - 5) + " bytes but " + (long) played + " played"
        : null;
    return new RunResult(s, replication, seed, summary, series, events,
        1_000_000L * (replication + 1) + System.nanoTime() % 1000, violation);
  }
}
