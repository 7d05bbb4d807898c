package dev.chorus.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Repeats and discoveries (session.repeatShare), with fixed seeds. */
class RepeatsTest {
  private static final int LISTENERS = 50;

  private static Workload workload(String repeatShare, String choice) {
    WorkloadConfig c = WorkloadConfig.builder()
        .catalogueTracks(2000)
        .set(WorkloadConfig.SESSION_REPEAT_SHARE, repeatShare)
        .set(WorkloadConfig.SESSION_REPEAT_CHOICE, choice)
        .build();
    return new Workload(c, new SplittableRandom(3));
  }

  /** One listener's plays over a number of sessions: track, repeat, sequential, heard. */
  private static List<long[]> plays(Workload w, RepeatMemory memory, int listener, int sessions,
      SplittableRandom rng) {
    SessionModel m = w.sessions();
    PlayCursor c = new PlayCursor();
    List<long[]> out = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      m.startSession(rng, c, memory, listener);
      do {
        out.add(new long[] {c.track(), c.repeat() ? 1 : 0, c.sequential() ? 1 : 0,
            c.listenedMillis()});
      } while (m.advance(rng, c, memory, listener));
    }
    return out;
  }

  @Test
  void offAndAShareOfZeroDrawTheSameTracksAsTheModelWithoutRepeats() {
    Workload off = workload("off", "recency");
    Workload zero = workload("0", "recency");
    for (int listener = 0; listener < LISTENERS; listener++) {
      SplittableRandom a = new SplittableRandom(100 + listener);
      SplittableRandom b = new SplittableRandom(100 + listener);
      SplittableRandom c = new SplittableRandom(100 + listener);
      List<long[]> plain = new ArrayList<>();
      SessionModel m = off.sessions();
      PlayCursor cursor = new PlayCursor();
      for (int s = 0; s < 20; s++) { // the calls without a memory, as before repeats existed
        m.startSession(a, cursor);
        do {
          plain.add(new long[] {cursor.track(), 0, cursor.sequential() ? 1 : 0,
              cursor.listenedMillis()});
        } while (m.advance(a, cursor));
      }
      List<long[]> withOff = plays(off, RepeatMemory.of(off.config(), LISTENERS), listener, 20, b);
      List<long[]> withZero = plays(zero, RepeatMemory.of(zero.config(), LISTENERS), listener, 20, c);
      assertEquals(plain.size(), withOff.size());
      assertEquals(plain.size(), withZero.size());
      for (int i = 0; i < plain.size(); i++) {
        assertArrayEquals(plain.get(i), withOff.get(i), "play " + i);
        assertArrayEquals(plain.get(i), withZero.get(i), "play " + i);
      }
      // The random streams were used alike, draw for draw.
      long next = a.nextLong();
      assertEquals(next, b.nextLong());
      assertEquals(next, c.nextLong());
    }
  }

  @Test
  void withAShareOfOneEveryPlayAfterTheFirstReplaysIt() {
    Workload w = workload("1", "recency");
    RepeatMemory memory = RepeatMemory.of(w.config(), LISTENERS);
    for (int listener = 0; listener < LISTENERS; listener++) {
      List<long[]> p = plays(w, memory, listener, 10, new SplittableRandom(listener));
      assertTrue(p.size() > 10);
      assertEquals(0, p.get(0)[1], "the first play has nothing to repeat");
      for (int i = 1; i < p.size(); i++) {
        assertEquals(1, p.get(i)[1], "play " + i + " is a repeat");
        assertEquals(p.get(0)[0], p.get(i)[0], "play " + i + " replays the only track played");
        assertEquals(0, p.get(i)[2], "a repeat is not sequential");
      }
    }
  }

  @Test
  void theShareOfRepeatsAmongPlaysIsTheConfiguredShare() {
    Workload w = workload("0.5", "count");
    RepeatMemory memory = RepeatMemory.of(w.config(), LISTENERS);
    long plays = 0;
    long repeats = 0;
    for (int listener = 0; listener < LISTENERS; listener++) {
      List<long[]> p = plays(w, memory, listener, 400, new SplittableRandom(7 + listener));
      for (int i = 1; i < p.size(); i++) { // the first play cannot be a repeat
        plays++;
        repeats += p.get(i)[1];
      }
    }
    assertTrue(plays > 50_000, "plays " + plays);
    assertEquals(0.5, (double) repeats / plays, 0.01, "repeats " + repeats + " of " + plays);
  }

  @Test
  void theSameSeedsGiveTheSameRepeats() {
    Workload w = workload("0.6", "recency");
    List<long[]> a = plays(w, RepeatMemory.of(w.config(), 1), 0, 50, new SplittableRandom(5));
    List<long[]> b = plays(w, RepeatMemory.of(w.config(), 1), 0, 50, new SplittableRandom(5));
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i));
    }
  }

  // ---- the memory and its choice rules -------------------------------------------------------

  @Test
  void theMemoryKeepsTheLatestPlaysUpToItsWindow() {
    RepeatMemory m = new RepeatMemory(2, 1000, WorkloadConfig.RepeatChoice.COUNT);
    assertEquals(0, m.size(0));
    assertEquals(-1, m.pick(0, new SplittableRandom(1)));
    for (int i = 0; i < 2500; i++) {
      m.record(0, i);
    }
    assertEquals(1000, m.size(0));
    assertEquals(2499, m.back(0, 1));
    assertEquals(1500, m.back(0, 1000));
    assertEquals(0, m.size(1), "listeners do not share a memory");
    assertThrows(IllegalArgumentException.class, () -> m.back(0, 1001));
  }

  @Test
  void recencyPicksThePlayKBackWithProbabilityLnOfKPlusOneOverK() {
    int n = 9;
    RepeatMemory m = new RepeatMemory(1, 100, WorkloadConfig.RepeatChoice.RECENCY);
    for (int i = 0; i < n; i++) {
      m.record(0, 100 + i); // the play k back holds track 100 + n - k
    }
    SplittableRandom rng = new SplittableRandom(11);
    int draws = 400_000;
    long[] seen = new long[n + 1];
    for (int i = 0; i < draws; i++) {
      seen[100 + n - m.pick(0, rng)]++;
    }
    double chi2 = 0;
    for (int k = 1; k <= n; k++) {
      double expected = draws * Math.log((k + 1.0) / k) / Math.log(n + 1.0);
      chi2 += (seen[k] - expected) * (seen[k] - expected) / expected;
    }
    // 8 degrees of freedom: the 0.999 quantile is 26.1.
    assertTrue(chi2 < 26.1, "chi-square " + chi2);
    assertTrue(seen[1] > 3 * seen[n], "the latest play comes back far more often than the oldest");
  }

  @Test
  void countPicksEveryPlayOfTheWindowAlikeSoTracksComeBackByPlayCount() {
    RepeatMemory m = new RepeatMemory(1, 4, WorkloadConfig.RepeatChoice.COUNT);
    for (int track : new int[] {9, 7, 7, 7, 5, 5}) { // the window keeps 7, 7, 5, 5
      m.record(0, track);
    }
    SplittableRandom rng = new SplittableRandom(2);
    int draws = 200_000;
    int sevens = 0;
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < draws; i++) {
      int t = m.pick(0, rng);
      picked.add(t);
      sevens += t == 7 ? 1 : 0;
    }
    assertEquals(Set.of(5, 7), picked, "the play that left the window is never picked");
    assertEquals(0.5, (double) sevens / draws, 0.005);
  }

  // ---- in the listening history -----------------------------------------------------------------

  /** Unbounded caches that count hits and inserts. */
  private static final class Counting implements ListeningHistory.Caches {
    final Set<Long> held = new HashSet<>();
    final Set<Integer> listeners = new HashSet<>();
    long hits;
    long inserts;

    @Override
    public boolean touch(int host, int track) {
      boolean hit = held.contains(((long) host << 32) | track);
      hits += hit ? 1 : 0;
      return hit;
    }

    @Override
    public void insert(int host, int track) {
      inserts++;
      listeners.add(host);
      held.add(((long) host << 32) | track);
    }
  }

  private static ListeningHistory.Result history(Workload w, Counting caches, RepeatMemory memory) {
    return new ListeningHistory(w).run(LISTENERS, 5, 0.005,
        host -> new SplittableRandom(1000 + host), caches, memory);
  }

  @Test
  void inTheHistoryWithAShareOfOneEveryPlayButEachListenersFirstHits() {
    Workload w = workload("1", "recency");
    Counting caches = new Counting();
    ListeningHistory.Result r = history(w, caches, RepeatMemory.of(w.config(), LISTENERS));
    assertTrue(caches.hits > 100 * LISTENERS, "plays happened: " + caches.hits);
    assertEquals(caches.listeners.size(), caches.inserts, "one miss per listener: its first play");
    assertTrue(r.lastDay() > 0.999, "every byte of the last day came from the cache: " + r.lastDay());
  }

  @Test
  void inTheHistoryWithAShareOfZeroNothingHitsThoughTracksAreHeld() {
    Workload zero = workload("0", "recency");
    Counting caches = new Counting();
    ListeningHistory.Result r = history(zero, caches, RepeatMemory.of(zero.config(), LISTENERS));
    assertArrayEquals(new double[5], r.dailyCacheShare(), "a discovery never comes from the cache");
    assertTrue(caches.held.size() < caches.inserts, "held tracks were drawn again: "
        + caches.held.size() + " held, " + caches.inserts + " plays");

    Workload off = workload("off", "recency");
    Counting offCaches = new Counting();
    ListeningHistory.Result plain = history(off, offCaches, RepeatMemory.of(off.config(), LISTENERS));
    assertTrue(plain.lastDay() > 0.1, "without repeats a held track hits: " + plain.lastDay());
    assertEquals(caches.held, offCaches.held, "the same tracks were played");
    assertFalse(plain.lastDay() == r.lastDay());
  }
}
