package dev.chorus.tracker.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrefixCountersTest {
  /** What a counter should hold, kept with a HashMap beside the one under test. */
  private static final class Expected {
    int slot;
    int entries;
    int peers;
  }

  @Test
  void agreesWithAMapThroughJoinsLeavesAndEntryChanges() {
    SplittableRandom r = new SplittableRandom(5);
    PrefixCounters counters = new PrefixCounters(r.nextLong());
    Map<Long, Expected> model = new HashMap<>();
    List<Long> keys = new ArrayList<>();
    for (int step = 0; step < 200_000; step++) {
      // A small key space so that joins, leaves and reuse of slots all happen often; the keys
      // cluster (consecutive addresses) so that probe runs form and deletions shift them.
      long key = r.nextInt(4) == 0 ? r.nextLong() : 0xc000_0200L + r.nextInt(3_000);
      int op = r.nextInt(10);
      if (op < 5) {
        int slot = counters.join(key);
        Expected e = model.computeIfAbsent(key, k -> new Expected());
        if (e.peers == 0) {
          keys.add(key);
        }
        e.slot = slot;
        e.peers++;
      } else if (!keys.isEmpty()) {
        long k = keys.get(r.nextInt(keys.size()));
        Expected e = model.get(k);
        if (op < 8) {
          int delta = r.nextInt(5);
          counters.addEntries(e.slot, delta);
          e.entries += delta;
        } else {
          counters.addEntries(e.slot, -e.entries);
          e.entries = 0;
          counters.leave(e.slot);
          if (--e.peers == 0) {
            model.remove(k);
            keys.remove(k);
          }
        }
      }
      if (step % 5_000 == 0) {
        check(counters, model);
      }
    }
    check(counters, model);
  }

  private static void check(PrefixCounters counters, Map<Long, Expected> model) {
    assertEquals(model.size(), counters.size());
    for (Map.Entry<Long, Expected> e : model.entrySet()) {
      int slot = counters.find(e.getKey());
      assertEquals(e.getValue().slot, slot, "slot of " + e.getKey());
      assertEquals(e.getValue().entries, counters.entries(slot));
      assertEquals(e.getValue().peers, counters.peers(slot));
      assertEquals(e.getKey(), counters.key(slot));
    }
  }

  @Test
  void aKeyThatLeftIsGoneAndItsSlotIsReused() {
    PrefixCounters counters = new PrefixCounters(1);
    int a = counters.join(10);
    assertEquals(a, counters.join(10), "a second peer of the prefix shares the counter");
    counters.leave(a);
    assertEquals(a, counters.find(10));
    counters.leave(a);
    assertEquals(-1, counters.find(10));
    assertEquals(a, counters.join(11), "the freed slot is taken again");
    assertTrue(counters.retainedBytes() > 0);
  }

  @Test
  void aCounterCannotGoWhileItStillCountsEntries() {
    PrefixCounters counters = new PrefixCounters(1);
    int a = counters.join(10);
    counters.addEntries(a, 3);
    assertThrows(IllegalStateException.class, () -> counters.leave(a));
  }
}
