package dev.chorus.node.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
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
}
