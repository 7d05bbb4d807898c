package dev.chorus.simulator.swarm;

/**
 * Every peer's cache of whole tracks, as a node's chunk store keeps it: least recently used
 * tracks are evicted once the bytes held exceed the peer's cache size. Primitive arrays only:
 * one {@code int[]} of track indexes per peer, most recently used last, so a million peers with a
 * hundred tracks each cost about 400 MB.
 */
final class PeerCaches {
  /** Told about tracks evicted by {@link #insert}. */
  interface Evictions {
    void evicted(int host, int track);
  }

  private final long[] capacity;
  private final long[] used;
  private final int[][] tracks;
  private final int[] count;
  private final TrackSizes sizes;

  interface TrackSizes {
    long sizeBytes(int track);
  }

  PeerCaches(long[] capacityBytes, TrackSizes sizes) {
    int n = capacityBytes.length;
    this.capacity = capacityBytes.clone();
    this.used = new long[n];
    this.tracks = new int[n][];
    this.count = new int[n];
    this.sizes = sizes;
  }

  boolean holds(int host, int track) {
    return indexOf(host, track) >= 0;
  }

  int trackCount(int host) {
    return count[host];
  }

  int track(int host, int i) {
    return tracks[host][i];
  }

  long usedBytes(int host) {
    return used[host];
  }

  long capacityBytes(int host) {
    return capacity[host];
  }

  /** Marks a held track as just used. Returns whether the peer holds it. */
  boolean touch(int host, int track) {
    int i = indexOf(host, track);
    if (i < 0) {
      return false;
    }
    int[] t = tracks[host];
    System.arraycopy(t, i + 1, t, i, count[host] - i - 1);
    t[count[host] - 1] = track;
    return true;
  }

  /**
   * Adds a complete track as the most recently used one and evicts least recently used tracks
   * until the cache fits (a track larger than the whole cache is not kept). Returns whether the
   * track is held afterwards.
   */
  boolean insert(int host, int track, Evictions evictions) {
    return insert(host, track, -1, evictions);
  }

  /**
   * As {@link #insert(int, int, Evictions)}, but never evicts {@code pinned} (the track being
   * played: a node does not delete the track its player reads).
   */
  boolean insert(int host, int track, int pinned, Evictions evictions) {
    if (touch(host, track)) {
      return true;
    }
    long size = sizes.sizeBytes(track);
    long pinnedSize = pinned >= 0 && pinned != track && holds(host, pinned) ? sizes.sizeBytes(pinned) : 0;
    if (size + pinnedSize > capacity[host]) {
      return false;
    }
    int[] t = tracks[host];
    if (t == null) {
      t = tracks[host] = new int[4];
    } else if (count[host] == t.length) {
      t = tracks[host] = java.util.Arrays.copyOf(t, t.length * 2);
    }
    t[count[host]++] = track;
    used[host] += size;
    while (used[host] > capacity[host]) {
      int at = t[0] == pinned ? 1 : 0;
      int victim = t[at];
      System.arraycopy(t, at + 1, t, at, count[host] - at - 1);
      count[host]--;
      used[host] -= sizes.sizeBytes(victim);
      evictions.evicted(host, victim);
    }
    return true;
  }

  private int indexOf(int host, int track) {
    int[] t = tracks[host];
    for (int i = count[host] - 1; i >= 0; i--) {
      if (t[i] == track) {
        return i;
      }
    }
    return -1;
  }
}
