package dev.chorus.node.internal.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PingTrackerTest {
  @Test
  void aPongGivesTheTimeSinceItsPing() {
    PingTracker pings = new PingTracker(100);
    long first = pings.sent(1_000);
    long second = pings.sent(1_500);
    assertEquals(100, first);
    assertEquals(101, second);
    assertEquals(2_000, pings.answered(second, 3_500));
    assertEquals(3_000, pings.answered(first, 4_000));
  }

  @Test
  void unknownRepeatedAndForgottenNoncesCountForNothing() {
    PingTracker pings = new PingTracker(-1);
    long nonce = pings.sent(10);
    assertEquals(-1, pings.answered(nonce + 1000, 20));
    assertEquals(10, pings.answered(nonce, 20));
    assertEquals(-1, pings.answered(nonce, 30), "a pong counts once");

    long old = pings.sent(40);
    for (int i = 0; i < PingTracker.OUTSTANDING; i++) {
      pings.sent(50);
    }
    assertEquals(-1, pings.answered(old, 60), "only the last few pings are remembered");
  }
}
