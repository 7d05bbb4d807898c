package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayList;
import java.util.List;

/**
 * The tracks a node is fetching: the one playing, the one prefetched, and the one queued to be
 * prefetched when the current one nears its end. Every part of the core looks downloads up here,
 * always in the same order (current, then prefetch), which keeps the simulator deterministic.
 */
final class Downloads {
  /** The track being played, or null. */
  Download current;
  /** The track being prefetched, or null. */
  Download prefetch;
  /** The track to prefetch when the current one nears its end, or null. */
  TrackId next;

  /** The downloads in progress: current first, then prefetch. */
  List<Download> all() {
    List<Download> list = new ArrayList<>(2);
    if (current != null) {
      list.add(current);
    }
    if (prefetch != null) {
      list.add(prefetch);
    }
    return list;
  }

  /** The download of a track, or null if it is neither playing nor prefetched. */
  Download find(TrackId trackId) {
    if (current != null && current.trackId.equals(trackId)) {
      return current;
    }
    if (prefetch != null && prefetch.trackId.equals(trackId)) {
      return prefetch;
    }
    return null;
  }
}
