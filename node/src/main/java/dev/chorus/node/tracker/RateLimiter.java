package dev.chorus.node.tracker;

/** Token bucket: {@code perSecond} tokens a second up to {@code burst}. Not thread-safe. */
final class RateLimiter {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long lastNanos;

  RateLimiter(double perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * perNano);
      lastNanos = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
