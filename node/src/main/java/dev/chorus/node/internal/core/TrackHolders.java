package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * For each track, the neighbours that say they hold something of it (complete or partial): the
 * track→holders index. Overlay queries and the scheduler ask "which neighbours hold this track"
 * far more often than holdings change, so a question costs one map lookup and a walk over the
 * holders instead of a scan of every neighbour's holdings.
 *
 * <p>A neighbour is listed from the moment it says it holds something of the track until it says
 * it holds nothing (a complete holding forgotten) or leaves; a partial holding whose chunks were
 * all forgotten stays listed, so the list is a superset of the neighbours that hold a chunk and
 * callers still ask each listed neighbour. The order within a list means nothing ({@link
 * Neighbourhood#holdersInOrder} restores the neighbours' order where a decision depends on it).
 * Each list is an exactly sized array: most tracks have one or two holders among a node's
 * neighbours, and holdings change far less often than they are asked about.
 */
final class TrackHolders {
  private static final Neighbour[] NONE = new Neighbour[0];

  private final Map<TrackId, Neighbour[]> holders = new HashMap<>();

  void add(TrackId track, Neighbour n) {
    Neighbour[] a = holders.get(track);
    if (a == null) {
      holders.put(track, new Neighbour[] {n});
    } else {
      Neighbour[] b = Arrays.copyOf(a, a.length + 1);
      b[a.length] = n;
      holders.put(track, b);
    }
  }

  void remove(TrackId track, Neighbour n) {
    Neighbour[] a = holders.get(track);
    if (a == null) {
      return;
    }
    for (int i = 0; i < a.length; i++) {
      if (a[i] == n) {
        if (a.length == 1) {
          holders.remove(track);
        } else {
          Neighbour[] b = new Neighbour[a.length - 1];
          System.arraycopy(a, 0, b, 0, i);
          System.arraycopy(a, i + 1, b, i, a.length - i - 1);
          holders.put(track, b);
        }
        return;
      }
    }
  }

  boolean any(TrackId track) {
    return holders.containsKey(track);
  }

  /** The neighbours listed for the track, in no particular order (not to be modified); empty for none. */
  Neighbour[] of(TrackId track) {
    Neighbour[] a = holders.get(track);
    return a == null ? NONE : a;
  }
}
