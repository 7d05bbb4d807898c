package dev.chorus.protocol;

import java.util.Objects;

/**
 * The rule that says how a requester gets a connection to a holder, given both nodes' {@link
 * ReachabilityClass}es and the traversal the requester may use: the one place that decides it for
 * the tracker (which holders a lookup may return), the node (what it does with a holder) and the
 * simulator (which connections exist and what they cost). Pure.
 *
 * <p>The ladder, cheapest first: dial a holder that accepts connections; else, if the requester
 * accepts connections, have the holder dial the requester (connection reversal, relayed by the
 * tracker); else, if both sit behind NATs that keep ports, a simultaneous open (hole punching);
 * else the holder cannot be used.
 */
public enum ConnectionPlan {
  /** Connect to the holder's address. */
  DIAL(0),
  /**
   * Ask the tracker to have the holder connect to the requester. One extra round trip: the
   * request reaches the holder through the tracker (requester → tracker → holder) before the
   * holder's connection, which costs what the requester's own dial would have cost.
   */
  REVERSAL(1),
  /**
   * Ask the tracker to have both sides dial each other at an agreed time. Two extra round trips:
   * the tracker's relay to both, and the wait for the agreed start, which must cover the slower
   * of the two tracker paths.
   */
  PUNCH(2),
  /** No way to connect; look elsewhere (other holders, the CDN). */
  UNREACHABLE(0);

  private final int extraRoundTrips;

  ConnectionPlan(int extraRoundTrips) {
    this.extraRoundTrips = extraRoundTrips;
  }

  /** Round trips this plan costs beyond those of a direct dial (0 for {@link #UNREACHABLE}). */
  public int extraRoundTrips() {
    return extraRoundTrips;
  }

  /** Whether the plan yields a connection (if the network lets it). */
  public boolean connects() {
    return this != UNREACHABLE;
  }

  /** Which traversal a node may use. */
  public record Traversal(boolean reversal, boolean punching) {
    /** Dial only: the product before traversal, and a node with traversal switched off. */
    public static final Traversal NONE = new Traversal(false, false);
    /** Reversal, no punching: what the product does today. */
    public static final Traversal REVERSAL = new Traversal(true, false);
    /** Everything. */
    public static final Traversal ALL = new Traversal(true, true);
  }

  /**
   * How {@code requester} connects to {@code holder}.
   *
   * @param traversal what the requester (and its tracker) may use
   */
  public static ConnectionPlan of(ReachabilityClass requester, ReachabilityClass holder, Traversal traversal) {
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(traversal, "traversal");
    if (holder.acceptsIncoming()) {
      return DIAL;
    }
    if (!holder.reversible()) {
      return UNREACHABLE;
    }
    if (requester.acceptsIncoming()) {
      return traversal.reversal() ? REVERSAL : UNREACHABLE;
    }
    if (traversal.punching() && requester == ReachabilityClass.PUNCHABLE && holder == ReachabilityClass.PUNCHABLE) {
      return PUNCH;
    }
    return UNREACHABLE;
  }

  /**
   * The class of a holder as a lookup answer or overlay contact shows it: a listen port means it
   * accepts connections (public or mapped: the same to a requester), port {@link
   * Reachability#NO_INCOMING} that only reversal reaches it (the tracker returns such holders only
   * to requesters that can use them).
   */
  public static ReachabilityClass holderClass(int port) {
    return Reachability.acceptsIncoming(port) ? ReachabilityClass.PUBLIC : ReachabilityClass.REVERSAL_ONLY;
  }

  /**
   * As {@link #holderClass(int)}, for a holder that {@code requester} learnt of from the tracker.
   * A holder with port 0 comes only from the tracker (overlay answers never name one), and the
   * tracker returns one to a {@link ReachabilityClass#PUNCHABLE} requester only when the holder
   * is punchable too ({@code LookupPolicy}); to any other requester the difference does not matter.
   */
  public static ReachabilityClass holderClass(int port, ReachabilityClass requester) {
    ReachabilityClass c = holderClass(port);
    return c == ReachabilityClass.REVERSAL_ONLY && requester == ReachabilityClass.PUNCHABLE ? ReachabilityClass.PUNCHABLE : c;
  }
}
