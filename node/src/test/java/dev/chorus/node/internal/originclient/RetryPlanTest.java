package dev.chorus.node.internal.originclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.originclient.OriginException.Kind;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPlanTest {
  static final long MS = 1_000_000;

  static RetryPlan plan(int origins, int preferred, int maxAttempts, long seed) {
    return new RetryPlan(origins, preferred, maxAttempts, 100 * MS, 2_000 * MS, new Random(seed));
  }

  @Test
  void retriesOneOriginWithDoublingFullJitterCappedAtTheMax() {
    RetryPlan p = plan(1, 0, 8, 5);
    Random r = new Random(5);
    long[] caps = {100, 200, 400, 800, 1600, 2000, 2000};
    for (long cap : caps) {
      long delay = p.onFailure(Kind.SERVER_ERROR);
      assertEquals(r.nextLong(cap * MS + 1), delay, "cap " + cap + " ms");
      assertEquals(0, p.origin());
    }
    assertEquals(8, p.attempts());
    assertEquals(RetryPlan.GIVE_UP, p.onFailure(Kind.SERVER_ERROR));
  }

  @Test
  void failsOverRoundRobinFromThePreferredOriginWithoutWaitingForUntriedOnes() {
    RetryPlan p = plan(3, 1, 5, 9);
    assertEquals(1, p.origin());
    assertEquals(0, p.onFailure(Kind.CONNECT_FAILED));
    assertEquals(2, p.origin());
    assertEquals(0, p.onFailure(Kind.TIMEOUT));
    assertEquals(0, p.origin());
    long delay = p.onFailure(Kind.SERVER_ERROR); // back to origin 1: tried already, so a backoff
    assertEquals(1, p.origin());
    assertEquals(new Random(9).nextLong(100 * MS + 1), delay);
    assertTrue(p.onFailure(Kind.SERVER_ERROR) >= 0);
    assertEquals(2, p.origin());
    assertEquals(5, p.attempts());
    assertEquals(RetryPlan.GIVE_UP, p.onFailure(Kind.SERVER_ERROR));
  }

  @Test
  void writesOffOriginsThatAnsweredWhatARetryCannotFix() {
    RetryPlan p = plan(3, 0, 10, 1);
    assertEquals(0, p.onFailure(Kind.NOT_FOUND));
    assertEquals(1, p.origin());
    assertEquals(0, p.onFailure(Kind.SERVER_ERROR));
    assertEquals(2, p.origin());
    assertTrue(p.onFailure(Kind.BAD_CONTENT) >= 0); // back to origin 1, tried: a backoff
    assertEquals(1, p.origin(), "origins 0 and 2 are written off");
    p.onFailure(Kind.SERVER_ERROR);
    assertEquals(1, p.origin(), "the only origin left is retried");
    assertEquals(RetryPlan.GIVE_UP, p.onFailure(Kind.CLIENT_ERROR));
  }

  @Test
  void everyOriginGetsAnAttemptWhateverMaxAttemptsSays() {
    RetryPlan p = plan(3, 2, 1, 1);
    assertEquals(0, p.onFailure(Kind.NOT_FOUND));
    assertEquals(0, p.onFailure(Kind.NOT_FOUND));
    assertEquals(1, p.origin());
    assertEquals(3, p.attempts());
    assertEquals(RetryPlan.GIVE_UP, p.onFailure(Kind.SERVER_ERROR));
  }

  @Test
  void notFoundOnTheOnlyOriginAndCancellationGiveUpAtOnce() {
    assertEquals(RetryPlan.GIVE_UP, plan(1, 0, 4, 1).onFailure(Kind.NOT_FOUND));
    assertEquals(RetryPlan.GIVE_UP, plan(1, 0, 4, 1).onFailure(Kind.BAD_CONTENT));
    assertEquals(RetryPlan.GIVE_UP, plan(3, 0, 4, 1).onFailure(Kind.CANCELLED));
  }

  @Test
  void backoffSaturatesInsteadOfOverflowing() {
    RetryPlan p = new RetryPlan(1, 0, 200, 1, Long.MAX_VALUE / 2, new Random(3));
    for (int i = 0; i < 150; i++) {
      assertTrue(p.onFailure(Kind.TIMEOUT) >= 0);
    }
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> plan(0, 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> plan(2, 2, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> plan(2, 0, 0, 1));
  }
}
