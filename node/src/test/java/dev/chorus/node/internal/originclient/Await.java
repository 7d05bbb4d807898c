package dev.chorus.node.internal.originclient;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for futures with a generous bound, so that a bug fails the test rather than hanging it. */
final class Await {
  private static final long BOUND_SECONDS = 30;

  private Await() {}

  static <T> T value(CompletableFuture<T> f) {
    try {
      return f.get(BOUND_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("request failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("request did not complete: " + e, e);
    }
  }

  static OriginException failure(CompletableFuture<?> f) {
    try {
      Object v = f.get(BOUND_SECONDS, TimeUnit.SECONDS);
      return fail("expected an OriginException, got " + v);
    } catch (ExecutionException e) {
      return assertInstanceOf(OriginException.class, e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("request did not complete: " + e, e);
    }
  }
}
