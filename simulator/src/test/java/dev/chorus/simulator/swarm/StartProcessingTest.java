package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The node's own processing of a start ({@code node.cachedStartProcessing}, {@code
 * node.networkStartProcessing}): a play of a track held whole pays the first, every other play the
 * second, once, on top of what the network and the store reads take.
 */
class StartProcessingTest {
  private static final long CACHED_MICROS = 5_000;
  /** Longer than any fetch in the small swarm takes, so that a play's latency says which it paid. */
  private static final long NETWORK_MICROS = 10_000_000;

  private static World run(long cachedMicros, long networkMicros) {
    Scenario s = SwarmSimulationTest.small(5).toBuilder()
        .manifestRead(Duration.ZERO)
        .chunkRead(Duration.ZERO)
        .cachedStartProcessing(Duration.ofNanos(cachedMicros * 1000))
        .networkStartProcessing(Duration.ofNanos(networkMicros * 1000))
        .build();
    World w = new World(s, 0);
    w.start();
    w.run((now, events, pending) -> { }, 1_000_000);
    assertNull(w.metrics.invariantViolation());
    return w;
  }

  /** Plays whose first chunk was held when they asked for the track (cached or prefetched). */
  private static long heldAtRequest(World w) {
    double plays = w.metrics.summary().get(RunResult.PLAYS);
    return Math.round(w.metrics.summary().get(RunResult.PLAYS_STARTED_INSTANTLY) * plays);
  }

  @Test
  void aCachedPlayPaysExactlyTheCachedCostAndEveryOtherPlayTheNetworkCost() {
    World w = run(CACHED_MICROS, NETWORK_MICROS);
    long plays = (long) w.metrics.summary().get(RunResult.PLAYS).doubleValue();
    long cached = w.metrics.startsBetweenMicros(CACHED_MICROS, CACHED_MICROS);
    long belowNetwork = w.metrics.startsBetweenMicros(0, NETWORK_MICROS - 1);
    long instant = heldAtRequest(w);
    System.out.println("plays " + plays + ", started after exactly the cached cost " + cached
        + ", held at request " + instant);
    assertTrue(cached > 10, "some plays were of cached tracks: " + cached);
    assertTrue(cached < plays, "some plays fetched their track");
    assertEquals(belowNetwork, cached, "a play that did not pay the network cost paid the cached one, no more");
    assertTrue(cached <= instant, "a cached play had its first chunk at the request");
  }

  @Test
  void withoutProcessingACachedPlayStartsAtOnce() {
    World w = run(0, 0);
    long instant = heldAtRequest(w);
    assertTrue(w.metrics.startsBetweenMicros(0, 1) > 10, "cached plays start at once with no costs");
    assertTrue(w.metrics.startsBetweenMicros(0, 1) <= instant);
  }
}
