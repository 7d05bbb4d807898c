package dev.chorus.tracker.index;


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
  private final LongPages keys = new LongPages(INITIAL);
  private final IntPages entries = new IntPages(INITIAL);
  private final IntPages peers = new IntPages(INITIAL);
  private int high;
  /** The most recently freed slot, -1 if none; each free slot's {@code entries} cell holds the next (hashes are recomputed from the keys, not kept). */
  private int freeHead = -1;
  private IntPages table = new IntPages(2 * INITIAL);
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
    peers.add(s, 1);
    return s;
  }

  /** One peer fewer in slot {@code s}; the counter goes when its last peer does. */
  void leave(int s) {
    if (peers.add(s, -1) == 0) {
      if (entries.get(s) != 0) {
        throw new IllegalStateException("prefix counter " + s + " emptied with " + entries.get(s) + " entries");
      }
      remove(s);
    }
  }

  int entries(int s) {
    return entries.get(s);
  }

  int peers(int s) {
    return peers.get(s);
  }

  long key(int s) {
    return keys.get(s);
  }

  void addEntries(int s, int delta) {
    entries.add(s, delta);
  }

  /** The slot of {@code key}'s counter, or -1. */
  int find(long key) {
    int mask = table.capacity() - 1;
    for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
      int v = table.get(i);
      if (v == 0) {
        return -1;
      }
      if (keys.get(v - 1) == key) {
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
    return s < high && peers.get(s) > 0;
  }

  /** Bytes of the arrays, laid out as the JVM does with compressed oops. */
  long retainedBytes() {
    return keys.retainedBytes() + entries.retainedBytes() + peers.retainedBytes()
        + table.retainedBytes();
  }

  private int add(long key) {
    int s;
    if (freeHead >= 0) {
      s = freeHead;
      freeHead = entries.get(s);
    } else {
      if (high == keys.capacity()) {
        keys.ensureCapacity(high + 1);
        entries.ensureCapacity(keys.capacity());
        peers.ensureCapacity(keys.capacity());
      }
      s = high++;
    }
    keys.set(s, key);
    entries.set(s, 0);
    peers.set(s, 0);
    live++;
    if (2 * live > table.capacity()) {
      rehash(2 * table.capacity(), s);
    } else {
      IndexCore.tableInsert(table, hash(keys.get(s)), s);
    }
    return s;
  }

  private void remove(int s) {
    IndexCore.tableRemove(table, this::hashOf, s);
    entries.set(s, freeHead);
    freeHead = s;
    live--;
  }

  /** A table of {@code size} cells with every live counter and the one just added ({@code added}). */
  private void rehash(int size, int added) {
    table = new IntPages(size);
    for (int s = 0; s < high; s++) {
      if (peers.get(s) > 0 || s == added) {
        IndexCore.tableInsert(table, hash(keys.get(s)), s);
      }
    }
  }

  private int hashOf(int s) {
    return hash(keys.get(s));
  }

  private int hash(long key) {
    long x = IndexCore.mix64(seed ^ key);
    return (int) (x ^ (x >>> 32));
  }
}
