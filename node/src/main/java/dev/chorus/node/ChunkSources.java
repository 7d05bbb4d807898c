package dev.chorus.node;

import dev.chorus.node.internal.core.Source;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which peer (or the CDN) each fetched chunk of the last few tracks came from, for the node's page:
 * the {@link PlayedBytesLedger} says whether a chunk counts as from the cache, a peer or the CDN for
 * a play, this says which peer. Forgotten like the ledger's records: opening a play of a track
 * forgets every other track. Thread-safe.
 */
final class ChunkSources {
  static final int REMEMBERED_TRACKS = PlayedBytesLedger.REMEMBERED_TRACKS;
  /** The CDN, in {@link Track#from}. */
  static final NodeId CDN = null;

  /** Per track: for each chunk index, the peer it came from, {@link #CDN}, or not fetched. */
  private final Map<TrackId, Track> tracks = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<TrackId, Track> eldest) {
      return size() > REMEMBERED_TRACKS;
    }
  };

  /** The fetched chunks of one track. */
  static final class Track {
    private boolean[] fetched = new boolean[16];
    private NodeId[] from = new NodeId[16];

    private void put(int index, NodeId peer) {
      if (index >= fetched.length) {
        int n = Math.max(index + 1, 2 * fetched.length);
        fetched = Arrays.copyOf(fetched, n);
        from = Arrays.copyOf(from, n);
      }
      fetched[index] = true;
      from[index] = peer;
    }

    boolean fetched(int index) {
      return index < fetched.length && fetched[index];
    }

    /** The peer chunk {@code index} came from, or {@link #CDN}. */
    NodeId from(int index) {
      return from[index];
    }

    private Track copy() {
      Track t = new Track();
      t.fetched = fetched.clone();
      t.from = from.clone();
      return t;
    }
  }

  /** A verified chunk the node did not hold arrived from {@code source} ({@code peer} for a peer). */
  synchronized void fetched(TrackId track, int index, Source source, NodeId peer) {
    tracks.computeIfAbsent(track, t -> new Track()).put(index, source == Source.PEER ? peer : CDN);
  }

  /** A play of {@code track} begins: records of other tracks are forgotten (their chunks are cache now). */
  synchronized void playing(TrackId track) {
    tracks.keySet().removeIf(t -> !t.equals(track));
  }

  /** A copy of the records of {@code track} (empty if none). */
  synchronized Track of(TrackId track) {
    Track t = tracks.get(track);
    return t == null ? new Track() : t.copy();
  }
}
