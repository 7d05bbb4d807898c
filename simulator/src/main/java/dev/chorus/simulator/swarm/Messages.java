package dev.chorus.simulator.swarm;

import java.util.Arrays;

/**
 * Messages between peers in flight, as records in pooled arrays: the engine's event carries the
 * slot, so a message costs no object (a lambda and its captured values each, before). The kinds are
 * the core's peer-to-peer actions that {@link World} delivers most often; what a field means depends
 * on the kind ({@link World#onMessage}).
 *
 * <p>Layout: messages arrive in time order, not in the order their slots were taken, so reading a
 * message is a cache miss per array it touches. A slot's primitive fields share one 32-byte block of
 * {@link #words} and its references one 16-byte block of {@link #refs} (two cache lines per message;
 * one array per field made nine).
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

  /** Slot s: [4s] id, [4s + 1] first << 32 | count, [4s + 2] kind << 32 | small. */
  private long[] words = new long[4 * 1024];
  /** Slot s: [4s] from, [4s + 1] to, [4s + 2] payload, [4s + 3] detail. */
  private Object[] refs = new Object[4 * 1024];

  private int[] free = new int[1024];
  private int freeCount;
  private int high;

  /**
   * A free slot with its kind and peers set (and its small field 0); the caller fills the fields
   * the kind uses.
   */
  int take(int messageKind, SimPeer sender, SimPeer receiver) {
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      if (high == free.length) {
        grow();
      }
      slot = high++;
    }
    words[4 * slot + 2] = (long) messageKind << 32;
    refs[4 * slot] = sender;
    refs[4 * slot + 1] = receiver;
    return slot;
  }

  void id(int slot, long id) {
    words[4 * slot] = id;
  }

  void range(int slot, int first, int count) {
    words[4 * slot + 1] = (long) first << 32 | (count & 0xffffffffL);
  }

  void small(int slot, int small) {
    int o = 4 * slot + 2;
    words[o] = (words[o] & 0xffffffff00000000L) | (small & 0xffffffffL);
  }

  void payload(int slot, Object payload) {
    refs[4 * slot + 2] = payload;
  }

  void detail(int slot, Object detail) {
    refs[4 * slot + 3] = detail;
  }

  long id(int slot) {
    return words[4 * slot];
  }

  int first(int slot) {
    return (int) (words[4 * slot + 1] >>> 32);
  }

  int count(int slot) {
    return (int) words[4 * slot + 1];
  }

  int kind(int slot) {
    return (int) (words[4 * slot + 2] >>> 32);
  }

  int small(int slot) {
    return (int) words[4 * slot + 2];
  }

  SimPeer from(int slot) {
    return (SimPeer) refs[4 * slot];
  }

  SimPeer to(int slot) {
    return (SimPeer) refs[4 * slot + 1];
  }

  Object payload(int slot) {
    return refs[4 * slot + 2];
  }

  Object detail(int slot) {
    return refs[4 * slot + 3];
  }

  /** Drops the slot's references (so an offline peer is not kept alive) and frees it. */
  void release(int slot) {
    int o = 4 * slot;
    refs[o] = null;
    refs[o + 1] = null;
    refs[o + 2] = null;
    refs[o + 3] = null;
    free[freeCount++] = slot;
  }

  private void grow() {
    int n = free.length * 2;
    words = Arrays.copyOf(words, 4 * n);
    refs = Arrays.copyOf(refs, 4 * n);
    free = Arrays.copyOf(free, n);
  }
}
