package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Pure cache policy: least-recently-used eviction of whole tracks under a byte capacity. Time is a
 * logical tick the caller passes in (a counter, or {@code nowNanos} in the simulator); the policy
 * does no I/O and reads no clock. Not thread-safe: one owner drives it.
 */
public final class LruTrackPolicy {
  private static final class Entry {
    long lastUse;
    long bytes;

    Entry(long lastUse) {
      this.lastUse = lastUse;
    }
  }

  private record Key(long lastUse, TrackId trackId) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Long.compare(lastUse, o.lastUse);
      return c != 0 ? c : trackId.compareTo(o.trackId);
    }
  }

  private final Map<TrackId, Entry> entries = new HashMap<>();
  private final TreeSet<Key> order = new TreeSet<>();
  private long totalBytes;

  /** Adds the track if unknown and sets its last use to {@code tick}. */
  public void touch(TrackId trackId, long tick) {
    Entry e = entries.get(trackId);
    if (e == null) {
      e = new Entry(tick);
      entries.put(trackId, e);
    } else {
      order.remove(new Key(e.lastUse, trackId));
      e.lastUse = tick;
    }
    order.add(new Key(tick, trackId));
  }

  /** Adds {@code delta} bytes (may be negative) to a known track. */
  public void addBytes(TrackId trackId, long delta) {
    Entry e = entries.get(trackId);
    if (e == null) {
      throw new IllegalArgumentException("unknown track " + trackId);
    }
    e.bytes += delta;
    totalBytes += delta;
  }

  /** Forgets a track; returns its bytes (0 if unknown). */
  public long remove(TrackId trackId) {
    Entry e = entries.remove(trackId);
    if (e == null) {
      return 0;
    }
    order.remove(new Key(e.lastUse, trackId));
    totalBytes -= e.bytes;
    return e.bytes;
  }

  public boolean contains(TrackId trackId) {
    return entries.containsKey(trackId);
  }

  /** The last use of a track, or -1 if unknown. */
  public long lastUse(TrackId trackId) {
    Entry e = entries.get(trackId);
    return e == null ? -1 : e.lastUse;
  }

  public long totalBytes() {
    return totalBytes;
  }

  /** Tracks, least recently used first. */
  public List<TrackId> tracksByAge() {
    List<TrackId> out = new ArrayList<>(order.size());
    for (Key k : order) {
      out.add(k.trackId());
    }
    return out;
  }

  /**
   * The tracks to evict, least recently used first, so that the total fits {@code capacityBytes};
   * never {@code protectedTrack} (the one being written or played; may be null). Does not remove
   * them: the caller deletes them and then calls {@link #remove}.
   */
  public List<TrackId> evictionsFor(long capacityBytes, TrackId protectedTrack) {
    List<TrackId> out = new ArrayList<>();
    long total = totalBytes;
    for (Key k : order) {
      if (total <= capacityBytes) {
        break;
      }
      if (k.trackId().equals(protectedTrack)) {
        continue;
      }
      out.add(k.trackId());
      total -= entries.get(k.trackId()).bytes;
    }
    return out;
  }
}
