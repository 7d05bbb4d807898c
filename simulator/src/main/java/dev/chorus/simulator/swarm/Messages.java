package dev.chorus.simulator.swarm;

import java.util.Arrays;

/**
 * Messages between peers in flight, as records in pooled parallel arrays: the engine's event
 * carries the slot, so a message costs no object (a lambda and its captured values each, before).
 * The kinds are the core's peer-to-peer actions that {@link World} delivers most often; what a
 * field means depends on the kind ({@link World#onMessage}).
 *
 * <p>A slot is taken when the message is sent and freed when it arrives, in a LIFO free list, so
 * the arrays grow to the most messages in flight at once and no further.
 */
final class Messages {
  static final int REQUEST = 0;
  static final int CANCEL = 1;
  static final int MISSING = 2;
  static final int QUERY = 3;
  static final int ANSWER = 4;
  static final int CHUNKS = 5;
  static final int HAVE = 6;

  int[] kind = new int[1024];
  SimPeer[] from = new SimPeer[1024];
  SimPeer[] to = new SimPeer[1024];
  long[] id = new long[1024];
  int[] first = new int[1024];
  int[] count = new int[1024];
  int[] small = new int[1024];
  Object[] payload = new Object[1024];
  Object[] detail = new Object[1024];

  private int[] free = new int[1024];
  private int freeCount;
  private int high;

  /** A free slot with its kind and peers set; the caller fills the fields the kind uses. */
  int take(int messageKind, SimPeer sender, SimPeer receiver) {
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      if (high == kind.length) {
        grow();
      }
      slot = high++;
    }
    kind[slot] = messageKind;
    from[slot] = sender;
    to[slot] = receiver;
    return slot;
  }

  /** Drops the slot's references (so an offline peer is not kept alive) and frees it. */
  void release(int slot) {
    from[slot] = null;
    to[slot] = null;
    payload[slot] = null;
    detail[slot] = null;
    free[freeCount++] = slot;
  }

  private void grow() {
    int n = kind.length * 2;
    kind = Arrays.copyOf(kind, n);
    from = Arrays.copyOf(from, n);
    to = Arrays.copyOf(to, n);
    id = Arrays.copyOf(id, n);
    first = Arrays.copyOf(first, n);
    count = Arrays.copyOf(count, n);
    small = Arrays.copyOf(small, n);
    payload = Arrays.copyOf(payload, n);
    detail = Arrays.copyOf(detail, n);
    free = Arrays.copyOf(free, n);
  }
}
