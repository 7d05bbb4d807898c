package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.wire.ErrorCode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void theCapDoublesFromTheInitialBackoffToTheMaximumAndEveryDelayIsJitteredUnderIt() {
    Backoff b = new Backoff(500, 30_000, new Random(1));
    long[] caps = {500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000};
    for (long cap : caps) {
      assertEquals(cap, b.cap());
      long d = b.next();
      assertTrue(d >= 0 && d <= cap, d + " within [0, " + cap + "]");
    }
  }

  @Test
  void fullJitterSpreadsOverTheWholeRange() {
    Backoff b = new Backoff(1000, 1000, new Random(2));
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 1000; i++) {
      long d = b.next();
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertTrue(min < 100 && max > 900, "spread " + min + ".." + max);
  }

  @Test
  void aResetStartsAgainFromTheInitialBackoff() {
    Backoff b = new Backoff(500, 30_000, new Random(3));
    for (int i = 0; i < 5; i++) {
      b.next();
    }
    b.reset();
    assertEquals(500, b.cap());
  }

  @Test
  void beingSentAwayWaitsAtLeastHalfTheMaximumAndKeepsTheCapThere() {
    Backoff b = new Backoff(500, 30_000, new Random(4));
    for (int i = 0; i < 100; i++) {
      long d = b.atMax();
      assertTrue(d >= 15_000 && d <= 30_000, String.valueOf(d));
    }
    assertEquals(30_000, b.cap());
  }

  @Test
  void refusalsAreTheCodesThatSendANodeAway() {
    for (ErrorCode c : new ErrorCode[] {ErrorCode.BANNED, ErrorCode.TOO_MANY_CONNECTIONS, ErrorCode.DUPLICATE_CONNECTION,
        ErrorCode.LIMIT_EXCEEDED, ErrorCode.RATE_LIMITED}) {
      assertTrue(TrackerClient.sentAway(c), c.toString());
    }
    for (ErrorCode c : new ErrorCode[] {ErrorCode.NONE, ErrorCode.SHUTTING_DOWN, ErrorCode.IDLE_TIMEOUT,
        ErrorCode.INTERNAL_ERROR, ErrorCode.AUTHENTICATION_FAILED}) {
      assertTrue(!TrackerClient.sentAway(c), c.toString());
    }
  }
}
