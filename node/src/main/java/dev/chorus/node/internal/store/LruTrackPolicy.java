package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's {@link TrackCachePolicy}: an access-ordered map from track to bytes held. Not
 * thread-safe: the chunk store drives it under its own lock.
 */
public final class LruTrackPolicy implements TrackCachePolicy {
  /** Insertion order, kept least recently used first: a touch re-inserts at the end. */
  private final LinkedHashMap<TrackId, long[]> bytesByTrack = new LinkedHashMap<>();
  private long usedBytes;

  @Override
  public boolean holds(TrackId track) {
    return bytesByTrack.containsKey(track);
  }

  @Override
  public boolean touch(TrackId track) {
    long[] b = bytesByTrack.remove(track);
    if (b == null) {
      return false;
    }
    bytesByTrack.put(track, b);
    return true;
  }

  @Override
  public void addBytes(TrackId track, long bytes) {
    bytesByTrack.computeIfAbsent(track, t -> new long[1])[0] += bytes;
    usedBytes += bytes;
  }

  @Override
  public long remove(TrackId track) {
    long[] b = bytesByTrack.remove(track);
    if (b == null) {
      return 0;
    }
    usedBytes -= b[0];
    return b[0];
  }

  @Override
  public long usedBytes() {
    return usedBytes;
  }

  @Override
  public List<TrackId> tracksByAge() {
    return new ArrayList<>(bytesByTrack.keySet());
  }

  @Override
  public boolean fits(TrackId track, long trackBytes, long capacityBytes, TrackId playing) {
    long[] p = playing == null || playing.equals(track) ? null : bytesByTrack.get(playing);
    return trackBytes + (p == null ? 0 : p[0]) <= capacityBytes;
  }

  @Override
  public List<TrackId> evictionsFor(long capacityBytes, TrackId written, TrackId playing) {
    List<TrackId> out = new ArrayList<>();
    long total = usedBytes;
    for (Map.Entry<TrackId, long[]> e : bytesByTrack.entrySet()) {
      if (total <= capacityBytes) {
        break;
      }
      TrackId t = e.getKey();
      if (t.equals(written) || t.equals(playing)) {
        continue;
      }
      out.add(t);
      total -= e.getValue()[0];
    }
    return out;
  }
}
