package dev.chorus.simulator.engine;

import java.util.Arrays;
import java.util.NoSuchElementException;

/*
 * Design rationale
 * ================
 *
 * Why primitive arrays. A million peers over a simulated day keep millions of events pending at
 * once (every peer has a playback timer, transfers in flight, churn timers...) and push and pop
 * billions in total. An object per event would cost a 12-16 byte header plus padding and a
 * reference in the heap array, scatter the events across the heap (a cache miss per comparison
 * while sifting) and give the garbage collector tens of millions of live objects to trace. Here
 * the heap is one long[] with four longs per event, [time, seq, type << 32 | target, arg]: pushing
 * and popping allocate nothing (except when the array doubles), the GC sees one object, and an
 * event's fields share one 32-byte block, so comparing a child and moving it touch the same cache
 * line. (Five parallel arrays, one per field, were measured too: the same speed within this
 * machine's noise, but five arrays to grow and up to five cache lines per moved event.)
 *
 * Why a 4-ary heap. Half as deep as a binary heap, so a pop does half the levels; the four
 * children of a node are adjacent (128 bytes, two cache lines), which makes the extra
 * comparisons per level cheap. Sifts move a "hole" rather than swapping, so each field of each
 * moved slot is written once per level.
 *
 * Why seq. The key is (timeNanos, seq), where seq is a counter the queue increments at every
 * push. Keys are therefore unique and totally ordered, which gives (a) FIFO among events at the
 * same time and (b) a pop order that is a pure function of the pushes: it does not depend on the
 * heap's shape, its capacity or its growth history, which is what makes runs bit-identical. A
 * 64-bit seq cannot wrap (2^63 pushes at 10^9 per second is 292 years).
 *
 * Memory per pending event: time 8 + seq 8 + type 4 + target 4 + arg 8 = 32 bytes
 * (BYTES_PER_EVENT), no per-event object. 10 million pending events take 320 MB, 50 million
 * 1.6 GB; capacity is a power of two times the initial capacity, so up to twice that is allocated.
 * While the array doubles, the old and the new arrays are live together (3x the old size for a
 * moment); size the queue up front with the initial capacity when the peak is known. The most a
 * queue holds is MAX_CAPACITY, about 537 million events (17 GB).
 *
 * Cancellation is lazy and lives outside the queue (see Engine): there is no remove(seq), which
 * would need a seq -> slot index kept up to date on every move (another 4-8 bytes and a write per
 * level). A cancelled event stays queued and its handler ignores it.
 */

/**
 * A priority queue of simulation events on a primitive array: a 4-ary min-heap keyed by
 * {@code (timeNanos, seq)}, with payload {@code (int type, int target, long arg)}. Among events
 * with the same time, the one pushed first comes out first.
 *
 * <p>No object is allocated per event. To pop, read the head with {@link #peekTime()}, {@link
 * #peekType()}, {@link #peekTarget()}, {@link #peekArg()}, {@link #peekSeq()}, then call {@link
 * #removeHead()}.
 *
 * <p>Capacity grows by doubling up to {@link #MAX_CAPACITY}; {@value #BYTES_PER_EVENT} bytes per
 * slot, no object per event. Not thread-safe: one thread owns a queue.
 */
public final class EventQueue {

  /** Bytes of array storage per event slot: time, seq, type and target, arg. */
  public static final int BYTES_PER_EVENT = 8 + 8 + 4 + 4 + 8;

  /** Longs per slot: time, seq, type and target packed, arg. */
  private static final int W = 4;

  /** The largest capacity: the largest safe Java array length, over four longs per event. */
  public static final int MAX_CAPACITY = (Integer.MAX_VALUE - 8) / W;

  /** Capacity used by {@link #EventQueue()}. */
  public static final int DEFAULT_INITIAL_CAPACITY = 1 << 12;

  /** Slot i is slots[4i .. 4i+3] = time, seq, type << 32 | target, arg. */
  private long[] slots;

  private int size;
  private long nextSeq;

  /** A queue with {@link #DEFAULT_INITIAL_CAPACITY} slots; it grows as needed. */
  public EventQueue() {
    this(DEFAULT_INITIAL_CAPACITY);
  }

