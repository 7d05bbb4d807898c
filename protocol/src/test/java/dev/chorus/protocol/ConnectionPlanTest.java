package dev.chorus.protocol;

import static dev.chorus.protocol.ReachabilityClass.MAPPED;
import static dev.chorus.protocol.ReachabilityClass.NONE;
import static dev.chorus.protocol.ReachabilityClass.PUBLIC;
import static dev.chorus.protocol.ReachabilityClass.PUNCHABLE;
import static dev.chorus.protocol.ReachabilityClass.REVERSAL_ONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.ConnectionPlan.Traversal;
import org.junit.jupiter.api.Test;

class ConnectionPlanTest {
  @Test
  void aHolderThatAcceptsConnectionsIsDialledByAnyone() {
    for (ReachabilityClass requester : ReachabilityClass.values()) {
      for (Traversal t : new Traversal[] {Traversal.NONE, Traversal.REVERSAL, Traversal.ALL}) {
        assertEquals(ConnectionPlan.DIAL, ConnectionPlan.of(requester, PUBLIC, t));
        assertEquals(ConnectionPlan.DIAL, ConnectionPlan.of(requester, MAPPED, t));
      }
    }
    assertEquals(0, ConnectionPlan.DIAL.extraRoundTrips());
  }

  @Test
  void aReachableRequesterReversesANattedHolderWhenReversalIsOn() {
    assertEquals(ConnectionPlan.REVERSAL, ConnectionPlan.of(PUBLIC, REVERSAL_ONLY, Traversal.REVERSAL));
    assertEquals(ConnectionPlan.REVERSAL, ConnectionPlan.of(MAPPED, PUNCHABLE, Traversal.ALL));
    assertEquals(ConnectionPlan.UNREACHABLE, ConnectionPlan.of(PUBLIC, REVERSAL_ONLY, Traversal.NONE));
    assertEquals(1, ConnectionPlan.REVERSAL.extraRoundTrips());
  }

  @Test
  void twoNattedNodesPunchOnlyWhenBothNatsKeepPortsAndPunchingIsOn() {
    assertEquals(ConnectionPlan.PUNCH, ConnectionPlan.of(PUNCHABLE, PUNCHABLE, Traversal.ALL));
    assertEquals(ConnectionPlan.UNREACHABLE, ConnectionPlan.of(PUNCHABLE, PUNCHABLE, Traversal.REVERSAL));
    assertEquals(ConnectionPlan.UNREACHABLE, ConnectionPlan.of(REVERSAL_ONLY, PUNCHABLE, Traversal.ALL));
    assertEquals(ConnectionPlan.UNREACHABLE, ConnectionPlan.of(PUNCHABLE, REVERSAL_ONLY, Traversal.ALL));
    assertEquals(2, ConnectionPlan.PUNCH.extraRoundTrips());
  }

  @Test
  void aHolderOutsideTraversalIsNeverReached() {
    for (ReachabilityClass requester : ReachabilityClass.values()) {
      assertEquals(ConnectionPlan.UNREACHABLE, ConnectionPlan.of(requester, NONE, Traversal.ALL));
    }
    assertFalse(ConnectionPlan.UNREACHABLE.connects());
    assertTrue(ConnectionPlan.REVERSAL.connects());
  }

  @Test
  void aRequesterOutsideTraversalDialsOnly() {
    assertEquals(ConnectionPlan.UNREACHABLE, ConnectionPlan.of(NONE, REVERSAL_ONLY, Traversal.ALL));
    assertEquals(ConnectionPlan.UNREACHABLE, ConnectionPlan.of(NONE, PUNCHABLE, Traversal.ALL));
  }

  @Test
  void aHolderWithAListenPortIsDialledAndOneWithoutNeedsReversal() {
    assertEquals(PUBLIC, ConnectionPlan.holderClass(7401));
    assertEquals(REVERSAL_ONLY, ConnectionPlan.holderClass(Reachability.NO_INCOMING));
  }

  @Test
  void aHolderWithoutAListenPortIsPunchableOnlyToAPunchableRequester() {
    assertEquals(PUNCHABLE, ConnectionPlan.holderClass(Reachability.NO_INCOMING, PUNCHABLE));
    assertEquals(REVERSAL_ONLY, ConnectionPlan.holderClass(Reachability.NO_INCOMING, PUBLIC));
    assertEquals(REVERSAL_ONLY, ConnectionPlan.holderClass(Reachability.NO_INCOMING, REVERSAL_ONLY));
    assertEquals(PUBLIC, ConnectionPlan.holderClass(7401, PUNCHABLE));
    assertEquals(ConnectionPlan.PUNCH,
        ConnectionPlan.of(PUNCHABLE, ConnectionPlan.holderClass(Reachability.NO_INCOMING, PUNCHABLE), Traversal.ALL));
  }
}
