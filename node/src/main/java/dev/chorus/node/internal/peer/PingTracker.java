package dev.chorus.node.internal.peer;

/**
 * The pings of one link awaiting their pongs: nonce and send time of the last few, so that a Pong
 * gives a round-trip time. Pure (the caller passes the time); used from the link's event loop only.
 * A pong whose nonce is unknown (too old, never sent) is ignored: it costs nothing and proves nothing.
 */
final class PingTracker {
  /** Pings remembered; an older one's pong no longer counts. */
  static final int OUTSTANDING = 4;

  private final long[] nonces = new long[OUTSTANDING];
  private final long[] sentAt = new long[OUTSTANDING];
  private final boolean[] used = new boolean[OUTSTANDING];
  private long nextNonce;
  private int next;

  PingTracker(long firstNonce) {
    this.nextNonce = firstNonce;
  }

  /** Records a ping sent at {@code nowNanos}; returns its nonce. */
  long sent(long nowNanos) {
    long nonce = nextNonce++;
    nonces[next] = nonce;
    sentAt[next] = nowNanos;
    used[next] = true;
    next = (next + 1) % OUTSTANDING;
    return nonce;
  }

  /** The RTT of the ping {@code nonce} answered at {@code nowNanos}, or -1 if it is not one of ours. */
  long answered(long nonce, long nowNanos) {
    for (int i = 0; i < OUTSTANDING; i++) {
      if (used[i] && nonces[i] == nonce) {
        used[i] = false;
        return Math.max(0, nowNanos - sentAt[i]);
      }
    }
    return -1;
  }
}
