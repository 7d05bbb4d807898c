package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.scenario.SimulationProgress;
import dev.chorus.simulator.workload.WorkloadConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SwarmSimulationTest {

  static Scenario small(long seed) {
    WorkloadConfig workload = WorkloadConfig.builder()
        .set(WorkloadConfig.CATALOGUE_TRACKS, "2000")
        .set(WorkloadConfig.CHURN_ONLINE_MEAN_SECONDS, "3600")
        .set(WorkloadConfig.CHURN_OFFLINE_MEAN_SECONDS, "1800")
        .build();
    return Scenario.builder()
        .name("small")
        .seed(seed)
        .peers(300)
        .duration(Duration.ofHours(2))
        .warmup(Duration.ofMinutes(20))
        .sampleInterval(Duration.ofMinutes(10))
        .historyDays(2)
        .workload(workload)
        .build();
  }

  @Test
  void aSmallSwarmPlaysAndItsBytesAddUp() {
    RunResult r = SwarmSimulation.run(small(7), 0, SimulationProgress.NONE);
    System.out.println(r.summary() + " events " + r.events() + " wall ms " + r.wallNanos() / 1_000_000);
    assertNull(r.invariantViolation());
    assertTrue(r.metric(RunResult.PLAYS) > 100, "plays " + r.metric(RunResult.PLAYS));
    assertTrue(r.metric(RunResult.BYTES_FROM_PEERS) > 0);
    assertTrue(r.metric(RunResult.BYTES_FROM_CDN) > 0);
    assertEquals(r.metric(RunResult.BYTES_PLAYED), r.metric(RunResult.BYTES_FROM_CACHE)
        + r.metric(RunResult.BYTES_FROM_PEERS) + r.metric(RunResult.BYTES_FROM_CDN));
    assertEquals(12, r.series().size());
  }

  @Test
  void twoRunsOfTheSameScenarioAreIdentical() {
    RunResult a = SwarmSimulation.run(small(11), 1, SimulationProgress.NONE);
    RunResult b = SwarmSimulation.run(small(11), 1, SimulationProgress.NONE);
    assertEquals(a.summary(), b.summary());
    assertEquals(a.events(), b.events());
    assertEquals(a.series().size(), b.series().size());
    for (int i = 0; i < a.series().size(); i++) {
      assertArrayEquals(a.series().get(i), b.series().get(i));
    }
  }

  @Test
  void aRunStoppedEarlyReportsTheTimeItReachedAndBalancesItsBytes() {
    long[] reached = {-1};
    long[] reports = {0};
    RunResult r = SwarmSimulation.run(small(7), 0, (now, duration, events) -> {
      reached[0] = now;
      reports[0]++;
    }, () -> reports[0] >= 1); // stops at the first report, after 200,000 events
    assertNull(r.invariantViolation());
    assertTrue(reached[0] > 0 && reached[0] < Duration.ofHours(2).toNanos(),
        "reached " + reached[0] + " ns");
    RunResult full = SwarmSimulation.run(small(7), 0, SimulationProgress.NONE);
    assertTrue(r.events() < full.events(), r.events() + " events, full run " + full.events());
  }
}
