package dev.chorus.node.internal.peer;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.wire.ErrorCode;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the node's runtime needs of the peer network: the narrow side of {@link PeerNetwork}, so
 * that the runtime can be tested against a scripted fake.
 */
public interface PeerConnections {
  /** A link to the node holding {@code expectedStaticKey} at {@code address}; see {@link PeerNetwork#connect}. */
  CompletableFuture<PeerLink> connect(InetSocketAddress address, byte[] expectedStaticKey);

  /**
   * A link that {@code node} itself opens (connection reversal): {@code ask} gets a callback to
   * end the wait early, with the reason, when the request is refused; the wait fails after {@code timeout}. The
   * link is admitted only if the handshake proves {@code node}'s key, as for any connection.
   */
  default CompletableFuture<PeerLink> awaitIncoming(NodeId node, Duration timeout,
      Consumer<Consumer<String>> ask) {
    return CompletableFuture.failedFuture(new PeerConnectException(node, ErrorCode.NONE,
        "this peer network takes no reversed connections", null));
  }

  /**
   * A link to {@code node} made by hole punching: as {@link #awaitIncoming}, where {@code ask}
   * asks the tracker to coordinate the punch, whose dials ({@link PeerNetwork#punch}) make the
   * link on both sides; the wait fails after {@code timeout}.
   */
  default CompletableFuture<PeerLink> awaitPunched(NodeId node, Duration timeout, Consumer<Consumer<String>> ask) {
    return CompletableFuture.failedFuture(new PeerConnectException(node, ErrorCode.NONE,
        "this peer network punches no holes", null));
  }

  /** Closes any link to the node and refuses it for the ban duration. */
  void ban(NodeId node, ErrorCode reason, String detail);

  /** The connected link to {@code node}, if any. */
  Optional<PeerLink> link(NodeId node);

  /** The connected links, a snapshot. */
  Collection<PeerLink> links();
}
