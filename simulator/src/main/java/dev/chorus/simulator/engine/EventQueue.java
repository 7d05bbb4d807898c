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
 * Why two heaps. Most events are due soon (a message's latency, a second's tick), but most of
 * the pending ones are not: every peer of a million keeps its next churn transition, hours ahead,
 * and the online ones their session and playback timers. In one heap each pop moves the last,
 * usually distant, event from the root to the bottom through every level, over an array far
 * larger than the CPU's caches (a million events are 32 MB). So an event due within NEAR_NANOS
 * of the last one popped goes to a near heap, small and cache-resident, and any other to a far
 * heap, which is touched only when its head is the earliest. The head of the queue is the earlier
 * of the two heads by (time, seq), so the pop order is the same whichever heap an event sits in
 * (placement is a matter of speed only): the one-heap order, event for event.
 *
 * Cancellation is lazy and lives outside the queue (see Engine): there is no remove(seq), which
 * would need a seq -> slot index kept up to date on every move (another 4-8 bytes and a write per
 * level). A cancelled event stays queued and its handler ignores it.
 */

/**
 * A priority queue of simulation events on primitive arrays: two 4-ary min-heaps (events due soon,
 * and the rest; see the design notes in the source) keyed by {@code (timeNanos, seq)}, with
 * payload {@code (int type, int target, long arg)}. Among events with the same time, the one
 * pushed first comes out first.
 *
 * <p>No object is allocated per event. To pop, read the head with {@link #peekTime()}, {@link
 * #peekType()}, {@link #peekTarget()}, {@link #peekArg()}, {@link #peekSeq()}, then call {@link
 * #removeHead()}.
 *
 * <p>Capacity grows by doubling up to {@link #MAX_CAPACITY} events in all; {@value
 * #BYTES_PER_EVENT} bytes per slot, no object per event. Not thread-safe: one thread owns a queue.
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

  /**
   * Events due less than this after the last event popped go to the near heap (a message's
   * latency, a one-second tick, a transfer's next segment); later ones to the far heap.
   */
  static final long NEAR_NANOS = 2_000_000_000L;

  private static final long[] EMPTY = new long[0];

  /** Slot i of a heap is heap[4i .. 4i+3] = time, seq, type << 32 | target, arg. */
  private long[] near;
  private long[] far = EMPTY;
  private int nearSize;
  private int farSize;
  /** Whether the head of the queue is the far heap's. */
  private boolean headIsFar;
  /** The time of the last event popped: what "soon" is measured from. */
  private long clock = Long.MIN_VALUE;
  private long nextSeq;

  /** A queue with {@link #DEFAULT_INITIAL_CAPACITY} slots; it grows as needed. */
  public EventQueue() {
    this(DEFAULT_INITIAL_CAPACITY);
  }

  /**
   * A queue with room for {@code initialCapacity} events due soon before it first grows.
   *
   * @throws IllegalArgumentException if {@code initialCapacity} is below 1 or above {@link
   *     #MAX_CAPACITY}
   */
  public EventQueue(int initialCapacity) {
    if (initialCapacity < 1 || initialCapacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "initialCapacity must be in [1, " + MAX_CAPACITY + "], was " + initialCapacity);
    }
    near = new long[initialCapacity * W];
  }

  /** Events pending. */
  public int size() {
    return nearSize + farSize;
  }

  /** Whether no event is pending. */
  public boolean isEmpty() {
    return nearSize + farSize == 0;
  }

  /** Slots allocated in both heaps. */
  public int capacity() {
    return (near.length + far.length) / W;
  }

  /** Bytes held by the arrays: {@code capacity() * BYTES_PER_EVENT}. */
  public long allocatedBytes() {
    return (long) capacity() * BYTES_PER_EVENT;
  }

  /** Events pushed since creation (or the last {@link #clear()}), and seqs reserved: the next seq. */
  public long pushed() {
    return nextSeq;
  }

  /**
   * Adds an event; O(log n), no allocation unless an array doubles.
   *
   * @return the event's seq: unique within this queue, increasing with every push
   * @throws IllegalStateException if {@link #MAX_CAPACITY} events are already pending
   */
  public long push(long timeNanos, int eventType, int eventTarget, long eventArg) {
    long s = nextSeq++;
    insert(timeNanos, s, pack(eventType, eventTarget), eventArg);
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
    insert(timeNanos, seq, pack(eventType, eventTarget), eventArg);
  }

  private void insert(long t, long s, long typeTarget, long a) {
    if (size() >= MAX_CAPACITY) {
      throw new IllegalStateException(
          "event queue full: " + size() + " events pending, the most a queue can hold");
    }
    // Placement decides speed only (the head is the earlier of the two heads); a time far from
    // the clock, even one that overflows the difference, may go either way.
    if (t - clock < NEAR_NANOS) {
      if (nearSize * W == near.length) {
        near = grown(near, nearSize + 1);
      }
      siftUp(near, nearSize++, t, s, typeTarget, a);
    } else {
      if (farSize * W == far.length) {
        far = grown(far, farSize + 1);
      }
      siftUp(far, farSize++, t, s, typeTarget, a);
    }
    selectHead();
  }

  /** Makes room for {@code minCapacity} pending events due soon without further growth. */
  public void ensureCapacity(int minCapacity) {
    if (minCapacity > MAX_CAPACITY) {
      throw new IllegalStateException("event queue full: " + minCapacity
          + " events asked for, more than the most a queue can hold, " + MAX_CAPACITY);
    }
    if (minCapacity * W > near.length) {
      near = Arrays.copyOf(near, minCapacity * W);
    }
  }

  private static long[] grown(long[] heap, int minCapacity) {
    int old = heap.length / W;
    int capacity = (int) Math.min(MAX_CAPACITY, Math.max((long) minCapacity, 2L * old));
    return Arrays.copyOf(heap, capacity * W);
  }

  /** Time of the head (earliest) event. */
  public long peekTime() {
    return head()[0];
  }

  /** Seq of the head event. */
  public long peekSeq() {
    return head()[1];
  }

  /** Type of the head event. */
  public int peekType() {
    return (int) (head()[2] >> 32);
  }

  /** Target of the head event. */
  public int peekTarget() {
    return (int) head()[2];
  }

  /** Argument of the head event. */
  public long peekArg() {
    return head()[3];
  }

  private long[] head() {
    requireNonEmpty();
    return headIsFar ? far : near;
  }

  /** Removes the head event; O(log n), no allocation. */
  public void removeHead() {
    requireNonEmpty();
    if (headIsFar) {
      clock = far[0];
      int last = --farSize;
      if (last > 0) {
        int o = last * W;
        siftDown(far, last, far[o], far[o + 1], far[o + 2], far[o + 3]);
      }
    } else {
      clock = near[0];
      int last = --nearSize;
      if (last > 0) {
        int o = last * W;
        siftDown(near, last, near[o], near[o + 1], near[o + 2], near[o + 3]);
      }
    }
    selectHead();
  }

  /** Removes every pending event and restarts seq at 0; keeps the capacity. */
  public void clear() {
    nearSize = 0;
    farSize = 0;
    nextSeq = 0;
    clock = Long.MIN_VALUE;
    headIsFar = false;
  }

  private void selectHead() {
    if (farSize == 0) {
      headIsFar = false;
    } else if (nearSize == 0) {
      headIsFar = true;
    } else {
      long nt = near[0];
      long ft = far[0];
      headIsFar = ft < nt || (ft == nt && far[1] < near[1]);
    }
  }

  private void requireNonEmpty() {
    if (nearSize + farSize == 0) {
      throw new NoSuchElementException("event queue is empty");
    }
  }

  private static long pack(int type, int target) {
    return ((long) type << 32) | (target & 0xFFFF_FFFFL);
  }

  /** Places the event into the hole at slot {@code i}, moving parents down while they come later. */
  private static void siftUp(long[] q, int i, long t, long s, long typeTarget, long a) {
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
   * Places the event into the hole at the root of a heap of {@code n} events, moving the
   * earliest child up while it is earlier.
   */
  private static void siftDown(long[] q, int n, long t, long s, long typeTarget, long a) {
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
