package dev.chorus.protocol;

/**
 * Who can be dialled, decided in one place for the tracker, the node and the simulator.
 *
 * <p>A node says in its {@code Hello} which port it accepts connections on; {@code 0} means it
 * accepts none (it is behind a NAT or firewall, or was started with {@code --no-incoming}). Such
 * a node can still connect out and download, but nobody can dial it: a node never dials a contact
 * with that port, and overlay answers never name it. Whether it is reached another way
 * (connection reversal through the tracker) is {@link ConnectionPlan}'s decision; a node takes
 * part in traversal by listing {@link #TRAVERSAL_CAPABILITY} in its {@code Hello} to the tracker,
 * and the tracker then indexes it even without a reachable port.
 */
public final class Reachability {
  /** The port value that says "accepts no incoming connections". */
  public static final int NO_INCOMING = 0;
  /**
   * The {@code Hello} capability of a node and a tracker that speak the traversal messages
   * ({@code ReachabilityReport}, {@code ReverseConnect}, {@code ConnectTo}).
   */
  public static final String TRAVERSAL_CAPABILITY = "reversal";
  /**
   * The {@code Hello} capability of a node and a tracker that also speak hole punching ({@code
   * PunchRequest}, {@code PunchWith}); listed together with {@link #TRAVERSAL_CAPABILITY}.
   */
  public static final String PUNCH_CAPABILITY = "punch";
  /** The largest TCP port. */
  public static final int MAX_PORT = 65_535;

  private Reachability() {}

  /** Whether a node that announced {@code listenPort} can be dialled. */
  public static boolean acceptsIncoming(int listenPort) {
    return listenPort > 0 && listenPort <= MAX_PORT;
  }

  /**
   * The listen port as the tracker and peers record it: a valid port, or {@link #NO_INCOMING} for
   * anything else (a wire {@code uint32} above 65535 is read as "no incoming").
   */
  public static int normalise(int listenPort) {
    return acceptsIncoming(listenPort) ? listenPort : NO_INCOMING;
  }
}
