package dev.chorus.simulator.network;

import dev.chorus.protocol.ReachabilityClass;
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
  /** Closed hosts whose router answers a port-mapping request (UPnP-IGD, NAT-PMP or PCP). */
  private final long[] mappable;
  /** Closed hosts whose router lets a TCP simultaneous open through (keeps ports, drops unsolicited SYNs). */
  private final long[] punchable;
  private final int hosts;

  private Nat(int hosts) {
    this.hosts = hosts;
    this.closed = new long[(hosts + 63) >>> 6];
    this.mappable = new long[(hosts + 63) >>> 6];
    this.punchable = new long[(hosts + 63) >>> 6];
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

  /**
   * As {@link #generate(int, int, double, SplittableRandom)}, and marks each closed peer's router
   * as one that maps ports with probability {@code mappableShare}, drawn from a stream split off
   * after the NAT draws (so the NAT flags are the same whatever the mappable share).
   */
  public static Nat generate(int hosts, int peers, double natShare, double mappableShare, SplittableRandom rnd) {
    if (!(mappableShare >= 0 && mappableShare <= 1)) {
      throw new IllegalArgumentException("network.mappableShare must be in [0, 1], got " + mappableShare);
    }
    Nat n = generate(hosts, peers, natShare, rnd);
    SplittableRandom mapRnd = rnd.split();
    for (int h = 0; h < peers; h++) {
      if (!n.acceptsIncoming(h) && mapRnd.nextDouble() < mappableShare) {
        n.mappable[h >>> 6] |= 1L << h;
      }
    }
    return n;
  }

  /**
   * As above, and marks each closed peer's router as one that lets a TCP simultaneous open
   * through with probability {@code punchableShare}, drawn from a stream split off after the
   * mapping draws (so the NAT and mapping flags are the same whatever the punchable share).
   */
  public static Nat generate(int hosts, int peers, double natShare, double mappableShare, double punchableShare,
      SplittableRandom rnd) {
    if (!(punchableShare >= 0 && punchableShare <= 1)) {
      throw new IllegalArgumentException("network.punchableShare must be in [0, 1], got " + punchableShare);
    }
    Nat n = generate(hosts, peers, natShare, mappableShare, rnd);
    SplittableRandom punchRnd = rnd.split();
    for (int h = 0; h < peers; h++) {
      if (!n.acceptsIncoming(h) && punchRnd.nextDouble() < punchableShare) {
        n.punchable[h >>> 6] |= 1L << h;
      }
    }
    return n;
  }

  /**
   * As {@link #reachability(int, boolean, boolean)}, for nodes that may also punch ({@code
   * node.punching}): a closed, unmapped host whose node takes part in reversal and punching is
   * {@link ReachabilityClass#PUNCHABLE}, as the tracker classes it: the tracker cannot know the
   * router's filtering, which shows only when a punch is tried ({@link #letsSimultaneousOpen}).
   */
  public ReachabilityClass reachability(int host, boolean portMapping, boolean reversal, boolean punching) {
    ReachabilityClass c = reachability(host, portMapping, reversal);
    return c == ReachabilityClass.REVERSAL_ONLY && punching ? ReachabilityClass.PUNCHABLE : c;
  }

  /** Whether the host's router lets a TCP simultaneous open through (always, for an open host). */
  public boolean letsSimultaneousOpen(int host) {
    return acceptsIncoming(host) || (punchable[host >>> 6] & (1L << host)) != 0;
  }

  /**
   * The host's class for the connection rule ({@link dev.chorus.protocol.ConnectionPlan}), given
   * what its node does, as a node's configuration says it: an open host is public; a closed one is
   * mapped if its node asks for a mapping ({@code node.portMapping auto}) and its router grants
   * one, else reversal-only if its node takes part in reversal ({@code node.reversal}), else none.
   */
  public ReachabilityClass reachability(int host, boolean portMapping, boolean reversal) {
    if (acceptsIncoming(host)) {
      return ReachabilityClass.PUBLIC;
    }
    if (portMapping && (mappable[host >>> 6] & (1L << host)) != 0) {
      return ReachabilityClass.MAPPED;
    }
    return reversal ? ReachabilityClass.REVERSAL_ONLY : ReachabilityClass.NONE;
  }

  /** Closed hosts whose router would map a port. */
  public int mappableCount() {
    int c = 0;
    for (long w : mappable) {
      c += Long.bitCount(w);
    }
    return c;
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
