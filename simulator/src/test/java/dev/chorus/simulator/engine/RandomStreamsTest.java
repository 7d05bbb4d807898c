package dev.chorus.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomStreamsTest {

  private static long[] draw(SplittableRandom r, int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = r.nextLong();
    }
    return out;
  }

  @Test
  void sameSeedAndConcernGiveTheSameSequence() {
    assertArrayEquals(
        draw(new RandomStreams(1).stream("workload"), 100),
        draw(new RandomStreams(1).stream("workload"), 100));
    assertArrayEquals(
        draw(new RandomStreams(1).stream("peer", 5), 100),
        draw(new RandomStreams(1).stream("peer", 5), 100));
  }

  @Test
  void aStreamDoesNotDependOnWhichOthersExistOrTheirOrder() {
    RandomStreams s = new RandomStreams(77);
    long[] alone = draw(s.stream("network"), 50);

    RandomStreams t = new RandomStreams(77);
    SplittableRandom churn = t.stream("churn");
    draw(churn, 1_000);
    SplittableRandom fresh = t.stream("a-new-concern");
    draw(fresh, 1_000);
    assertArrayEquals(alone, draw(t.stream("network"), 50));
  }

  @Test
  void differentConcernsIndicesAndSeedsDiffer() {
    Set<Long> firsts = new HashSet<>();
    RandomStreams s = new RandomStreams(3);
    String[] names = {"workload", "network", "churn", "peer", "peer/0", "peer/1", "p", "pe", "eep"};
    for (String name : names) {
      assertTrue(firsts.add(s.stream(name).nextLong()), name);
    }
    for (int i = 0; i < 100_000; i++) {
      assertTrue(firsts.add(s.stream("peer", i).nextLong()), "peer " + i);
    }
    assertTrue(firsts.add(s.stream("cache", 0).nextLong()));
    assertNotEquals(new RandomStreams(3).seed("workload"), new RandomStreams(4).seed("workload"));
    assertNotEquals(s.seed("peer", 0), s.seed("peer", 1));
    assertNotEquals(s.seed("peer"), s.seed("peer", 0));
  }

  /** Per-peer streams are not shifted copies of each other (the reason for the split). */
  @Test
  void indexedStreamsDoNotOverlap() {
    RandomStreams s = new RandomStreams(11);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      SplittableRandom r = s.stream("peer", i);
      for (int k = 0; k < 1_000; k++) {
        assertTrue(seen.add(r.nextLong()), "repeat in peer " + i + " draw " + k);
      }
    }
  }

  @Test
  void replicationsAreDistinctAndReproducible() {
    RandomStreams s = new RandomStreams(5);
    assertEquals(s.replication(0).masterSeed(), new RandomStreams(5).replication(0).masterSeed());
    Set<Long> seeds = new HashSet<>();
    for (int r = 0; r < 1000; r++) {
      assertTrue(seeds.add(s.replication(r).masterSeed()));
    }
    assertTrue(seeds.add(s.masterSeed()));
    assertThrows(IllegalArgumentException.class, () -> s.replication(-1));
  }

  @Test
  void rejectsEmptyNames() {
    RandomStreams s = new RandomStreams(0);
    assertThrows(IllegalArgumentException.class, () -> s.stream(""));
    assertThrows(IllegalArgumentException.class, () -> s.stream(null));
    assertThrows(IllegalArgumentException.class, () -> s.stream("", 1));
  }

  /**
   * Pins the first values of known streams. A change here means every simulation result changes
   * (a JDK whose SplittableRandom differs, or an edit to the derivation): fail loudly instead.
   */
  @Test
  void sequencesArePinned() {
    RandomStreams s = new RandomStreams(42);
    assertArrayEquals(GOLDEN_WORKLOAD_42, draw(s.stream("workload"), 3));
    assertArrayEquals(GOLDEN_PEER_7_42, draw(s.stream("peer", 7), 3));
    assertEquals(GOLDEN_REPLICATION_1_42, s.replication(1).masterSeed());
  }

  private static final long[] GOLDEN_WORKLOAD_42 = {
    -314624616950868872L, -127860064032186919L, -2246998179310987014L
  };
  private static final long[] GOLDEN_PEER_7_42 = {
    4815083332664376977L, -3193454733825600637L, 4448164090899841625L
  };
  private static final long GOLDEN_REPLICATION_1_42 = -4310773817196057045L;
}
