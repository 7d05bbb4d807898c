package dev.chorus.node.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers recently seen overlay queries, so that a query reaching this node twice (the overlay
 * has cycles) is handled once, and so that answers travel back the way the query came. Bounded:
 * the oldest entries are forgotten first.
 */
final class OverlayRouter {
  /** Where answers to a query go: {@code from} null means the query is this node's own. */
  record Route(NodeId from, TrackId trackId) {}

  private final Map<Long, Route> seen;

  OverlayRouter(int capacity) {
    this.seen = new LinkedHashMap<>(16, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Route> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Records a query; false if its id was seen already (then it must be dropped). */
  boolean firstSight(long queryId, NodeId from, TrackId trackId) {
    if (seen.containsKey(queryId)) {
      return false;
    }
    seen.put(queryId, new Route(from, trackId));
    return true;
  }

  /** The route of a query, or null if unknown or forgotten. */
  Route route(long queryId) {
    return seen.get(queryId);
  }
}
