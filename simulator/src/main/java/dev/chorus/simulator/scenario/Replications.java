package dev.chorus.simulator.scenario;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Runs replications 0..n-1 of a scenario on a fixed pool of threads and summarises them: per
 * metric the mean, the sample standard deviation and the half-width of a 95% confidence interval
 * (Student's t). Each replication gets its index; deriving its seed from the scenario's seed and
 * the index is the runner's job, so results do not depend on the number of threads.
 */
public final class Replications {
  private final ScenarioRunner runner;
  private final int threads;

  /**
   * @param threads the most replications run at once; the pool never has more threads than
   *     replications
   */
  public Replications(ScenarioRunner runner, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    this.runner = Objects.requireNonNull(runner, "runner");
    this.threads = threads;
  }

  /** As many threads as processors. */
  public Replications(ScenarioRunner runner) {
    this(runner, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Runs {@code n} replications and returns their results in replication order, whatever order
   * they finish in. {@code progress} gives each replication its progress sink (it is called on
   * that replication's thread). If one replication throws, the others are cancelled (the ones
   * running stop at their next progress report) and a {@link ReplicationException} names it.
   */
  public List<RunResult> run(Scenario scenario, int n, IntFunction<SimulationProgress> progress)
      throws InterruptedException {
    if (n < 1) {
      throw new IllegalArgumentException("replications must be at least 1, was " + n);
    }
    AtomicBoolean cancelled = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, n), daemonThreads());
    try {
      CompletionService<RunResult> done = new ExecutorCompletionService<>(pool);
      List<Future<RunResult>> futures = new ArrayList<>(n);
      for (int r = 0; r < n; r++) {
        int replication = r;
        SimulationProgress sink = cancellable(progress.apply(r), cancelled);
        futures.add(done.submit(() -> run(scenario, replication, sink)));
      }
      RunResult[] results = new RunResult[n];
      for (int i = 0; i < n; i++) {
        Future<RunResult> f = done.take();
        try {
          RunResult result = f.get();
          results[futures.indexOf(f)] = result;
        } catch (ExecutionException e) {
          cancelled.set(true);
          futures.forEach(other -> other.cancel(true));
          throw (ReplicationException) e.getCause();
        }
      }
      return Collections.unmodifiableList(Arrays.asList(results));
    } catch (InterruptedException e) {
      cancelled.set(true);
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  private RunResult run(Scenario scenario, int replication, SimulationProgress progress) {
    try {
      RunResult result = runner.run(scenario, replication, progress);
      if (result == null) {
        throw new IllegalStateException("the runner returned no result");
      }
      return result;
    } catch (RuntimeException | Error e) {
      throw new ReplicationException(replication, e);
    }
  }

  /** Stops a cancelled replication at its next progress report, since runners do not poll. */
  private static SimulationProgress cancellable(SimulationProgress p, AtomicBoolean cancelled) {
    SimulationProgress sink = p == null ? SimulationProgress.NONE : p;
    return (simNanos, durationNanos, events) -> {
      if (cancelled.get()) {
        throw new CancellationException("another replication failed");
      }
      sink.progress(simNanos, durationNanos, events);
    };
  }

  /** Daemon threads, so that a replication that ignores cancellation cannot keep the JVM alive. */
  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "chorus-sim-replication-" + count.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }

  // ---- statistics -------------------------------------------------------------------------------

  /**
   * One metric over the replications: their number, mean, sample standard deviation and the
   * half-width of the 95% confidence interval of the mean. With one replication the last two are
   * NaN: one value says nothing about the spread.
   */
  public record Stats(int n, double mean, double stdDev, double ci95) {}

  /**
   * Per metric, in the summary order of the first result (metrics only some results have come
   * after), the statistics over the results that have it.
   */
  public static Map<String, Stats> statistics(List<RunResult> results) {
    Map<String, List<Double>> values = new LinkedHashMap<>();
    for (RunResult r : results) {
      r.summary().forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    }
    Map<String, Stats> stats = new LinkedHashMap<>();
    values.forEach((k, v) -> stats.put(k, stats(v)));
    return Collections.unmodifiableMap(stats);
  }

  static Stats stats(List<Double> values) {
    int n = values.size();
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= n;
    if (n < 2) {
      return new Stats(n, mean, Double.NaN, Double.NaN);
    }
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(squares / (n - 1));
    return new Stats(n, mean, sd, tQuantile975(n - 1) * sd / Math.sqrt(n));
  }

  /** The 0.975 quantile of Student's t for 1..30 degrees of freedom (to 9 places). */
  private static final double[] T975 = {12.706204736, 4.302652730, 3.182446305, 2.776445105,
      2.570581836, 2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852, 2.200985160,
      2.178812830, 2.160368656, 2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.100922040,
      2.093024054, 2.085963447, 2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553,
      2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456};

  /**
   * The 0.975 quantile of Student's t with {@code df} degrees of freedom: from the table up to 30,
   * beyond by the Cornish–Fisher expansion around the normal quantile (error below 1e-6 there).
   */
  static double tQuantile975(int df) {
    if (df < 1) {
      throw new IllegalArgumentException("degrees of freedom must be at least 1, was " + df);
    }
    if (df <= T975.length) {
      return T975[df - 1];
    }
    double z = 1.959963984540054;
    double z2 = z * z;
    double v = df;
    return z
        + z * (z2 + 1) / (4 * v)
        + z * (5 * z2 * z2 + 16 * z2 + 3) / (96 * v * v)
        + z * (3 * z2 * z2 * z2 + 19 * z2 * z2 + 17 * z2 - 15) / (384 * v * v * v)
        + z * (79 * z2 * z2 * z2 * z2 + 776 * z2 * z2 * z2 + 1482 * z2 * z2 - 1920 * z2 - 945)
            / (92160 * v * v * v * v);
  }

  /** A replication failed; {@link #replication()} says which. */
  public static final class ReplicationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int replication;

    ReplicationException(int replication, Throwable cause) {
      super("replication " + replication + " failed: " + cause, cause);
      this.replication = replication;
    }

    public int replication() {
      return replication;
    }
  }
}