  /**
   * A queue with room for {@code initialCapacity} events before it first grows.
   *
   * @throws IllegalArgumentException if {@code initialCapacity} is below 1 or above {@link
   *     #MAX_CAPACITY}
   */
  public EventQueue(int initialCapacity) {
    if (initialCapacity < 1 || initialCapacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "initialCapacity must be in [1, " + MAX_CAPACITY + "], was " + initialCapacity);
    }
    slots = new long[initialCapacity * W];
  }

  /** Events pending. */
  public int size() {
    return size;
  }

  /** Whether no event is pending. */
  public boolean isEmpty() {
    return size == 0;
  }

  /** Slots allocated (pending events that fit before the array grows). */
  public int capacity() {
    return slots.length / W;
  }

  /** Bytes held by the array: {@code capacity() * BYTES_PER_EVENT}. */
  public long allocatedBytes() {
    return (long) capacity() * BYTES_PER_EVENT;
  }

  /** Events pushed since creation (or the last {@link #clear()}): the next event's seq. */
  public long pushed() {
    return nextSeq;
  }

  /**
   * Adds an event; O(log n), no allocation unless the array doubles.
   *
   * @return the event's seq: unique within this queue, increasing with every push
   * @throws IllegalStateException if {@link #MAX_CAPACITY} events are already pending
   */
  public long push(long timeNanos, int eventType, int eventTarget, long eventArg) {
    if (size == capacity()) {
      grow(size + 1);
    }
    long s = nextSeq++;
    siftUp(size++, timeNanos, s, pack(eventType, eventTarget), eventArg);
    return s;
  }

  /**
   * Draws the next seq without queueing anything: the key of an event that will be pushed later
   * with {@link #pushReserved}, ordered as if it had been pushed now. An event that might be
   * superseded before it is due can so wait outside the queue (only the earliest of a chain of
   * re-arms needs a slot) and still come out exactly where an eager push would have put it.
   */
  public long reserveSeq() {
    return nextSeq++;
  }

  /**
   * Adds an event under a seq drawn earlier with {@link #reserveSeq()} (each used at most once,
   * which the caller guarantees); it comes out in {@code (timeNanos, seq)} order like any other.
   *
   * @throws IllegalArgumentException if {@code seq} was never drawn
   */
  public void pushReserved(long timeNanos, long seq, int eventType, int eventTarget, long eventArg) {
    if (seq < 0 || seq >= nextSeq) {
      throw new IllegalArgumentException(
          "seq " + seq + " was not reserved: seqs drawn so far are 0 .. " + (nextSeq - 1));
    }
    if (size == capacity()) {
      grow(size + 1);
    }
    siftUp(size++, timeNanos, seq, pack(eventType, eventTarget), eventArg);
  }

  /** Makes room for {@code minCapacity} pending events without further growth. */
  public void ensureCapacity(int minCapacity) {
    if (minCapacity > capacity()) {
      grow(minCapacity);
    }
  }

  private void grow(int minCapacity) {
    int old = capacity();
    if (old >= MAX_CAPACITY || minCapacity > MAX_CAPACITY) {
      throw new IllegalStateException(
          "event queue full: " + size + " events pending, the most a queue can hold");
    }
    int capacity = (int) Math.min(MAX_CAPACITY, Math.max((long) minCapacity, 2L * old));
    slots = Arrays.copyOf(slots, capacity * W);
  }

  /** Time of the head (earliest) event. */
  public long peekTime() {
    requireNonEmpty();
    return slots[0];
  }

  /** Seq of the head event. */
  public long peekSeq() {
    requireNonEmpty();
    return slots[1];
  }

  /** Type of the head event. */
  public int peekType() {
    requireNonEmpty();
    return (int) (slots[2] >> 32);
  }

  /** Target of the head event. */
  public int peekTarget() {
    requireNonEmpty();
    return (int) slots[2];
  }

  /** Argument of the head event. */
  public long peekArg() {
    requireNonEmpty();
    return slots[3];
  }

  /** Removes the head event; O(log n), no allocation. */
  public void removeHead() {
    requireNonEmpty();
    int last = --size;
    if (last > 0) {
      long[] q = slots;
      int o = last * W;
      siftDown(q[o], q[o + 1], q[o + 2], q[o + 3]);
    }
  }

  /** Removes every pending event and restarts seq at 0; keeps the capacity. */
  public void clear() {
    size = 0;
    nextSeq = 0;
  }

  private void requireNonEmpty() {
    if (size == 0) {
      throw new NoSuchElementException("event queue is empty");
    }
  }

  private static long pack(int type, int target) {
    return ((long) type << 32) | (target & 0xFFFF_FFFFL);
  }

  /** Places the event into the hole at slot {@code i}, moving parents down while they come later. */
  private void siftUp(int i, long t, long s, long typeTarget, long a) {
    long[] q = slots;
    while (i > 0) {
      int p = (i - 1) >>> 2;
      int po = p * W;
      long pt = q[po];
      if (pt < t || (pt == t && q[po + 1] < s)) {
        break;
      }
      copy(q, po, i * W);
      i = p;
    }
    int o = i * W;
    q[o] = t;
    q[o + 1] = s;
    q[o + 2] = typeTarget;
    q[o + 3] = a;
  }

  /**
   * Places the event into the hole at the root, moving the earliest child up while it is
   * earlier.
   */
  private void siftDown(long t, long s, long typeTarget, long a) {
    long[] q = slots;
    int n = size;
    int i = 0;
    while (true) {
      int c = (i << 2) + 1;
      if (c >= n) {
        break;
      }
      // earliest of the (up to four) children c .. c+3
      int best = c;
      int bo = c * W;
      long bt = q[bo];
      long bs = q[bo + 1];
      int end = Math.min(c + 4, n);
      for (int k = c + 1; k < end; k++) {
        int ko = k * W;
        long kt = q[ko];
        if (kt < bt || (kt == bt && q[ko + 1] < bs)) {
          best = k;
          bt = kt;
          bs = q[ko + 1];
        }
      }
      if (t < bt || (t == bt && s < bs)) {
        break;
      }
      copy(q, best * W, i * W);
      i = best;
    }
    int o = i * W;
    q[o] = t;
    q[o + 1] = s;
    q[o + 2] = typeTarget;
    q[o + 3] = a;
  }

  private static void copy(long[] q, int from, int to) {
    q[to] = q[from];
    q[to + 1] = q[from + 1];
    q[to + 2] = q[from + 2];
    q[to + 3] = q[from + 3];
  }
}
