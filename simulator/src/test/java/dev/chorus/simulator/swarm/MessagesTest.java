package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MessagesTest {

  /** A message in flight, as the reference keeps it. */
  private record Sent(int slot, int kind, long id, int first, int count, int small, Object payload,
      Object detail) {}

  /**
   * Thousands of messages in flight (the pool grows past its first size), taken and released in
   * random order: each reads back what was written, whatever its slot held before.
   */
  @Test
  void eachSlotReadsBackItsOwnFieldsAcrossReuseAndGrowth() {
    SplittableRandom rng = new SplittableRandom(5);
    Messages m = new Messages();
    ArrayDeque<Sent> inFlight = new ArrayDeque<>();
    for (int step = 0; step < 50_000; step++) {
      if (inFlight.isEmpty() || (rng.nextInt(3) > 0 && inFlight.size() < 5_000)) {
        int kind = rng.nextInt(7);
        int slot = m.take(kind, null, null);
        long id = rng.nextLong();
        int first = rng.nextInt();
        int count = rng.nextInt();
        int small = rng.nextBoolean() ? rng.nextInt() : 0;
        Object payload = rng.nextBoolean() ? new Object() : null;
        Object detail = rng.nextBoolean() ? new Object() : null;
        m.id(slot, id);
        m.range(slot, first, count);
        if (small != 0) {
          m.small(slot, small);
        }
        if (payload != null) {
          m.payload(slot, payload);
        }
        if (detail != null) {
          m.detail(slot, detail);
        }
        Sent s = new Sent(slot, kind, id, first, count, small, payload, detail);
        if (rng.nextBoolean()) {
          inFlight.addFirst(s);
        } else {
          inFlight.addLast(s);
        }
      } else {
        Sent s = rng.nextBoolean() ? inFlight.pollFirst() : inFlight.pollLast();
        assertEquals(s.kind(), m.kind(s.slot()));
        assertEquals(s.id(), m.id(s.slot()));
        assertEquals(s.first(), m.first(s.slot()));
        assertEquals(s.count(), m.count(s.slot()));
        assertEquals(s.small(), m.small(s.slot()));
        assertSame(s.payload(), m.payload(s.slot()));
        assertSame(s.detail(), m.detail(s.slot()));
        m.release(s.slot());
        assertNull(m.payload(s.slot()));
        assertNull(m.detail(s.slot()));
      }
    }
  }
}
