package dev.chorus.protocol.limits;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void burstThenRefillAtTheRate() {
    TokenBucket bucket = new TokenBucket(2, 3, 0);
    assertTrue(bucket.tryTake(0));
    assertTrue(bucket.tryTake(0));
    assertTrue(bucket.tryTake(0));
    assertFalse(bucket.tryTake(0), "burst used up");
    assertFalse(bucket.tryTake(SECOND / 4), "half a token after 250 ms");
    assertTrue(bucket.tryTake(SECOND / 2), "one token after 500 ms");
    assertFalse(bucket.tryTake(SECOND / 2));
  }

  @Test
  void refillStopsAtTheBurst() {
    TokenBucket bucket = new TokenBucket(100, 2, 0);
    assertTrue(bucket.tryTake(0));
    assertTrue(bucket.tryTake(0));
    long later = 3600 * SECOND;
    assertTrue(bucket.tryTake(later));
    assertTrue(bucket.tryTake(later));
    assertFalse(bucket.tryTake(later), "an hour of silence buys only the burst");
  }

  @Test
  void clockGoingBackwardsGivesNothing() {
    TokenBucket bucket = new TokenBucket(1, 1, 10 * SECOND);
    assertTrue(bucket.tryTake(10 * SECOND));
    assertFalse(bucket.tryTake(5 * SECOND));
  }

  @Test
  void nonsenseSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, 0));
  }
}
