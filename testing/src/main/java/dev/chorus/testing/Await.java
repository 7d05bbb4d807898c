package dev.chorus.testing;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting in tests for what happens on other threads, with a bound that only stops a hung build:
 * past it the test fails with an {@link AssertionError} that says what did not happen.
 */
public final class Await {
  /** The bound of {@link #until(BooleanSupplier, String)}. */
  public static final Duration BOUND = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(20);

  private Await() {}

  /**
   * Polls {@code condition} every 20 ms until it is true; after {@link #BOUND} the test fails with
   * "timed out waiting until {@code what}".
   */
  public static void until(BooleanSupplier condition, String what) throws InterruptedException {
    until(condition, BOUND, POLL, () -> "timed out waiting until " + what);
  }

  /**
   * Polls {@code condition} every {@code interval} until it is true.
   *
   * @param failure the message after {@code timeout} (computed then, so it can show the state)
   */
  public static void until(BooleanSupplier condition, Duration timeout, Duration interval, Supplier<String> failure)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(failure.get());
      }
      Thread.sleep(interval.toMillis());
    }
  }

  /**
   * Takes elements of {@code queue} until one matches {@code which}, skipping others, and returns
   * it.
   *
   * @param failure the message when none came within {@code timeout}
   */
  public static <T> T next(BlockingQueue<T> queue, Predicate<? super T> which, Duration timeout,
      Supplier<String> failure) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T t = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (t == null) {
        throw new AssertionError(failure.get());
      }
      if (which.test(t)) {
        return t;
      }
    }
  }
}
