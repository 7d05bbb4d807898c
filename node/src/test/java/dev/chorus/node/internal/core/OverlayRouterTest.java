package dev.chorus.node.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OverlayRouterTest {
  private static final long SECOND = 1_000_000_000L;
  private static final TrackId TRACK = TrackId.fromBytes(new byte[32]);
  private static final NodeId FROM = NodeId.fromBytes(new byte[32]);

  @Test
  void aQuerySeenTwiceWithinItsMemoryIsDroppedAndItsRouteKept() {
    OverlayRouter r = new OverlayRouter(100);
    assertTrue(r.firstSight(7, FROM, TRACK, 0));
    assertFalse(r.firstSight(7, FROM, TRACK, 9 * SECOND));
    assertEquals(FROM, r.route(7, 9 * SECOND).from());
  }

  @Test
  void queriesAreForgottenAfterTenSeconds() {
    OverlayRouter r = new OverlayRouter(100);
    r.firstSight(1, FROM, TRACK, 0);
    r.firstSight(2, null, TRACK, 5 * SECOND);
    assertNull(r.route(1, OverlayRouter.MEMORY_NANOS), "the oldest entry has expired");
    assertEquals(1, r.size());
    assertTrue(r.firstSight(1, FROM, TRACK, OverlayRouter.MEMORY_NANOS), "a forgotten id is new again");
    assertNull(r.route(2, 15 * SECOND));
  }

  @Test
  void atMostCapacityEntriesAreKeptOldestForgottenFirst() {
    OverlayRouter r = new OverlayRouter(3);
    for (long id = 1; id <= 5; id++) {
      r.firstSight(id, FROM, TRACK, id);
    }
    assertEquals(3, r.size());
    assertNull(r.route(2, 6));
    assertEquals(TRACK, r.route(3, 6).trackId());
  }

  /**
   * The router against the simplest model of its rule (a map in insertion order, expired entries
   * dropped from the front, the oldest dropped over capacity), over random ids drawn from a small
   * range so that repeats, probe collisions, growth and shrinking all happen.
   */
  @Test
  void behavesLikeAnInsertionOrderedMapWithExpiryAndCapacity() {
    SplittableRandom random = new SplittableRandom(42);
    for (int capacity : new int[] {1, 3, 100, 4096}) {
      OverlayRouter r = new OverlayRouter(capacity);
      Map<Long, OverlayRouter.Route> model = new LinkedHashMap<>();
      long now = 0;
      for (int step = 0; step < 50_000; step++) {
        // Bursts and lulls: sometimes far apart in time, so most entries expire at once.
        now += random.nextInt(20) == 0 ? random.nextLong(3 * OverlayRouter.MEMORY_NANOS) : random.nextLong(SECOND / 50);
        long id = random.nextLong(2 * capacity + 10) - 5;
        forget(model, now);
        if (random.nextBoolean()) {
          boolean expected = !model.containsKey(id);
          NodeId from = random.nextBoolean() ? null : FROM;
          if (expected) {
            model.put(id, new OverlayRouter.Route(from, TRACK, now));
            if (model.size() > capacity) {
              Iterator<Long> oldest = model.keySet().iterator();
              oldest.next();
              oldest.remove();
            }
          }
          assertEquals(expected, r.firstSight(id, from, TRACK, now), "firstSight of " + id + " at step " + step);
        } else {
          assertEquals(model.get(id), r.route(id, now), "route of " + id + " at step " + step);
        }
        assertEquals(model.size(), r.size(), "size at step " + step);
      }
    }
  }

  private static void forget(Map<Long, OverlayRouter.Route> model, long now) {
    model.values().removeIf(route -> now - route.seenAtNanos() >= OverlayRouter.MEMORY_NANOS);
  }
}
