package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.tracker.AbuseGuard.Admission;
import org.junit.jupiter.api.Test;

class AbuseGuardTest {
  private static final long MINUTE = 60_000_000_000L;
  private final AbuseGuard guard = new AbuseGuard(2, 3, 10 * MINUTE, 15 * MINUTE, 4);

  @Test
  void connectionsPerIpAreCappedAndReleased() {
    assertEquals(Admission.ADMIT, guard.admit("10.0.0.1/32", 0));
    assertEquals(Admission.ADMIT, guard.admit("10.0.0.1/32", 0));
    assertEquals(Admission.TOO_MANY_CONNECTIONS, guard.admit("10.0.0.1/32", 0));
    assertEquals(Admission.ADMIT, guard.admit("10.0.0.2/32", 0), "other addresses are unaffected");
    guard.release("10.0.0.1/32");
    assertEquals(Admission.ADMIT, guard.admit("10.0.0.1/32", 0));
  }

  @Test
  void connectionsAreCountedPerNetworkPrefix() {
    assertEquals(Admission.ADMIT, guard.admit("fd00:0:0:0::/64", 0));
    assertEquals(Admission.ADMIT, guard.admit("fd00:0:0:0::/64", 0));
    assertEquals(Admission.TOO_MANY_CONNECTIONS, guard.admit("fd00:0:0:0::/64", 0),
        "a third address of the same /64 is over the cap of 2");
    assertEquals(Admission.ADMIT, guard.admit("fd00:0:0:1::/64", 0));
    guard.release("fd00:0:0:0::/64");
    assertEquals(Admission.ADMIT, guard.admit("fd00:0:0:0::/64", 0));
  }

  @Test
  void aBanCoversTheWholeNetwork() {
    for (int i = 0; i < 3; i++) {
      guard.violation("fd00:0:0:0::/64", i * MINUTE);
    }
    assertEquals(Admission.BANNED, guard.admit("fd00:0:0:0::/64", 3 * MINUTE),
        "every address of the /64 maps to this network, so none escapes the ban");
    assertEquals(Admission.ADMIT, guard.admit("fd00:0:0:1::/64", 3 * MINUTE));
  }

  @Test
  void violationsWithinTheWindowBan() {
    assertFalse(guard.violation("10.0.0.1/32", 0));
    assertFalse(guard.violation("10.0.0.1/32", MINUTE));
    assertTrue(guard.violation("10.0.0.1/32", 2 * MINUTE));
    assertEquals(Admission.BANNED, guard.admit("10.0.0.1/32", 3 * MINUTE));
    assertEquals(Admission.ADMIT, guard.admit("10.0.0.2/32", 3 * MINUTE));
  }

  @Test
  void violationsSpreadWiderThanTheWindowDoNotBan() {
    assertFalse(guard.violation("10.0.0.1/32", 0));
    assertFalse(guard.violation("10.0.0.1/32", 6 * MINUTE));
    assertFalse(guard.violation("10.0.0.1/32", 12 * MINUTE), "the first one fell out of the window");
    assertEquals(Admission.ADMIT, guard.admit("10.0.0.1/32", 12 * MINUTE));
  }

  @Test
  void bansExpire() {
    guard.violation("10.0.0.1/32", 0);
    guard.violation("10.0.0.1/32", 0);
    assertTrue(guard.violation("10.0.0.1/32", 0));
    assertTrue(guard.isBanned("10.0.0.1/32", 14 * MINUTE));
    assertFalse(guard.isBanned("10.0.0.1/32", 15 * MINUTE));
    assertEquals(Admission.ADMIT, guard.admit("10.0.0.1/32", 15 * MINUTE));
    assertEquals(0, guard.bannedCount(15 * MINUTE));
  }

  @Test
  void trackedAddressesAreBounded() {
    for (int i = 0; i < 100; i++) {
      guard.violation("10.0.1." + i + "/32", 0);
    }
    // only a few addresses are remembered (4 here), so the oldest lost their count: a spray of
    // addresses cannot grow memory, at the price of forgetting some first violations
    assertEquals(4, guard.trackedAddresses());
    assertFalse(guard.violation("10.0.1.0/32", 0));
    assertFalse(guard.violation("10.0.1.0/32", 0), "10.0.1.0 was forgotten, so this is only its second");
  }
}
