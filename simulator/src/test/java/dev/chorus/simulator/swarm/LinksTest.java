package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.agrona.collections.LongHashSet;
import org.junit.jupiter.api.Test;

class LinksTest {

  /** Random adds and removes: membership and iteration order are a HashSet's, step by step. */
  @Test
  void behavesAsAHashSetOfIntegers() {
    SplittableRandom rng = new SplittableRandom(3);
    LongHashSet table = Links.newTable();
    Links links = new Links(table, 7);
    // Another peer's links in the same table, with hosts of their own and some shared.
    Links others = new Links(table, 8);
    HashSet<Integer> reference = new HashSet<>();
    HashSet<Integer> othersReference = new HashSet<>();
    for (int step = 0; step < 20_000; step++) {
      int host = rng.nextInt(1_000_000) % (rng.nextBoolean() ? 90 : 1_000_000);
      switch (rng.nextInt(5)) {
        case 0, 1 -> assertEquals(reference.add(host), links.add(host));
        case 2, 3 -> assertEquals(reference.remove(host), links.remove(host));
        default -> {
          int other = rng.nextInt(200);
          if (rng.nextBoolean()) {
            assertEquals(othersReference.add(other), others.add(other));
          } else {
            assertEquals(othersReference.remove(other), others.remove(other));
          }
          if (rng.nextInt(50) == 0) {
            reference.clear();
            links.clear();
          }
        }
      }
      assertEquals(reference.contains(host), links.contains(host));
      assertEquals(reference.contains(host), Links.linked(table, 7, host));
      assertEquals(othersReference.contains(host), others.contains(host));
      if (step % 97 == 0) {
        List<Integer> order = new ArrayList<>();
        links.inOrder().forEach(order::add);
        assertEquals(new ArrayList<>(reference), order);
        for (int h : reference) {
          assertTrue(links.contains(h));
        }
        assertEquals(reference.size() + othersReference.size(), table.size());
      }
    }
  }
}
