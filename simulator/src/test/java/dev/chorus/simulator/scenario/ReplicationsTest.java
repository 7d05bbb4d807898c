package dev.chorus.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReplicationsTest {
  private static final Scenario SCENARIO = Scenario.builder().name("r").peers(10)
      .duration(Duration.ofMinutes(10)).sampleInterval(Duration.ofMinutes(1)).build();

  private static RunResult result(Scenario s, int replication, Map<String, Double> summary) {
    return new RunResult(s, replication, replication, summary, List.of(), 0, 0, null);
  }

  @Test
  void resultsComeInReplicationOrderWhateverOrderTheyFinishIn() throws Exception {
    // Replication 0 finishes only after replication 1 has, on two threads.
    CountDownLatch oneDone = new CountDownLatch(1);
    List<Integer> finished = Collections.synchronizedList(new ArrayList<>());
    ScenarioRunner runner = (s, r, p) -> {
      if (r == 0) {
        await(oneDone);
      }
      RunResult result = new FakeRunner().run(s, r, p);
      finished.add(r);
      if (r == 1) {
        oneDone.countDown();
      }
      return result;
    };
    List<RunResult> results = new Replications(runner, 2).run(SCENARIO, 4, r -> SimulationProgress.NONE);
    assertEquals(List.of(0, 1, 2, 3), results.stream().map(RunResult::replication).toList());
    assertEquals(1, finished.get(0));
    for (int r = 0; r < 4; r++) {
      assertEquals(FakeRunner.seedOf(SCENARIO, r), results.get(r).seed());
    }
  }

  @Test
  void sameResultsWithOneThreadOrMany() throws Exception {
    List<RunResult> one = new Replications(new FakeRunner(), 1).run(SCENARIO, 3, r -> null);
    List<RunResult> many = new Replications(new FakeRunner(), 3).run(SCENARIO, 3, r -> null);
    for (int r = 0; r < 3; r++) {
      assertEquals(one.get(r).summary(), many.get(r).summary());
    }
    assertEquals(Replications.statistics(one), Replications.statistics(many));
  }

  @Test
  void eachReplicationReportsProgressToItsOwnSink() throws Exception {
    long[] last = new long[3];
    new Replications(new FakeRunner(), 2).run(SCENARIO, 3,
        r -> (sim, duration, events) -> last[r] = sim);
    for (long l : last) {
      assertEquals(SCENARIO.duration().toNanos(), l);
    }
  }

  @Test
  void meanStdDevAndConfidenceIntervalMatchHandComputedValues() {
    List<RunResult> results = new ArrayList<>();
    double[] values = {1, 2, 3, 4};
    for (int r = 0; r < values.length; r++) {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("x", values[r]);
      m.put("constant", 7.0);
      results.add(result(SCENARIO, r, m));
    }
    Map<String, Replications.Stats> stats = Replications.statistics(results);
    assertEquals(List.of("x", "constant"), new ArrayList<>(stats.keySet()));
    Replications.Stats x = stats.get("x");
    assertEquals(4, x.n());
    assertEquals(2.5, x.mean(), 1e-12);
    // s = sqrt(((1.5² + 0.5²) · 2) / 3) = sqrt(5/3); half-width = t(0.975, 3) · s / sqrt(4)
    assertEquals(1.2909944487358056, x.stdDev(), 1e-12);
    assertEquals(2.0542602565773884, x.ci95(), 1e-9);
    Replications.Stats c = stats.get("constant");
    assertEquals(7.0, c.mean(), 0);
    assertEquals(0.0, c.stdDev(), 0);
    assertEquals(0.0, c.ci95(), 0);

    // Two values 10 and 12: s = sqrt(2), half-width = 12.7062 · sqrt(2) / sqrt(2).
    Replications.Stats two = Replications.stats(List.of(10.0, 12.0));
    assertEquals(11.0, two.mean(), 1e-12);
    assertEquals(12.706204736, two.ci95(), 1e-9);
  }

  @Test
  void oneReplicationHasNoConfidenceInterval() {
    Replications.Stats one = Replications.stats(List.of(42.0));
    assertEquals(1, one.n());
    assertEquals(42.0, one.mean(), 0);
    assertTrue(Double.isNaN(one.stdDev()));
    assertTrue(Double.isNaN(one.ci95()));
  }

  @Test
  void tQuantilesMatchReferenceValues() {
    // Reference: scipy.stats.t.ppf(0.975, df).
    assertEquals(12.706204736174694, Replications.tQuantile975(1), 1e-9);
    assertEquals(2.7764451051977934, Replications.tQuantile975(4), 1e-9);
    assertEquals(2.0422724563012378, Replications.tQuantile975(30), 1e-9);
    assertEquals(2.039513446396408, Replications.tQuantile975(31), 1e-6);
    assertEquals(2.021075390306273, Replications.tQuantile975(40), 1e-6);
    assertEquals(2.0002978220142604, Replications.tQuantile975(60), 1e-6);
    assertEquals(1.9799304050824402, Replications.tQuantile975(120), 1e-6);
    assertEquals(1.9623390808264083, Replications.tQuantile975(1000), 1e-6);
  }

  @Test
  void aFailureNamesItsReplicationAndCancelsTheOthers() throws Exception {
    CountDownLatch looping = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean sawCancellation = new AtomicBoolean();
    ScenarioRunner runner = (s, r, p) -> {
      if (r == 1) {
        await(looping);
        throw new IllegalStateException("boom");
      }
      // Replication 0 runs until it is cancelled through its progress sink.
      try {
        for (long t = 0; ; t++) {
          p.progress(t, Long.MAX_VALUE, t);
          looping.countDown();
          Thread.onSpinWait();
        }
      } catch (CancellationException e) {
        sawCancellation.set(true);
        throw e;
      } finally {
        stopped.countDown();
      }
    };
    Replications.ReplicationException e = assertThrows(Replications.ReplicationException.class,
        () -> new Replications(runner, 2).run(SCENARIO, 4, r -> SimulationProgress.NONE));
    assertEquals(1, e.replication());
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertTrue(e.getMessage().contains("replication 1"), e.getMessage());
    await(stopped);
    assertTrue(sawCancellation.get());
  }

  @Test
  void scriptedFailureOfTheFakeRunnerPropagates() {
    Replications.ReplicationException e = assertThrows(Replications.ReplicationException.class,
        () -> new Replications(new FakeRunner(Set.of(), Set.of(2)), 1).run(SCENARIO, 3, r -> null));
    assertEquals(2, e.replication());
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new Replications(new FakeRunner(), 0));
    assertThrows(IllegalArgumentException.class,
        () -> new Replications(new FakeRunner(), 1).run(SCENARIO, 0, r -> null));
  }

  /** A liveness guard so that a bug hangs no build; not a timing assertion. */
  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
