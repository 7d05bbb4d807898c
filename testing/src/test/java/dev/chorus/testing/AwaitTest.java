package dev.chorus.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void untilReturnsOnceTheConditionHolds() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    Await.until(() -> polls.incrementAndGet() >= 3, "three polls");
    assertEquals(3, polls.get());
  }

  @Test
  void untilFailsWithTheStateAtTheBound() {
    AtomicInteger polls = new AtomicInteger();
    AssertionError e = assertThrows(AssertionError.class, () -> Await.until(() -> polls.incrementAndGet() < 0,
        Duration.ofMillis(50), Duration.ofMillis(5), () -> "polled " + (polls.get() > 1 ? "often" : "once")));
    assertEquals("polled often", e.getMessage());
  }

  @Test
  void nextSkipsToTheFirstMatch() throws Exception {
    LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>(java.util.List.of(1, 2, 3, 4));
    assertEquals(3, Await.next(queue, i -> i > 2, Duration.ofSeconds(5), () -> "none"));
    assertEquals(4, queue.take());
    AssertionError e = assertThrows(AssertionError.class,
        () -> Await.next(queue, i -> true, Duration.ofMillis(20), () -> "nothing came"));
    assertEquals("nothing came", e.getMessage());
  }
}
