package dev.chorus.protocol.limits;

/**
 * Token bucket rate limiter, pure: time comes in as {@code nowNanos}. Holds up to {@code burst}
 * tokens, refilled at {@code ratePerSecond}. Not thread-safe; each owner (a tracker connection, a
 * node's tracker client) uses its own from one thread.
 */
public final class TokenBucket {
  private final double tokensPerNano;
  private final double burst;
  private double tokens;
  private long lastNanos;

  /**
   * A full bucket at {@code nowNanos}.
   *
   * @throws IllegalArgumentException unless {@code ratePerSecond > 0} and {@code burst >= 1}
   */
  public TokenBucket(double ratePerSecond, int burst, long nowNanos) {
    if (!(ratePerSecond > 0) || burst < 1) {
      throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
    }
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /** Takes one token if there is one. */
  public boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
      lastNanos = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
