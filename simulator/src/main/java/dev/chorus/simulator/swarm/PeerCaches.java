package dev.chorus.simulator.swarm;

import dev.chorus.node.internal.store.TrackCachePolicy;
import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Every peer's cache of whole tracks under the node's {@link TrackCachePolicy} rule, in a compact
 * form for a million peers: one {@code int[]} of track indexes per peer, least recently used
 * first, and one byte count, so a hundred tracks a peer cost about 400 MB in all. A track's size
 * comes from the catalogue, not from a per-entry field. {@link #policyOf} shows one peer's cache
 * as a {@link TrackCachePolicy} over these same methods, which is how the shared contract suite
 * checks that this is the node's rule.
 */
final class PeerCaches {
  /** Told about tracks evicted by {@link #insert}. */
  interface Evictions {
    void evicted(int host, int track);
  }

  interface TrackSizes {
    long sizeBytes(int track);
  }

  private final long[] capacity;
  private final long[] used;
  private final int[][] tracks;
  private final int[] count;
  /**
   * Per peer, the same tracks in an open-addressing set (linear probing, {@code track + 1}, 0 for
   * empty, at most half full), so that {@link #holds} — asked for every overlay query a peer
   * receives — costs a probe or two instead of a scan of the whole cache.
   */
  private final int[][] members;
  /**
   * Per peer, its member set's length - 1, kept apart so that a probe's address does not wait for
   * the set's own header: {@link #holds} reads this and the set's reference at once, then one slot,
   * where reading the mask from the set would make three cache misses in a row.
   */
  private final int[] memberMasks;
  private final TrackSizes sizes;
  /** Scratch for victims; the simulator is single-threaded. */
  private int[] victims = new int[8];

  PeerCaches(long[] capacityBytes, TrackSizes sizes) {
    int n = capacityBytes.length;
    this.capacity = capacityBytes.clone();
    this.used = new long[n];
    this.tracks = new int[n][];
    this.count = new int[n];
    this.members = new int[n][];
    this.memberMasks = new int[n];
    this.sizes = sizes;
  }

  boolean holds(int host, int track) {
    int[] m = members[host];
    int mask = memberMasks[host];
    if (m == null || track < 0) {
      return false;
    }
    for (int i = slot(track, mask); ; i = (i + 1) & mask) {
      int v = m[i];
      if (v == 0) {
        return false;
      }
      if (v == track + 1) {
        return true;
      }
    }
  }

  int trackCount(int host) {
    return count[host];
  }

  /** The {@code i}-th held track, least recently used first. */
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
    if (!holds(host, track)) {
      return false;
    }
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
   * A completed track enters the cache, as a node's store takes it in: admitted only if it fits
   * beside the {@code playing} track (-1: none), then least recently used tracks are evicted until
   * the cache fits, sparing the new track and the playing one. Returns whether it is held.
   */
  boolean insert(int host, int track, int playing, Evictions evictions) {
    if (touch(host, track)) {
      return true;
    }
    if (!fits(host, track, sizes.sizeBytes(track), capacity[host], playing)) {
      return false;
    }
    add(host, track);
    int n = victims(host, capacity[host], track, playing);
    for (int i = 0; i < n; i++) {
      int victim = victims[i];
      remove(host, victim);
      evictions.evicted(host, victim);
    }
    return true;
  }

  /**
   * Drops a held track, as an eviction does (the caller tells the core). Returns whether it was
   * held.
   */
  boolean drop(int host, int track) {
    if (!holds(host, track)) {
      return false;
    }
    remove(host, track);
    return true;
  }

  boolean insert(int host, int track, Evictions evictions) {
    return insert(host, track, -1, evictions);
  }

  // ---- the policy's steps, shared by insert and policyOf ---------------------------------------

  private boolean fits(int host, int track, long trackBytes, long capacityBytes, int playing) {
    long playingBytes = playing >= 0 && playing != track && holds(host, playing)
        ? sizes.sizeBytes(playing) : 0;
    return trackBytes + playingBytes <= capacityBytes;
  }

  /** Adds a track not held as the most recently used one. */
  private void add(int host, int track) {
    int[] t = tracks[host];
    if (t == null) {
      t = tracks[host] = new int[4];
    } else if (count[host] == t.length) {
      t = tracks[host] = Arrays.copyOf(t, t.length * 2);
    }
    t[count[host]++] = track;
    used[host] += sizes.sizeBytes(track);
    addMember(host, track);
  }

  private long remove(int host, int track) {
    int i = indexOf(host, track);
    if (i < 0) {
      return 0;
    }
    int[] t = tracks[host];
    System.arraycopy(t, i + 1, t, i, count[host] - i - 1);
    count[host]--;
    removeMember(host, track);
    long size = sizes.sizeBytes(track);
    used[host] -= size;
    return size;
  }

  /** Fills {@link #victims} with what to evict, least recently used first; returns how many. */
  private int victims(int host, long capacityBytes, int written, int playing) {
    int n = 0;
    long total = used[host];
    int[] t = tracks[host];
    for (int i = 0; i < count[host] && total > capacityBytes; i++) {
      int track = t[i];
      if (track == written || track == playing) {
        continue;
      }
      if (n == victims.length) {
        victims = Arrays.copyOf(victims, n * 2);
      }
      victims[n++] = track;
      total -= sizes.sizeBytes(track);
    }
    return n;
  }

  private static int slot(int track, int mask) {
    return ((track + 1) * 0x9E3779B9 >>> 7) & mask;
  }

  private void addMember(int host, int track) {
    int[] m = members[host];
    if (m == null || 2 * count[host] > m.length) {
      int[] grown = new int[Math.max(8, Integer.highestOneBit(Math.max(1, count[host])) * 4)];
      if (m != null) {
        for (int v : m) {
          if (v != 0) {
            place(grown, v);
          }
        }
      }
      m = members[host] = grown;
      memberMasks[host] = grown.length - 1;
    }
    place(m, track + 1);
  }

  private static void place(int[] m, int value) {
    int mask = m.length - 1;
    int i = slot(value - 1, mask);
    while (m[i] != 0) {
      i = (i + 1) & mask;
    }
    m[i] = value;
  }

  /** Removes with backward-shift deletion, so that no probe sequence is cut short. */
  private void removeMember(int host, int track) {
    int[] m = members[host];
    int mask = m.length - 1;
    int i = slot(track, mask);
    while (m[i] != track + 1) {
      i = (i + 1) & mask;
    }
    int hole = i;
    for (int j = (hole + 1) & mask; m[j] != 0; j = (j + 1) & mask) {
      int home = slot(m[j] - 1, mask);
      // Move m[j] into the hole if its home is not in the cyclic range (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        m[hole] = m[j];
        hole = j;
      }
    }
    m[hole] = 0;
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

  /**
   * One peer's cache as a {@link TrackCachePolicy}, over the same steps {@link #insert} takes.
   * Only whole tracks are modelled: {@code addBytes} admits a track with exactly its size.
   */
  TrackCachePolicy policyOf(int host, ToIntFunction<TrackId> index, IntFunction<TrackId> id) {
    return new TrackCachePolicy() {
      private int of(TrackId t) {
        return t == null ? -1 : index.applyAsInt(t);
      }

      @Override
      public boolean holds(TrackId track) {
        return PeerCaches.this.holds(host, of(track));
      }

      @Override
      public boolean touch(TrackId track) {
        return PeerCaches.this.touch(host, of(track));
      }

      @Override
      public void addBytes(TrackId track, long bytes) {
        int t = of(track);
        if (PeerCaches.this.holds(host, t) || bytes != sizes.sizeBytes(t)) {
          throw new IllegalArgumentException("the simulator caches whole tracks only: " + bytes
              + " bytes of track " + t + " of " + sizes.sizeBytes(t));
        }
        add(host, t);
      }

      @Override
      public long remove(TrackId track) {
        return PeerCaches.this.remove(host, of(track));
      }

      @Override
      public long usedBytes() {
        return used[host];
      }

      @Override
      public List<TrackId> tracksByAge() {
        List<TrackId> out = new ArrayList<>(count[host]);
        for (int i = 0; i < count[host]; i++) {
          out.add(id.apply(tracks[host][i]));
        }
        return out;
      }

      @Override
      public boolean fits(TrackId track, long trackBytes, long capacityBytes, TrackId playing) {
        return PeerCaches.this.fits(host, of(track), trackBytes, capacityBytes, of(playing));
      }

      @Override
      public List<TrackId> evictionsFor(long capacityBytes, TrackId written, TrackId playing) {
        int n = victims(host, capacityBytes, of(written), of(playing));
        List<TrackId> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          out.add(id.apply(victims[i]));
        }
        return out;
      }
    };
  }
}
