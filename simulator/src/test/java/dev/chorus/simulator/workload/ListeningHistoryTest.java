package dev.chorus.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ListeningHistoryTest {
  private static final int PEERS = 200;

  /** Unbounded caches: a set of tracks per peer. */
  private static final class Unbounded implements ListeningHistory.Caches {
    final Set<Long> held = new HashSet<>();
    long inserts;

    @Override
    public boolean touch(int host, int track) {
      return held.contains(((long) host << 32) | track);
    }

    @Override
    public void insert(int host, int track) {
      inserts++;
      held.add(((long) host << 32) | track);
    }
  }

  private static ListeningHistory.Result run(int days, ListeningHistory.Caches caches) {
    WorkloadConfig c = WorkloadConfig.builder().catalogueTracks(500).build();
    Workload w = new Workload(c, new SplittableRandom(1));
    return new ListeningHistory(w).run(PEERS, days, 0.005,
        host -> new SplittableRandom(1000 + host), caches);
  }

  @Test
  void theDailyCacheShareGrowsFromNothingAsCachesFill() {
    Unbounded caches = new Unbounded();
    ListeningHistory.Result r = run(6, caches);
    assertEquals(6, r.days());
    assertTrue(caches.inserts > PEERS, "plays happened: " + caches.inserts);
    double[] s = r.dailyCacheShare();
    assertTrue(s[0] < s[5], "share grows: " + java.util.Arrays.toString(s));
    assertTrue(s[5] > 0.3, "a peer replays popular tracks it kept: " + s[5]);
  }

  @Test
  void withNoCacheNothingIsEverHitAndTheShareHasConvergedAtZero() {
    ListeningHistory.Result r = run(3, new ListeningHistory.Caches() {
      @Override
      public boolean touch(int host, int track) {
        return false;
      }

      @Override
      public void insert(int host, int track) {}
    });
    assertArrayEquals(new double[] {0, 0, 0}, r.dailyCacheShare());
    assertTrue(r.converged());
  }

  @Test
  void convergenceIsTheLastDaysChangeAgainstTheTolerance() {
    assertTrue(new ListeningHistory.Result(new double[] {0.1, 0.3, 0.303}, 0.005).converged());
    assertFalse(new ListeningHistory.Result(new double[] {0.1, 0.3, 0.31}, 0.005).converged());
    assertFalse(new ListeningHistory.Result(new double[] {0.3}, 0.005).converged());
    assertEquals(0.01, new ListeningHistory.Result(new double[] {0.3, 0.31}, 0).lastChange(), 1e-12);
    assertEquals(3, new ListeningHistory.Result(new double[] {0.1, 0.2, 0.3, 0.301, 0.302}, 0.005)
        .daysToConverge());
    assertEquals(-1, new ListeningHistory.Result(new double[] {0.1, 0.3, 0.31}, 0.005)
        .daysToConverge());
    assertEquals(1, new ListeningHistory.Result(new double[] {0, 0, 0}, 0.005).daysToConverge());
  }

  @Test
  void theSameSeedsGiveTheSameHistory() {
    assertArrayEquals(run(4, new Unbounded()).dailyCacheShare(),
        run(4, new Unbounded()).dailyCacheShare());
  }
}
