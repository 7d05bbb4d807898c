package dev.chorus.node.internal.peer;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.wire.ErrorCode;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the node's runtime needs of the peer network: the narrow side of {@link PeerNetwork}, so
 * that the runtime can be tested against a scripted fake.
 */
public interface PeerConnections {
  /** A link to the node holding {@code expectedStaticKey} at {@code address}; see {@link PeerNetwork#connect}. */
  CompletableFuture<PeerLink> connect(InetSocketAddress address, byte[] expectedStaticKey);

  /** Closes any link to the node and refuses it for the ban duration. */
  void ban(NodeId node, ErrorCode reason, String detail);

  /** The connected link to {@code node}, if any. */
  Optional<PeerLink> link(NodeId node);

  /** The connected links, a snapshot. */
  Collection<PeerLink> links();
}
