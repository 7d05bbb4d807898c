package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReachabilityTest {
  @Test
  void portsOneTo65535AcceptIncoming() {
    assertTrue(Reachability.acceptsIncoming(1));
    assertTrue(Reachability.acceptsIncoming(7401));
    assertTrue(Reachability.acceptsIncoming(65_535));
  }

  @Test
  void zeroNegativeAndOutOfRangeDoNot() {
    assertFalse(Reachability.acceptsIncoming(0));
    assertFalse(Reachability.acceptsIncoming(-1));
    assertFalse(Reachability.acceptsIncoming(65_536));
    assertFalse(Reachability.acceptsIncoming(Integer.MIN_VALUE)); // a uint32 above 2^31 read as int
  }

  @Test
  void normaliseKeepsValidPortsAndMapsTheRestToNoIncoming() {
    assertEquals(7401, Reachability.normalise(7401));
    assertEquals(Reachability.NO_INCOMING, Reachability.normalise(0));
    assertEquals(Reachability.NO_INCOMING, Reachability.normalise(70_000));
    assertEquals(Reachability.NO_INCOMING, Reachability.normalise(-5));
  }
}
