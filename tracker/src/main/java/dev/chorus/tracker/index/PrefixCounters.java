package dev.chorus.tracker.index;

import java.util.Arrays;

/**
 * The index's per-quota-prefix counters (entries held by the prefix's peers, and how many live
 * peers it has), in primitive arrays: a counter lives in a stable slot found by a 64-bit key
 * (the prefix's masked bits), and each peer keeps its counter's slot number. One object per
 * prefix (a HashMap node, a NetworkPrefix key and an int[2]) cost about 90 bytes per peer when
 * every peer has its own address, which is the common case for IPv4 /32 quota prefixes; this
 * costs about 45. Single-threaded, like the index. Keys of IPv4 and IPv6 prefixes must live in
 * separate instances (their bit patterns may coincide).
 *
 * <p>The table is the index's kind (open addressing, at most half full, backward-shift deletion);
 * keys are mixed with the index's seed, since announcers choose their addresses.
 */
final class PrefixCounters {
  private static final int INITIAL = 16;

  private final long seed;
  private long[] keys = new long[INITIAL];
  private int[] hashes = new int[INITIAL];
  private int[] entries = new int[INITIAL];
  private int[] peers = new int[INITIAL];
  private int high;
  /** The most recently freed slot, -1 if none; each free slot's {@code hashes} cell holds the next. */
  private int freeHead = -1;
  private int[] table = new int[2 * INITIAL];
  private int live;

  PrefixCounters(long seed) {
    this.seed = seed;
  }

  /** The slot of {@code key}'s counter, made if absent, with one more peer. */
  int join(long key) {
    int s = find(key);
    if (s < 0) {
      s = add(key);
    }
    peers[s]++;
    return s;
  }

  /** One peer fewer in slot {@code s}; the counter goes when its last peer does. */
  void leave(int s) {
    if (--peers[s] == 0) {
      if (entries[s] != 0) {
        throw new IllegalStateException("prefix counter " + s + " emptied with " + entries[s] + " entries");
      }
      remove(s);
    }
  }

  int entries(int s) {
    return entries[s];
  }

  int peers(int s) {
    return peers[s];
  }

  long key(int s) {
    return keys[s];
  }

  void addEntries(int s, int delta) {
    entries[s] += delta;
  }

  /** The slot of {@code key}'s counter, or -1. */
  int find(long key) {
    int mask = table.length - 1;
    for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
      int v = table[i];
      if (v == 0) {
        return -1;
      }
      if (keys[v - 1] == key) {
        return v - 1;
      }
    }
  }

  /** Live counters. */
  int size() {
    return live;
  }

  /** Slots in use are below this (some of them free). */
  int slotHigh() {
    return high;
  }

  /** Whether slot {@code s} holds a live counter. */
  boolean isLive(int s) {
    return s < high && peers[s] > 0;
  }

  /** Bytes of the arrays, laid out as the JVM does with compressed oops. */
  long retainedBytes() {
    return IndexCore.longArrayBytes(keys.length) + IndexCore.intArrayBytes(hashes.length)
        + IndexCore.intArrayBytes(entries.length)
        + IndexCore.intArrayBytes(peers.length) + IndexCore.intArrayBytes(table.length);
  }

  private int add(long key) {
    int s;
    if (freeHead >= 0) {
      s = freeHead;
      freeHead = hashes[s];
    } else {
      if (high == keys.length) {
        int cap = keys.length + (keys.length >> 1);
        keys = Arrays.copyOf(keys, cap);
        hashes = Arrays.copyOf(hashes, cap);
        entries = Arrays.copyOf(entries, cap);
        peers = Arrays.copyOf(peers, cap);
      }
      s = high++;
    }
    keys[s] = key;
    hashes[s] = hash(key);
    entries[s] = 0;
    peers[s] = 0;
    live++;
    if (2 * live > table.length) {
      rehash(2 * table.length, s);
    } else {
      IndexCore.tableInsert(table, hashes[s], s);
    }
    return s;
  }

  private void remove(int s) {
    IndexCore.tableRemove(table, hashes, s);
    hashes[s] = freeHead;
    freeHead = s;
    live--;
  }

  /** A table of {@code size} cells with every live counter and the one just added ({@code added}). */
  private void rehash(int size, int added) {
    table = new int[size];
    for (int s = 0; s < high; s++) {
      if (peers[s] > 0 || s == added) {
        IndexCore.tableInsert(table, hashes[s], s);
      }
    }
  }

  private int hash(long key) {
    long x = IndexCore.mix64(seed ^ key);
    return (int) (x ^ (x >>> 32));
  }
}
