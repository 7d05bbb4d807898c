package dev.chorus.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SessionModelTest {
  private static Workload workload(WorkloadConfig config, long seed) {
    return new Workload(config, new SplittableRandom(seed));
  }

  private static final WorkloadConfig SMALL =
      WorkloadConfig.builder().catalogueTracks(100_000).build();

  @Test
  void sixtyOnePercentOfAllPlaysAreSequential() {
    SessionModel model = workload(SMALL, 1).sessions();
    SplittableRandom rng = new SplittableRandom(2);
    PlayCursor c = new PlayCursor();
    long plays = 0;
    long sequential = 0;
    long sessions = 0;
    while (plays < 1_000_000) {
      model.startSession(rng, c);
      sessions++;
      do {
        plays++;
        if (c.sequential()) {
          sequential++;
        }
      } while (model.advance(rng, c));
    }
    assertEquals(0.61, (double) sequential / plays, 0.005);
    assertEquals(model.expectedPlays(), (double) plays / sessions, 0.05);
    assertEquals(5.0, model.expectedPlays(), 1e-6);
    assertEquals(0.7625, model.transitionSequentialProbability(), 1e-6);
  }

  @Test
  void sequentialPlaysFollowTheAlbumOrder() {
    SessionModel model = workload(SMALL, 1).sessions();
    SplittableRandom rng = new SplittableRandom(3);
    PlayCursor c = new PlayCursor();
    for (int s = 0; s < 10_000; s++) {
      model.startSession(rng, c);
      assertFalse(c.sequential(), "a session starts with a random access");
      int previous = c.track();
      while (model.advance(rng, c)) {
        if (c.sequential()) {
          assertEquals(model.catalogue().nextInAlbum(previous), c.track());
        }
        previous = c.track();
      }
      assertEquals(-1, c.nextTrack());
      assertTrue(c.last());
    }
  }

  @Test
  void playsOfTheTopTwelvePercentOfTracksAreEightyEightPercentWithAlbumLayout() {
    // Sequential plays stay within popularity-coherent albums, so the fit holds for all plays.
    assertEquals(0.88, topShareOfPlays(SMALL), 0.005);
    // With hits scattered over albums, sequential plays dilute the head badly.
    double scattered =
        topShareOfPlays(SMALL.toBuilder().layout(WorkloadConfig.Layout.SCATTERED).build());
    assertTrue(scattered < 0.5, "scattered: " + scattered);
  }

  private static double topShareOfPlays(WorkloadConfig config) {
    SessionModel model = workload(config, 4).sessions();
    ZipfPopularity zipf = model.popularity();
    long top = ZipfPopularity.topRanks(config.catalogueTracks(), config.topShare());
    SplittableRandom rng = new SplittableRandom(5);
    PlayCursor c = new PlayCursor();
    long plays = 0;
    long inTop = 0;
    while (plays < 1_000_000) {
      model.startSession(rng, c);
      do {
        plays++;
        if (zipf.rankOfTrack(c.track()) < top) {
          inTop++;
        }
      } while (model.advance(rng, c));
    }
    return (double) inTop / plays;
  }

  @Test
  void skipsAndSeeksHaveTheConfiguredRatesAndConsistentSegments() {
    WorkloadConfig config = SMALL.toBuilder().seekProbability(0.2).build();
    SessionModel model = workload(config, 6).sessions();
    SplittableRandom rng = new SplittableRandom(7);
    PlayCursor c = new PlayCursor();
    long plays = 0;
    long skipped = 0;
    long seeked = 0;
    long forward = 0;
    long skippedEarly = 0;
    while (plays < 500_000) {
      model.startSession(rng, c);
      do {
        plays++;
        int d = c.durationMillis();
        assertEquals(model.catalogue().durationMillis(c.track()), d);
        assertTrue(c.endMillis() >= 0 && c.endMillis() <= d, c.toString());
        assertTrue(c.seekFromMillis() >= 0 && c.seekFromMillis() <= d, c.toString());
        assertTrue(c.listenedMillis() >= 0, c.toString());
        if (c.skipped()) {
          skipped++;
          assertTrue(c.listenedMillis() <= d, c.toString());
          if (c.listenedMillis() < 30_000) {
            skippedEarly++;
          }
        } else {
          assertEquals(d, c.endMillis(), c.toString());
        }
        if (c.seeked()) {
          seeked++;
          assertTrue(c.seekToMillis() >= 0 && c.seekToMillis() <= c.endMillis(), c.toString());
          if (c.seekToMillis() >= c.seekFromMillis()) {
            forward++;
          }
        } else {
          assertEquals(c.endMillis(), c.seekFromMillis());
          assertEquals(-1, c.seekToMillis());
        }
      } while (model.advance(rng, c));
    }
    assertEquals(0.401, (double) skipped / plays, 0.005);
    assertEquals(0.2, (double) seeked / plays, 0.005);
    assertEquals(0.7, (double) forward / seeked, 0.01);
    // Lamere 2014: of skipped plays, 35.05/48.6 = 72% are skipped within 30 s.
    assertEquals(0.72, (double) skippedEarly / skipped, 0.03);
  }

  @Test
  void sessionLengthsAreTruncated() {
    WorkloadConfig config = SMALL.toBuilder().meanPlays(4).maxPlays(10).sequentialShare(0.5).build();
    SessionModel model = workload(config, 8).sessions();
    SplittableRandom rng = new SplittableRandom(9);
    long sum = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      int plays = model.samplePlays(rng);
      assertTrue(plays >= 1 && plays <= 10);
      sum += plays;
    }
    assertEquals(SessionModel.expectedPlays(4, 10), (double) sum / n, 0.02);
    assertEquals(1, SessionModel.expectedPlays(1, 10));
  }

  @Test
  void resumeContinuesASessionFromPrimitiveState() {
    SessionModel model = workload(SMALL, 10).sessions();
    PlayCursor a = new PlayCursor();
    SplittableRandom ra = new SplittableRandom(11);
    SplittableRandom rb = new SplittableRandom(11);
    model.startSession(ra, a);
    // what an engine would keep per peer in arrays
    PlayCursor scratch = new PlayCursor();
    SessionModel.resume(scratch, a.nextTrack(), a.nextSequential(), a.playIndex(), a.sessionPlays());
    // replay the same draws on rb up to the same point
    PlayCursor b = new PlayCursor();
    model.startSession(rb, b);
    while (model.advance(ra, a)) {
      assertTrue(model.advance(rb, scratch));
      assertEquals(a.toString(), scratch.toString());
    }
    assertFalse(model.advance(rb, scratch));
  }

  @Test
  void sameSeedSameSessions() {
    assertArrayEquals(trace(12), trace(12));
    assertFalse(java.util.Arrays.equals(trace(12), trace(13)));
  }

  private static int[] trace(long seed) {
    SessionModel model = workload(SMALL, seed).sessions();
    SplittableRandom rng = new SplittableRandom(seed);
    PlayCursor c = new PlayCursor();
    int[] out = new int[30_000];
    int i = 0;
    while (i < out.length) {
      model.startSession(rng, c);
      do {
        if (i + 3 > out.length) {
          return out;
        }
        out[i++] = c.track();
        out[i++] = c.endMillis();
        out[i++] = c.seekToMillis();
      } while (model.advance(rng, c));
    }
    return out;
  }
}
