package dev.chorus.node.internal.inspect;

import dev.chorus.protocol.NodeId;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** What a running node shows of itself. Thread-safe; every answer is a snapshot. */
public interface NodeInspector {
  /**
   * The node's state now. The part only the swarm core knows (neighbours' measured rates) is asked
   * of the core on its own thread, so the answer comes later; the rest (which reads the cache) is
   * put together on {@code executor}, never on the core's thread. Fails if the node is closed.
   */
  CompletableFuture<NodeView> view(Executor executor);

  /** Chunk bytes exchanged with each peer since start (counted as they go; no core involved). */
  Map<NodeId, PeerBytes> peerTraffic();

  /** The origin base URIs the node was configured with (where a catalog's {@code index.json} is). */
  List<URI> origins();
}
