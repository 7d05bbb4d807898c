package dev.chorus.node.internal.inspect;

import dev.chorus.protocol.NodeId;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What a running node shows of itself. Thread-safe; every answer is a snapshot. */
public interface NodeInspector {
  /**
   * The node's state now. The part only the swarm core knows (neighbours' measured rates) is asked
   * of the core on its own thread, so the answer comes later; it fails if the node is closed.
   */
  CompletableFuture<NodeView> view();

  /** Chunk bytes exchanged with each peer since start (counted as they go; no core involved). */
  Map<NodeId, PeerBytes> peerTraffic();

  /** The origin base URIs the node was configured with (where a catalog's {@code index.json} is). */
  List<URI> origins();
}
