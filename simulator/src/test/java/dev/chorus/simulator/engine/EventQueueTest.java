package dev.chorus.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventQueueTest {

  /** The reference: one object per event in a java.util.PriorityQueue, same key. */
  private record Ev(long time, long seq, int type, int target, long arg) {}

  private static final Comparator<Ev> ORDER =
      Comparator.comparingLong(Ev::time).thenComparingLong(Ev::seq);

  @Test
  void emptyQueueRefusesToPeekOrRemove() {
    EventQueue q = new EventQueue();
    assertTrue(q.isEmpty());
    assertEquals(0, q.size());
    assertThrows(NoSuchElementException.class, q::peekTime);
    assertThrows(NoSuchElementException.class, q::peekSeq);
    assertThrows(NoSuchElementException.class, q::peekType);
    assertThrows(NoSuchElementException.class, q::peekTarget);
    assertThrows(NoSuchElementException.class, q::peekArg);
    assertThrows(NoSuchElementException.class, q::removeHead);
  }

  @Test
  void popsInTimeOrder() {
    EventQueue q = new EventQueue(2);
    long[] times = {50, 10, 40, 30, 20, 0, 60};
    for (int i = 0; i < times.length; i++) {
      q.push(times[i], i, -i, times[i] * 3);
    }
    long last = Long.MIN_VALUE;
    while (!q.isEmpty()) {
      long t = q.peekTime();
      assertTrue(t >= last);
      assertEquals(t * 3, q.peekArg());
      assertEquals(-q.peekType(), q.peekTarget());
      last = t;
      q.removeHead();
    }
  }

  @Test
  void fifoAmongEqualTimes() {
    EventQueue q = new EventQueue(1);
    // Interleave three times so the equal-time events sit in different parts of the heap.
    for (int i = 0; i < 10_000; i++) {
      q.push(1_000L * (i % 3), 0, i, i);
    }
    for (int t = 0; t < 3; t++) {
      int lastTarget = -1;
      for (int k = 0; k < 3334 - (t == 0 ? 0 : 1); k++) {
        assertEquals(1_000L * t, q.peekTime());
        int target = q.peekTarget();
        assertTrue(target > lastTarget, "FIFO broken at time " + t + ": " + target + " after " + lastTarget);
        assertEquals(t, target % 3);
        lastTarget = target;
        q.removeHead();
      }
    }
    assertTrue(q.isEmpty());
  }

  @Test
  void seqIsTheInsertionCounter() {
    EventQueue q = new EventQueue();
    assertEquals(0, q.push(5, 0, 0, 0));
    assertEquals(1, q.push(5, 0, 0, 0));
    assertEquals(2, q.push(1, 0, 0, 0));
    assertEquals(3, q.pushed());
    assertEquals(2, q.peekSeq());
    q.clear();
    assertTrue(q.isEmpty());
    assertEquals(0, q.pushed());
  }

  @Test
  void growsBeyondItsInitialCapacityKeepingEveryEvent() {
    EventQueue q = new EventQueue(1);
    assertEquals(1, q.capacity());
    int n = 300_000;
    SplittableRandom r = new SplittableRandom(7);
    long sum = 0;
    for (int i = 0; i < n; i++) {
      long t = r.nextLong(1_000_000);
      q.push(t, i & 7, i, t);
      sum += t;
    }
    assertEquals(n, q.size());
    assertTrue(q.capacity() >= n);
    assertEquals((long) q.capacity() * EventQueue.BYTES_PER_EVENT, q.allocatedBytes());
    long last = -1;
    long popped = 0;
    while (!q.isEmpty()) {
      long t = q.peekTime();
      assertTrue(t >= last);
      assertEquals(t, q.peekArg());
      popped += t;
      last = t;
      q.removeHead();
    }
    assertEquals(sum, popped);
  }

  @Test
  void ensureCapacityPreSizes() {
    EventQueue q = new EventQueue(4);
    q.push(1, 0, 0, 0);
    q.ensureCapacity(1000);
    assertEquals(1000, q.capacity());
    assertEquals(1, q.size());
    assertEquals(1, q.peekTime());
  }

  @Test
  void rejectsBadCapacity() {
    assertThrows(IllegalArgumentException.class, () -> new EventQueue(0));
    assertThrows(IllegalArgumentException.class, () -> new EventQueue(-1));
    assertThrows(
        IllegalArgumentException.class, () -> new EventQueue(EventQueue.MAX_CAPACITY + 1));
  }

  @Test
  void bytesPerEventIsThirtyTwo() {
    assertEquals(32, EventQueue.BYTES_PER_EVENT);
  }

  /**
   * One million random operations (pushes and pops, with many equal times) against
   * java.util.PriorityQueue ordered by the same (time, seq) key: every pop must agree on every
   * field.
   */
  @Test
  void agreesWithPriorityQueueOnAMillionRandomOperations() {
    SplittableRandom r = new SplittableRandom(20240601L);
    EventQueue q = new EventQueue(16);
    PriorityQueue<Ev> ref = new PriorityQueue<>(ORDER);
    long seq = 0;
    long now = 0;
    int pops = 0;
    for (int op = 0; op < 1_000_000; op++) {
      // Phases of growth and shrinkage so that the size swings widely.
      boolean growing = ((op >> 15) & 1) == 0;
      boolean push = ref.isEmpty() || r.nextInt(100) < (growing ? 70 : 30);
      if (push) {
        // Never before the last pop (as in a simulation); a small range so ties are common.
        long t = now + (r.nextBoolean() ? r.nextLong(8) : r.nextLong(1_000_000));
        int type = r.nextInt(16);
        int target = r.nextInt();
        long arg = r.nextLong();
        long s = q.push(t, type, target, arg);
        assertEquals(seq, s);
        ref.add(new Ev(t, seq++, type, target, arg));
      } else {
        Ev e = ref.poll();
        assertHeadIs(e, q, pops);
        q.removeHead();
        now = e.time();
        pops++;
      }
      assertEquals(ref.size(), q.size());
    }
    while (!ref.isEmpty()) {
      Ev e = ref.poll();
      assertEquals(e.seq(), q.peekSeq());
      q.removeHead();
    }
    assertFalse(pops < 100_000, "too few pops to mean anything: " + pops);
    assertTrue(q.isEmpty());
  }

  /**
   * An event pushed under a seq reserved earlier comes out exactly where it would have if it had
   * been pushed when the seq was drawn: the reference gets every event eagerly, the queue gets
   * some of them only later (but before they are due), under their reserved seqs.
   */
  @Test
  void reservedSeqComesOutWhereAnEagerPushWould() {
    SplittableRandom r = new SplittableRandom(7);
    EventQueue q = new EventQueue(4);
    PriorityQueue<Ev> ref = new PriorityQueue<>(ORDER);
    PriorityQueue<Ev> deferred = new PriorityQueue<>(ORDER); // reserved, not yet in q
    long now = 0;
    int pops = 0;
    for (int op = 0; op < 200_000; op++) {
      // Deferred events enter the queue before they are due, as a model's early firing does.
      while (!deferred.isEmpty() && deferred.peek().time() <= now + 10) {
        Ev d = deferred.poll();
        q.pushReserved(d.time(), d.seq(), d.type(), d.target(), d.arg());
      }
      if (ref.isEmpty() || r.nextInt(100) < 50) {
        long t = now + 11 + r.nextLong(20); // ties are common
        int target = r.nextInt(1000);
        if (r.nextBoolean()) {
          long s = q.reserveSeq();
          Ev e = new Ev(t, s, 1, target, s);
          deferred.add(e);
          ref.add(e);
        } else {
          long s = q.push(t, 0, target, 0);
          ref.add(new Ev(t, s, 0, target, 0));
        }
      } else {
        // At the latest when one is next due.
        while (!deferred.isEmpty() && deferred.peek().time() <= ref.peek().time()) {
          Ev d = deferred.poll();
          q.pushReserved(d.time(), d.seq(), d.type(), d.target(), d.arg());
        }
        Ev e = ref.poll();
        assertHeadIs(e, q, pops);
        q.removeHead();
        now = e.time();
        pops++;
      }
    }
    assertTrue(pops > 50_000, "too few pops to mean anything: " + pops);
  }

  @Test
  void pushReservedRefusesASeqNeverDrawn() {
    EventQueue q = new EventQueue(4);
    q.push(1, 0, 0, 0);
    long reserved = q.reserveSeq();
    assertEquals(1, reserved);
    assertEquals(2, q.pushed());
    q.pushReserved(5, reserved, 0, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> q.pushReserved(5, 2, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> q.pushReserved(5, -1, 0, 0, 0));
  }

  /** Arbitrary (not only monotone) times, including negative and extreme values. */
  @Test
  void agreesWithPriorityQueueOnArbitraryTimes() {
    SplittableRandom r = new SplittableRandom(99);
    EventQueue q = new EventQueue(1);
    PriorityQueue<Ev> ref = new PriorityQueue<>(ORDER);
    long[] specials = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1};
    for (int op = 0; op < 200_000; op++) {
      if (ref.isEmpty() || r.nextInt(3) != 0) {
        long t = r.nextInt(10) == 0 ? specials[r.nextInt(specials.length)] : r.nextLong();
        long s = q.push(t, 0, op, 0);
        ref.add(new Ev(t, s, 0, op, 0));
      } else {
        Ev e = ref.poll();
        assertEquals(e.time(), q.peekTime());
        assertEquals(e.target(), q.peekTarget());
        q.removeHead();
      }
    }
  }

  /** The queue's head is the reference's next event, field by field. */
  private static void assertHeadIs(Ev e, EventQueue q, int pops) {
    assertEquals(e.seq(), q.peekSeq(), "seq at pop " + pops);
    assertEquals(e.time(), q.peekTime(), "time at pop " + pops);
    assertEquals(e.type(), q.peekType(), "type at pop " + pops);
    assertEquals(e.target(), q.peekTarget(), "target at pop " + pops);
    assertEquals(e.arg(), q.peekArg(), "arg at pop " + pops);
  }
}
