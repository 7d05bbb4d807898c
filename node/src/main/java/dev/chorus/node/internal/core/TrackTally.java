package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
import java.util.HashMap;
import java.util.Map;

/**
 * How many neighbours have a holding (complete or partial) of each track. Overlay queries arrive
 * far more often than holdings change, and most ask about a track no neighbour holds; the tally
 * lets such a query skip the scan of every neighbour's holdings. Same answers, same order.
 */
final class TrackTally {
  private final Map<TrackId, int[]> counts = new HashMap<>();

  void add(TrackId track) {
    int[] c = counts.get(track);
    if (c == null) {
      counts.put(track, new int[] {1});
    } else {
      c[0]++;
    }
  }

  void remove(TrackId track) {
    int[] c = counts.get(track);
    if (c != null && --c[0] <= 0) {
      counts.remove(track);
    }
  }

  boolean any(TrackId track) {
    return counts.containsKey(track);
  }
}
