package dev.chorus.node.internal.peer;

import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PeerMessage;

/**
 * What the peer network reports to the node runtime. Every method has a no-op default.
 *
 * <p>Callbacks for a link run on that link's Netty event loop, in order: {@code connected}, then
 * any number of {@code message}, {@code rttMeasured} and {@code writabilityChanged}, then exactly
 * one {@code disconnected}. <b>Implementations must not block</b>: they hold up every connection
 * on that event loop. Hand work to the thread that owns the swarm core through a queue.
 */
public interface PeerNetworkListener {
  /** Both Hellos are exchanged; the link is usable and listed in {@link PeerNetwork#links()}. */
  default void connected(PeerLink link) {}

  /**
   * A validated message from a connected peer: anything but Hello, Goodbye, Ping and Pong, which
   * the network handles itself. Invalid messages never get here (the link is closed instead).
   */
  default void message(PeerLink link, PeerMessage message) {}

  /** A Pong answered one of our Pings: the round-trip time and the peer's current coordinate. */
  default void rttMeasured(PeerLink link, long rttNanos, VivaldiCoordinate remote) {}

  /** The link's outbound buffer crossed a water mark (or the upload cap is holding it back). */
  default void writabilityChanged(PeerLink link, boolean writable) {}

  /**
   * The link has ended, whoever ended it. {@code reason} is the code of the Goodbye that ended it
   * (ours or the peer's), or {@code NONE} when the connection ended without one (reset, lost).
   * Requests in flight on it will not be answered.
   */
  default void disconnected(PeerLink link, ErrorCode reason) {}
}
