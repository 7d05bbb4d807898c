package dev.chorus.node.internal.originclient;

import dev.chorus.node.internal.originclient.OriginException.Kind;
import java.util.random.RandomGenerator;

/**
 * The failover and backoff decisions of one request; a pure core (no I/O, no clock, no threads).
 *
 * <p>Attempt {@code n} goes to origin {@code (preferred + n) mod count}, skipping origins this
 * request has written off: those that answered something a retry there cannot fix (404, 403,
 * bad content). A failover to an origin the request has not tried yet goes at once; coming back
 * to an origin already tried waits a backoff with full jitter: uniform in {@code [0, min(max,
 * initial * 2^k)]} for the {@code k}-th such retry (AWS "exponential backoff and jitter"). A
 * request makes at most {@code max(maxAttempts, originCount)} attempts, so every origin gets one.
 *
 * <p>Not thread-safe: one request's attempts run one after another.
 */
final class RetryPlan {
  /** {@link #onFailure} result: no further attempt. */
  static final long GIVE_UP = -1;

  private final int originCount;
  private final int maxAttempts;
  private final long initialBackoffNanos;
  private final long maxBackoffNanos;
  private final RandomGenerator random;
  private final boolean[] tried;
  private final boolean[] writtenOff;
  private int origin;
  private int attempts = 1;
  private int backoffs;

  RetryPlan(int originCount, int preferred, int maxAttempts, long initialBackoffNanos,
      long maxBackoffNanos, RandomGenerator random) {
    if (originCount < 1 || preferred < 0 || preferred >= originCount || maxAttempts < 1
        || initialBackoffNanos <= 0 || maxBackoffNanos < initialBackoffNanos) {
      throw new IllegalArgumentException("bad retry plan: origins " + originCount + ", preferred "
          + preferred + ", attempts " + maxAttempts);
    }
    this.originCount = originCount;
    this.maxAttempts = Math.max(maxAttempts, originCount);
    this.initialBackoffNanos = initialBackoffNanos;
    this.maxBackoffNanos = maxBackoffNanos;
    this.random = random;
    this.tried = new boolean[originCount];
    this.writtenOff = new boolean[originCount];
    this.origin = preferred;
    this.tried[preferred] = true;
  }

  /** The origin of the current attempt. */
  int origin() {
    return origin;
  }

  /** Attempts made so far, the current one included (1 for the first). */
  int attempts() {
    return attempts;
  }

  /**
   * The current attempt failed with {@code kind}: moves to the next attempt ({@link #origin()}
   * changes if the request fails over) and returns how long to wait before it, in nanoseconds, or
   * {@link #GIVE_UP}.
   */
  long onFailure(Kind kind) {
    if (kind == Kind.CANCELLED) {
      return GIVE_UP;
    }
    if (!kind.retryableOnSameOrigin()) {
      writtenOff[origin] = true;
    }
    if (attempts >= maxAttempts) {
      return GIVE_UP;
    }
    int next = nextOrigin();
    if (next < 0) {
      return GIVE_UP;
    }
    origin = next;
    attempts++;
    if (!tried[next]) {
      tried[next] = true;
      return 0;
    }
    return jitter(backoffs++);
  }

  /** The first origin after the current one (the current one last) not written off, or -1. */
  private int nextOrigin() {
    for (int step = 1; step <= originCount; step++) {
      int candidate = (origin + step) % originCount;
      if (!writtenOff[candidate]) {
        return candidate;
      }
    }
    return -1;
  }

  private long jitter(int retry) {
    long cap = maxBackoffNanos;
    // initial * 2^retry, saturating at the max instead of overflowing.
    if (retry < 62 && initialBackoffNanos <= (maxBackoffNanos >> retry)) {
      cap = initialBackoffNanos << retry;
    }
    return random.nextLong(cap + 1);
  }
}
