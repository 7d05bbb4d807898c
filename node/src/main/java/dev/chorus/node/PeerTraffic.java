package dev.chorus.node;

import dev.chorus.node.internal.inspect.PeerBytes;
import dev.chorus.protocol.NodeId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Chunk bytes exchanged with each peer since start, for the node's page and the demo's view of
 * who serves whom. Thread-safe. One entry per peer ever exchanged with: bounded by the peers a
 * node meets, which the neighbour limits and the tracker's answers keep small.
 */
final class PeerTraffic {
  private final Map<NodeId, LongAdder> received = new ConcurrentHashMap<>();
  private final Map<NodeId, LongAdder> sent = new ConcurrentHashMap<>();

  void received(NodeId peer, long bytes) {
    received.computeIfAbsent(peer, p -> new LongAdder()).add(bytes);
  }

  void sent(NodeId peer, long bytes) {
    if (bytes > 0) {
      sent.computeIfAbsent(peer, p -> new LongAdder()).add(bytes);
    }
  }

  Map<NodeId, PeerBytes> snapshot() {
    Map<NodeId, PeerBytes> all = new HashMap<>();
    received.forEach((p, n) -> all.put(p, new PeerBytes(n.sum(), 0)));
    sent.forEach((p, n) -> all.merge(p, new PeerBytes(0, n.sum()),
        (a, b) -> new PeerBytes(a.received(), b.sent())));
    return all;
  }

  PeerBytes of(NodeId peer) {
    LongAdder r = received.get(peer);
    LongAdder s = sent.get(peer);
    return new PeerBytes(r == null ? 0 : r.sum(), s == null ? 0 : s.sum());
  }
}
