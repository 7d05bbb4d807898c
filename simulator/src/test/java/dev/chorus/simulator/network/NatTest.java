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
  void connectionNeedsOneSideThatAcceptsIncoming() {
    Nat nat = Nat.generate(200, 200, 0.5, new SplittableRandom(2));
    int open = -1;
    int closed1 = -1;
    int closed2 = -1;
    for (int h = 0; h < 200; h++) {
      if (nat.acceptsIncoming(h)) {
        open = open < 0 ? h : open;
      } else if (closed1 < 0) {
        closed1 = h;
      } else if (closed2 < 0) {
        closed2 = h;
      }
    }
    assertTrue(nat.canConnect(closed1, open), "dial out to an open peer");
    assertTrue(nat.canConnect(open, closed1), "connection reversal via the tracker");
    assertFalse(nat.canConnect(closed1, closed2), "two closed peers cannot talk");
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
