package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.scenario.SimulationProgress;
import dev.chorus.simulator.workload.WorkloadConfig;
import org.junit.jupiter.api.Test;

/**
 * Repeats and discoveries in a whole run of a small swarm: only repeats come from the local cache;
 * a discovery of a held track drops the copy (as an eviction does) and is fetched over the network.
 */
class RepeatsRunTest {
  private static RunResult run(String repeatShare) {
    Scenario small = SwarmSimulationTest.small(7);
    WorkloadConfig workload = small.workload().toBuilder()
        .set(WorkloadConfig.SESSION_REPEAT_SHARE, repeatShare)
        .build();
    RunResult r = SwarmSimulation.run(small.toBuilder().workload(workload).build(), 0,
        SimulationProgress.NONE);
    System.out.println("repeatShare " + repeatShare + ": " + r.summary());
    assertNull(r.invariantViolation());
    assertTrue(r.metric(RunResult.PLAYS) > 100, "plays " + r.metric(RunResult.PLAYS));
    return r;
  }

  @Test
  void withAShareOfZeroEveryPlayOfAHeldTrackDropsItAndGoesToTheNetwork() {
    RunResult r = run("0");
    assertEquals(0, r.metric(RunResult.BYTES_FROM_CACHE), "a discovery never comes from the cache");
    assertTrue(r.metric(RunResult.DISCOVERY_DROPS) > 0,
        "the history filled the caches, and discoveries drew held tracks");
    assertEquals(0, r.metric(RunResult.REPEAT_SHARE_OF_PLAYS));
    assertEquals(r.metric(RunResult.BYTES_PLAYED),
        r.metric(RunResult.BYTES_FROM_PEERS) + r.metric(RunResult.BYTES_FROM_CDN));
    assertTrue(r.metric(RunResult.BYTES_FROM_PEERS) > 0, "held copies of other peers still serve");
  }

  @Test
  void withAShareOfOneNearlyEveryPlayComesFromTheCache() {
    RunResult r = run("1");
    assertEquals(1.0, r.metric(RunResult.REPEAT_SHARE_OF_PLAYS), 1e-9,
        "every listener played in the history, so every play of the run is a repeat");
    assertEquals(0, r.metric(RunResult.DISCOVERY_DROPS));
    // Repeats replay recent plays, which the history put in the cache (a cache smaller than the
    // tracks replayed, or a track whose download a skip cut short, is the exception).
    assertTrue(r.metric(RunResult.SHARE_CACHE) > 0.8, "cache share " + r.metric(RunResult.SHARE_CACHE));
  }

  @Test
  void withRepeatsOffTheRunReportsNoRepeatMetricsAndPlaysHeldTracksFromTheCache() {
    RunResult r = SwarmSimulation.run(SwarmSimulationTest.small(7), 0, SimulationProgress.NONE);
    assertFalse(r.summary().containsKey(RunResult.REPEAT_SHARE_OF_PLAYS));
    assertFalse(r.summary().containsKey(RunResult.DISCOVERY_DROPS));
    assertTrue(r.metric(RunResult.BYTES_FROM_CACHE) > 0);
  }
}
