package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers recently seen overlay queries, so that a query reaching this node twice (the overlay
 * has cycles) is handled once, and so that answers travel back the way the query came.
 *
 * <p>Bounded twice: entries older than {@link #MEMORY_NANOS} are forgotten (a query and its
 * answers cross a two-hop overlay in well under a second; ten seconds covers slow links), and at
 * most {@code capacity} entries are kept. Forgetting by age keeps the usual size at the query rate
 * times ten seconds instead of the capacity; the simulator, which runs a core per peer, found the
 * full tables to be most of a peer's memory.
 */
final class OverlayRouter {
  static final long MEMORY_NANOS = 10_000_000_000L;

  /** Where answers to a query go: {@code from} null means the query is this node's own. */
  record Route(NodeId from, TrackId trackId, long seenAtNanos) {}

  private final int capacity;
  private final LinkedHashMap<Long, Route> seen = new LinkedHashMap<>();

  OverlayRouter(int capacity) {
    this.capacity = capacity;
  }

  /** Records a query; false if its id was seen already (then it must be dropped). */
  boolean firstSight(long queryId, NodeId from, TrackId trackId, long nowNanos) {
    forget(nowNanos);
    if (seen.containsKey(queryId)) {
      return false;
    }
    seen.put(queryId, new Route(from, trackId, nowNanos));
    if (seen.size() > capacity) {
      Iterator<Route> oldest = seen.values().iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  /** The route of a query, or null if unknown or forgotten. */
  Route route(long queryId, long nowNanos) {
    forget(nowNanos);
    return seen.get(queryId);
  }

  int size() {
    return seen.size();
  }

  // Entries are in insertion order, which is time order: the expired ones are a prefix.
  private void forget(long nowNanos) {
    for (Iterator<Map.Entry<Long, Route>> it = seen.entrySet().iterator(); it.hasNext(); ) {
      if (nowNanos - it.next().getValue().seenAtNanos() < MEMORY_NANOS) {
        return;
      }
      it.remove();
    }
  }
}
