package dev.chorus.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfPopularityTest {
  private static final int N = WorkloadConfig.defaults().catalogueTracks();

  private static double exactHarmonic(long n, double s) {
    double sum = 0;
    for (long k = n; k >= 1; k--) {
      sum += Math.pow(k, -s);
    }
    return sum;
  }

  @Test
  void harmonicMatchesTheExactSum() {
    for (double s : new double[] {0.3, 0.9, 1.0, 1.0321, 1.5, 3.0}) {
      for (long n : new long[] {1, 7, 1000, 1001, 54_321, 1_000_000}) {
        double exact = exactHarmonic(n, s);
        assertEquals(exact, ZipfPopularity.harmonic(n, s), exact * 1e-12, "n=" + n + " s=" + s);
      }
    }
  }

  @Test
  void fittedExponentPutsEightyEightPercentOfPlaysInTheTopTwelvePercentAnalytically() {
    double s = ZipfPopularity.fitExponent(N, 0.12, 0.88);
    assertEquals(1.0321, s, 5e-4, "fitted exponent for the default catalogue");
    long top = ZipfPopularity.topRanks(N, 0.12);
    assertEquals(120_000, top);
    double share = exactHarmonic(top, s) / exactHarmonic(N, s);
    assertEquals(0.88, share, 0.005);
    assertEquals(0.88, share, 1e-9, "the fit is exact, not just within tolerance");
    assertEquals(s, WorkloadConfig.defaults().popularityExponentOrFit(), 0);
  }

  @Test
  void fittedExponentPutsEightyEightPercentOfDrawsInTheTopTwelvePercentBySampling() {
    double s = ZipfPopularity.fitExponent(N, 0.12, 0.88);
    ZipfPopularity zipf =
        new ZipfPopularity(N, s, 12, WorkloadConfig.Layout.ALBUM, new SplittableRandom(1));
    SplittableRandom rng = new SplittableRandom(42);
    int draws = 1_000_000;
    int inTop = 0;
    for (int i = 0; i < draws; i++) {
      int r = zipf.sampleRank(rng);
      assertTrue(r >= 0 && r < N);
      if (r < 120_000) {
        inTop++;
      }
    }
    assertEquals(0.88, (double) inTop / draws, 0.005);
  }

  @Test
  void sampledRanksFollowTheProbabilities() {
    for (double s : new double[] {0.5, 1.0, 1.8}) {
      int n = 20;
      ZipfPopularity zipf =
          new ZipfPopularity(n, s, 4, WorkloadConfig.Layout.SCATTERED, new SplittableRandom(3));
      SplittableRandom rng = new SplittableRandom(7);
      int draws = 400_000;
      long[] counts = new long[n];
      for (int i = 0; i < draws; i++) {
        counts[zipf.sampleRank(rng)]++;
      }
      double chi2 = 0;
      double total = 0;
      for (int r = 0; r < n; r++) {
        double expected = draws * zipf.probability(r);
        total += zipf.probability(r);
        chi2 += (counts[r] - expected) * (counts[r] - expected) / expected;
      }
      assertEquals(1.0, total, 1e-12);
      // 19 degrees of freedom: the 99.9% quantile is 43.8.
      assertTrue(chi2 < 43.8, "s=" + s + " chi2=" + chi2);
    }
  }

  @Test
  void fitWorksForOtherSizesAndTargets() {
    for (long n : new long[] {100, 10_000, 8_000_000, 50_000_000}) {
      double s = ZipfPopularity.fitExponent(n, 0.21, 0.79);
      long top = ZipfPopularity.topRanks(n, 0.21);
      assertEquals(0.79, ZipfPopularity.harmonic(top, s) / ZipfPopularity.harmonic(n, s), 1e-9);
    }
    assertThrows(IllegalArgumentException.class, () -> ZipfPopularity.fitExponent(1000, 0.5, 0.4));
    assertThrows(IllegalArgumentException.class, () -> ZipfPopularity.fitExponent(1, 0.12, 0.88));
  }

  @Test
  void ranksMapToTracksOneToOne() {
    for (WorkloadConfig.Layout layout : WorkloadConfig.Layout.values()) {
      int n = 1003; // a short last album
      ZipfPopularity zipf = new ZipfPopularity(n, 1.1, 10, layout, new SplittableRandom(5));
      boolean[] seen = new boolean[n];
      for (int r = 0; r < n; r++) {
        int t = zipf.trackOfRank(r);
        assertTrue(!seen[t], "track " + t + " twice");
        seen[t] = true;
        assertEquals(r, zipf.rankOfTrack(t));
      }
      // the most popular tracks are not simply the first ids
      int firstIds = 0;
      for (int r = 0; r < 10; r++) {
        if (zipf.trackOfRank(r) < 10) {
          firstIds++;
        }
      }
      assertTrue(firstIds < 10, layout.toString());
    }
  }

  @Test
  void albumLayoutGivesEachAlbumConsecutiveRanks() {
    int n = 1003;
    int k = 10;
    ZipfPopularity zipf =
        new ZipfPopularity(n, 1.1, k, WorkloadConfig.Layout.ALBUM, new SplittableRandom(5));
    for (int album = 0; album * k < n; album++) {
      int lo = Integer.MAX_VALUE;
      int hi = Integer.MIN_VALUE;
      int len = Math.min(k, n - album * k);
      for (int t = album * k; t < album * k + len; t++) {
        lo = Math.min(lo, zipf.rankOfTrack(t));
        hi = Math.max(hi, zipf.rankOfTrack(t));
      }
      assertEquals(len - 1, hi - lo, "album " + album);
      assertEquals(0, lo % k, "album " + album + " starts a rank block");
    }
    assertEquals(1000, zipf.rankOfTrack(1000) / k * k, "the short album holds the last block");
  }

  @Test
  void sameSeedSameDraws() {
    ZipfPopularity a =
        new ZipfPopularity(100_000, 1.07, 12, WorkloadConfig.Layout.ALBUM, new SplittableRandom(9));
    ZipfPopularity b =
        new ZipfPopularity(100_000, 1.07, 12, WorkloadConfig.Layout.ALBUM, new SplittableRandom(9));
    SplittableRandom ra = new SplittableRandom(11);
    SplittableRandom rb = new SplittableRandom(11);
    int[] xa = new int[10_000];
    int[] xb = new int[10_000];
    for (int i = 0; i < xa.length; i++) {
      xa[i] = a.sampleTrack(ra);
      xb[i] = b.sampleTrack(rb);
    }
    assertArrayEquals(xa, xb);
  }
}
