package dev.chorus.simulator.network;

import java.util.SplittableRandom;

/**
 * Which hosts accept incoming connections. A configurable share of peers is behind a NAT or
 * firewall and accepts none; they can still connect out.
 *
 * <p>What follows from it is the product's rule, not this model's: a peer that accepts nothing
 * announces listen port 0, so the tracker does not index it and nobody dials it ({@link
 * dev.chorus.protocol.Reachability}); it can still dial out, and a connection, once open, carries
 * data both ways. The CDN always accepts.
 *
 * <p>One bit a host.
 */
public final class Nat {
  private final long[] closed;
  private final int hosts;

  private Nat(int hosts) {
    this.hosts = hosts;
    this.closed = new long[(hosts + 63) >>> 6];
  }

  /**
   * Marks each of the {@code peers} peers (hosts {@code 0..peers-1}) closed with probability
   * {@code natShare}; hosts {@code peers..hosts-1} (the CDN) accept incoming connections.
   */
  public static Nat generate(int hosts, int peers, double natShare, SplittableRandom rnd) {
    if (!(natShare >= 0 && natShare <= 1)) {
      throw new IllegalArgumentException("network.natShare must be in [0, 1], got " + natShare);
    }
    if (peers < 0 || peers > hosts) {
      throw new IllegalArgumentException("peers must be in [0, " + hosts + "], got " + peers);
    }
    Nat n = new Nat(hosts);
    for (int h = 0; h < peers; h++) {
      if (rnd.nextDouble() < natShare) {
        n.closed[h >>> 6] |= 1L << h;
      }
    }
    return n;
  }

  /** All hosts accept incoming connections. */
  public static Nat open(int hosts) {
    return new Nat(hosts);
  }

  /** Whether the host accepts incoming connections. */
  public boolean acceptsIncoming(int host) {
    if (host < 0 || host >= hosts) {
      throw new IllegalArgumentException("host " + host + " out of range [0, " + hosts + ")");
    }
    return (closed[host >>> 6] & (1L << host)) == 0;
  }

  /** Hosts that accept no incoming connections. */
  public int closedCount() {
    int c = 0;
    for (long w : closed) {
      c += Long.bitCount(w);
    }
    return c;
  }
}
