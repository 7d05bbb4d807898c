package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NatTest {

  @Test
  void shareOfPeersIsClosedAndTheCdnIsOpen() {
    int peers = 100_000;
    Nat nat = Nat.generate(peers + 1, peers, 0.35, new SplittableRandom(1));
    assertEquals(0.35, nat.closedCount() / (double) peers, 0.01);
    assertTrue(nat.acceptsIncoming(peers));
  }

  @Test
  void closedHostsAreTheOnesThatAcceptNothingAndTheCdnAlwaysAccepts() {
    Nat nat = Nat.generate(201, 200, 0.5, new SplittableRandom(2));
    int closed = 0;
    for (int h = 0; h < 200; h++) {
      closed += nat.acceptsIncoming(h) ? 0 : 1;
    }
    assertEquals(nat.closedCount(), closed);
    assertTrue(closed > 60 && closed < 140, "about half of 200 behind NAT, got " + closed);
    assertTrue(nat.acceptsIncoming(200), "the CDN host");
  }

  @Test
  void extremes() {
    Nat all = Nat.generate(10, 10, 1, new SplittableRandom(3));
    Nat none = Nat.generate(10, 10, 0, new SplittableRandom(3));
    assertEquals(10, all.closedCount());
    assertEquals(0, none.closedCount());
    assertEquals(0, Nat.open(10).closedCount());
    LatencyTest.assertKey("network.natShare", () -> Nat.generate(10, 10, 1.1, new SplittableRandom(0)));
  }
}
