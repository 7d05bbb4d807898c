package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
}
