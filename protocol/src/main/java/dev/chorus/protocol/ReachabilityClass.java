package dev.chorus.protocol;

/**
 * How a node can be reached, as far as the connection rule ({@link ConnectionPlan}) cares. The
 * tracker assigns a real node its class from what it observes (its {@code Hello}, the dial-back
 * probe and whether it takes part in traversal); the simulator takes it from the scenario.
 */
public enum ReachabilityClass {
  /** Accepts connections on a public address. */
  PUBLIC,
  /** Behind a NAT whose gateway forwards a mapped port to it (UPnP-IGD, NAT-PMP, PCP). */
  MAPPED,
  /**
   * Behind a NAT or firewall, but keeps a connection to a tracker that relays "connect to me"
   * requests to it: a reachable peer can have it dial out (connection reversal).
   */
  REVERSAL_ONLY,
  /**
   * As {@link #REVERSAL_ONLY}, behind a NAT that keeps a connection's source port, so that a TCP
   * simultaneous open with another such node can work. The tracker gives it to a node that
   * listens on a port it could not dial back and whose {@code Hello} lists {@link
   * Reachability#PUNCH_CAPABILITY}: whether the NAT keeps ports and lets a simultaneous open
   * through shows only when the punch is tried. The simulator takes it from the scenario.
   */
  PUNCHABLE,
  /** Accepts nothing and takes no part in traversal (an older node, or traversal switched off). */
  NONE;

  /** Whether a peer can dial this node directly. */
  public boolean acceptsIncoming() {
    return this == PUBLIC || this == MAPPED;
  }

  /** Whether this node can be asked, through its tracker, to dial out. */
  public boolean reversible() {
    return this == REVERSAL_ONLY || this == PUNCHABLE;
  }
}
