package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PeerCachesTest {
  private final List<Integer> evicted = new ArrayList<>();
  // Every track is 10 bytes; host 0 holds 30 bytes.
  private final PeerCaches caches = new PeerCaches(new long[] {30}, track -> 10);

  @Test
  void leastRecentlyUsedTracksGoFirstAndTouchingRenewsATrack() {
    caches.insert(0, 1, (h, t) -> evicted.add(t));
    caches.insert(0, 2, (h, t) -> evicted.add(t));
    caches.insert(0, 3, (h, t) -> evicted.add(t));
    assertTrue(caches.touch(0, 1));
    caches.insert(0, 4, (h, t) -> evicted.add(t));
    assertEquals(List.of(2), evicted);
    assertTrue(caches.holds(0, 1));
    assertEquals(30, caches.usedBytes(0));
  }

  @Test
  void theTrackBeingPlayedIsNeverEvicted() {
    caches.insert(0, 1, (h, t) -> evicted.add(t));
    caches.insert(0, 2, (h, t) -> evicted.add(t));
    caches.insert(0, 3, (h, t) -> evicted.add(t));
    caches.insert(0, 4, 1, (h, t) -> evicted.add(t));
    assertEquals(List.of(2), evicted);
    assertTrue(caches.holds(0, 1));
    assertTrue(caches.holds(0, 4));
  }

  @Test
  void aTrackLargerThanTheCacheIsNotKept() {
    PeerCaches small = new PeerCaches(new long[] {5}, track -> 10);
    assertFalse(small.insert(0, 1, (h, t) -> evicted.add(t)));
    assertFalse(small.holds(0, 1));
    assertEquals(0, small.usedBytes(0));
  }

  @Test
  void membershipAgreesWithTheOrderUnderRandomInsertsTouchesAndEvictions() {
    // Capacities from a handful of tracks to a hundred, track ids clustered so probes collide.
    SplittableRandom rng = new SplittableRandom(3);
    long[] capacity = new long[8];
    for (int h = 0; h < capacity.length; h++) {
      capacity[h] = 10L * (2 + rng.nextInt(100));
    }
    PeerCaches c = new PeerCaches(capacity, track -> 10);
    for (int step = 0; step < 100_000; step++) {
      int host = rng.nextInt(capacity.length);
      int track = rng.nextInt(4) == 0 ? rng.nextInt(1 << 20) : rng.nextInt(300);
      if (rng.nextBoolean()) {
        c.insert(host, track, rng.nextInt(300), (h, t) -> { });
      } else {
        c.touch(host, track);
      }
      if (step % 997 == 0) {
        for (int h = 0; h < capacity.length; h++) {
          Set<Integer> held = new HashSet<>();
          for (int i = 0; i < c.trackCount(h); i++) {
            held.add(c.track(h, i));
          }
          for (int t = 0; t < 300; t++) {
            assertEquals(held.contains(t), c.holds(h, t), "host " + h + " track " + t);
          }
          for (int t : held) {
            assertTrue(c.holds(h, t));
          }
        }
      }
    }
  }
}
