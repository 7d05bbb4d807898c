package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
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

  /** What {@link #all} returned last, and the current and prefetch it was made of. */
  private List<Download> all = List.of();
  private Download allCurrent;
  private Download allPrefetch;

  /**
   * The downloads in progress: current first, then prefetch. Unmodifiable; made again only when
   * they change (it is asked at nearly every event).
   */
  List<Download> all() {
    if (current != allCurrent || prefetch != allPrefetch) {
      allCurrent = current;
      allPrefetch = prefetch;
      if (current == null) {
        all = prefetch == null ? List.of() : List.of(prefetch);
      } else {
        all = prefetch == null ? List.of(current) : List.of(current, prefetch);
      }
    }
    return all;
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
