package dev.chorus.simulator.network;

/**
 * TCP slow start on a connection that is new or has been idle (RFC 5681 §4.1; Linux's default
 * {@code tcp_slow_start_after_idle}): the sender's window starts at the initial window and doubles
 * every round trip until the flow reaches its rate. The flow network moves bytes at the flow's rate
 * from the first byte; this gives the time that costs on top, which the driver adds before a
 * transfer's data starts to flow.
 *
 * <p>Error: the rate the window has to reach is the bottleneck of the two access links, an upper
 * bound on the max-min share the flow gets (a smaller share is reached sooner, so the delay is
 * overestimated when links are shared); losses, delayed ACKs and the receiver's window are not
 * modelled; a transfer's chunks are sent as one stream for this purpose.
 */
public final class SlowStart {
  private final long initialWindowBytes;

  /** {@code initialWindowBytes} 0 turns slow start off (no extra time). */
  public SlowStart(long initialWindowBytes) {
    if (initialWindowBytes < 0) {
      throw new IllegalArgumentException("initial window must be >= 0, got " + initialWindowBytes);
    }
    this.initialWindowBytes = initialWindowBytes;
  }

  /**
   * Extra nanoseconds to deliver {@code bytes} from a cold window at up to {@code rate} bytes/s
   * over a round trip of {@code rttNanos}, compared with sending at {@code rate} from the start.
   */
  public long extraNanos(long bytes, double rate, long rttNanos) {
    if (initialWindowBytes == 0 || bytes <= 0 || rttNanos <= 0 || !(rate > 0)
        || Double.isInfinite(rate)) {
      return 0;
    }
    double rtt = rttNanos / 1e9;
    double full = rate * rtt; // the window at which the flow runs at its rate
    double window = initialWindowBytes;
    double sent = 0;
    double time = 0;
    while (window < full) {
      if (sent + window >= bytes) {
        time += rtt; // the last partial round still costs a round trip
        return Math.max(0, (long) ((time - bytes / rate) * 1e9));
      }
      sent += window;
      time += rtt;
      window *= 2;
    }
    time += (bytes - sent) / rate;
    return Math.max(0, (long) ((time - bytes / rate) * 1e9));
  }
}
