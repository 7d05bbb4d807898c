package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;

/**
 * Remembers recently seen overlay queries, so that a query reaching this node twice (the overlay
 * has cycles) is handled once, and so that answers travel back the way the query came.
 *
 * <p>Bounded twice: entries older than {@link #MEMORY_NANOS} are forgotten (a query and its
 * answers cross a two-hop overlay in well under a second; ten seconds covers slow links), and at
 * most {@code capacity} entries are kept. Forgetting by age keeps the usual size at the query rate
 * times ten seconds instead of the capacity; the simulator, which runs a core per peer, found the
 * full tables to be most of a peer's memory.
 */
final class OverlayRouter {
  static final long MEMORY_NANOS = 10_000_000_000L;
  private static final int MIN_LENGTH = 8;

  /** Where answers to a query go: {@code from} null means the query is this node's own. */
  record Route(NodeId from, TrackId trackId, long seenAtNanos) {}

  private final int capacity;
  // The entries, oldest first, in a ring of `length` slots starting at `head`: the expired ones
  // and the one dropped over capacity are always the oldest, so a ring holds them in time order.
  private long[] ids = new long[0];
  private long[] seenAtNanos = new long[0];
  private NodeId[] froms = new NodeId[0];
  private TrackId[] trackIds = new TrackId[0];
  private int head;
  private int size;
  // Open addressing with linear probing over query ids: a slot holds a ring position + 1, 0 is
  // empty; at least twice as many slots as ring positions. No boxing of the ids.
  private int[] slots = new int[0];

  OverlayRouter(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("an overlay router keeps at least one query, got capacity " + capacity);
    }
    this.capacity = capacity;
  }

  /** Records a query; false if its id was seen already (then it must be dropped). */
  boolean firstSight(long queryId, NodeId from, TrackId trackId, long nowNanos) {
    forget(nowNanos);
    if (positionOf(queryId) >= 0) {
      return false;
    }
    if (size == capacity) {
      removeOldest();
    } else if (size == ids.length) {
      resize(Math.min(capacity, Math.max(MIN_LENGTH, 2 * ids.length)));
    }
    int p = ring(head + size);
    ids[p] = queryId;
    seenAtNanos[p] = nowNanos;
    froms[p] = from;
    trackIds[p] = trackId;
    size++;
    insert(queryId, p);
    return true;
  }

  /**
   * Where the route of a query is kept ({@link #from}, {@link #trackId}), or -1 if unknown or
   * forgotten; valid until the next call that records or forgets.
   */
  int find(long queryId, long nowNanos) {
    forget(nowNanos);
    return positionOf(queryId);
  }

  /** The neighbour a query came from, null for this node's own; {@code route} from {@link #find}. */
  NodeId from(int route) {
    return froms[route];
  }

  /** The track a query asks about; {@code route} from {@link #find}. */
  TrackId trackId(int route) {
    return trackIds[route];
  }

  /** The route of a query, or null if unknown or forgotten (a copy, for tests and diagnostics). */
  Route route(long queryId, long nowNanos) {
    int p = find(queryId, nowNanos);
    return p < 0 ? null : new Route(froms[p], trackIds[p], seenAtNanos[p]);
  }

  int size() {
    return size;
  }

  // Entries are in insertion order, which is time order: the expired ones are a prefix.
  private void forget(long nowNanos) {
    while (size > 0 && nowNanos - seenAtNanos[head] >= MEMORY_NANOS) {
      removeOldest();
    }
    if (ids.length > MIN_LENGTH && size <= ids.length / 4) {
      resize(Math.max(MIN_LENGTH, ids.length / 2)); // a burst is over: give the memory back
    }
  }

  private void removeOldest() {
    delete(ids[head]);
    froms[head] = null;
    trackIds[head] = null;
    head = ring(head + 1);
    size--;
  }

  private int ring(int i) {
    return i >= ids.length ? i - ids.length : i;
  }

  private static int hash(long id) {
    long h = id * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  private int positionOf(long id) {
    if (size == 0) {
      return -1;
    }
    int mask = slots.length - 1;
    for (int s = hash(id) & mask; ; s = (s + 1) & mask) {
      int v = slots[s];
      if (v == 0) {
        return -1;
      }
      if (ids[v - 1] == id) {
        return v - 1;
      }
    }
  }

  private void insert(long id, int position) {
    int mask = slots.length - 1;
    int s = hash(id) & mask;
    while (slots[s] != 0) {
      s = (s + 1) & mask;
    }
    slots[s] = position + 1;
  }

  // Linear probing's deletion: later entries of the probe run move back into the hole, so that a
  // lookup never stops early at it.
  private void delete(long id) {
    int mask = slots.length - 1;
    int hole = hash(id) & mask;
    while (ids[slots[hole] - 1] != id) {
      hole = (hole + 1) & mask;
    }
    for (int s = (hole + 1) & mask; slots[s] != 0; s = (s + 1) & mask) {
      int home = hash(ids[slots[s] - 1]) & mask;
      // Move it if its home is not in the cyclic range (hole, s].
      if (hole <= s ? (home <= hole || home > s) : (home <= hole && home > s)) {
        slots[hole] = slots[s];
        hole = s;
      }
    }
    slots[hole] = 0;
  }

  private void resize(int length) {
    long[] newIds = new long[length];
    long[] newSeen = new long[length];
    NodeId[] newFroms = new NodeId[length];
    TrackId[] newTracks = new TrackId[length];
    for (int i = 0; i < size; i++) {
      int p = ring(head + i);
      newIds[i] = ids[p];
      newSeen[i] = seenAtNanos[p];
      newFroms[i] = froms[p];
      newTracks[i] = trackIds[p];
    }
    ids = newIds;
    seenAtNanos = newSeen;
    froms = newFroms;
    trackIds = newTracks;
    head = 0;
    slots = new int[Integer.highestOneBit(length) * 4];
    for (int i = 0; i < size; i++) {
      insert(ids[i], i);
    }
  }
}
