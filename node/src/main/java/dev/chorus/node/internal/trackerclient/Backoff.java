package dev.chorus.node.internal.trackerclient;

import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential with full jitter (a delay drawn uniformly from {@code [0, cap]},
 * the cap doubling from the initial backoff up to the maximum), reset after a good connection. A
 * tracker that sends us away ({@link #atMax()}) gets a delay in {@code [max/2, max]} and the cap
 * stays at the maximum. Not thread-safe; used from the client's event loop.
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final RandomGenerator random;
  private int attempts;

  Backoff(long initialMillis, long maxMillis, RandomGenerator random) {
    if (initialMillis < 1 || maxMillis < initialMillis) {
      throw new IllegalArgumentException("backoff " + initialMillis + ".." + maxMillis + " ms");
    }
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
    this.random = random;
  }

  /** The cap for the next attempt. */
  long cap() {
    long cap = initialMillis;
    for (int i = 0; i < attempts && cap < maxMillis; i++) {
      cap *= 2;
    }
    return Math.min(cap, maxMillis);
  }

  /** The delay before the next attempt, in {@code [0, cap()]}; raises the cap. */
  long next() {
    long delay = random.nextLong(cap() + 1);
    if (cap() < maxMillis) {
      attempts++;
    }
    return delay;
  }

  /** A delay in {@code [max/2, max]} for a tracker that sent us away; the cap goes to the maximum. */
  long atMax() {
    while (cap() < maxMillis) {
      attempts++;
    }
    long half = maxMillis / 2;
    return half + random.nextLong(maxMillis - half + 1);
  }

  /** After a connection that got its full announce out: start again from the initial backoff. */
  void reset() {
    attempts = 0;
  }
}
