package dev.chorus.node.internal.peer;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.PeerMessage;
import java.net.InetSocketAddress;

/**
 * One authenticated, encrypted connection to another node, past the Hello exchange. There is at
 * most one link per remote identity. Every method may be called from any thread; writes from
 * other threads are handed to the link's event loop by Netty.
 */
public interface PeerLink {
  /** The remote node's id (SHA-256 of its static key). */
  default NodeId nodeId() {
    return identity().nodeId();
  }

  /** The remote node's authenticated identity. */
  PeerIdentity identity();

  /** The remote end of the TCP connection. */
  InetSocketAddress remoteAddress();

  /** The remote node's Hello: its listen port (0 = unreachable), coordinate and capabilities. */
  Hello remoteHello();

  /** True when this node dialled the connection, false when the peer did. */
  boolean initiatedLocally();

  /**
   * Writes and flushes {@code message}. Hello, Goodbye, Ping and Pong are the network's own and
   * are refused ({@link IllegalArgumentException}); use {@link #close} to say goodbye.
   *
   * @return false if the link is closed (nothing is sent)
   */
  boolean send(PeerMessage message);

  /**
   * Writes {@code message} without flushing, for runs of chunks: write them all, then {@link
   * #flush()} once. Same rules as {@link #send}.
   */
  boolean write(PeerMessage message);

  /**
   * Writes all {@code messages} and flushes, as one task on the connection's event loop (one
   * wake-up instead of one per message when called from another thread). Same rules as {@link
   * #send}; false if the link is closed.
   */
  default boolean sendAll(java.util.List<PeerMessage> messages) {
    boolean ok = true;
    for (PeerMessage m : messages) {
      ok &= write(m);
    }
    flush();
    return ok;
  }

  /** Flushes what {@link #write} queued. */
  void flush();

  /**
   * False while the outbound buffer is above its high water mark (or the upload cap delays it);
   * the sender should then hold further chunks until {@link PeerNetworkListener#writabilityChanged}.
   */
  boolean isWritable();

  /** Ends the link: a Goodbye with {@code reason} and {@code detail} (≤ 256 bytes), then close. */
  void close(ErrorCode reason, String detail);

  boolean isOpen();

  /** The latest measured round-trip time in nanoseconds, or -1 before the first Pong. */
  long rttNanos();

  /** The peer's coordinate as of its latest Hello, Ping or Pong (ORIGIN if invalid or absent). */
  VivaldiCoordinate remoteCoordinate();
}
