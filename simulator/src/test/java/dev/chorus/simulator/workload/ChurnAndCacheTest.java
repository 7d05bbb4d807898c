package dev.chorus.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChurnAndCacheTest {
  private static final long HOUR = 3_600_000_000_000L;

  @Test
  void peersStartDesynchronisedInSteadyState() {
    WorkloadConfig config = WorkloadConfig.defaults();
    Churn churn = Churn.of(config, Diurnal.of(config));
    assertEquals(7200.0 / (7200 + 36_000), churn.onlineFraction(), 1e-12);
    SplittableRandom rng = new SplittableRandom(1);
    int peers = 200_000;
    int online = 0;
    long[] first = new long[peers];
    for (int i = 0; i < peers; i++) {
      boolean on = churn.startsOnline(rng);
      if (on) {
        online++;
      }
      first[i] = churn.firstTransitionNanos(rng, on);
      assertTrue(first[i] > 0);
    }
    assertEquals(churn.onlineFraction(), (double) online / peers, 0.005);
    // transitions are spread out: no minute holds more than 1% of them in the first hour
    int[] perMinute = new int[60];
    for (long t : first) {
      if (t < HOUR) {
        perMinute[(int) (t / (HOUR / 60))]++;
      }
    }
    int max = Arrays.stream(perMinute).max().orElse(0);
    assertTrue(max < peers / 100, "max per minute " + max);
  }

  @Test
  void onlineFractionStaysNearItsSteadyValue() {
    // Simulate 50,000 peers for 48 h and look at the share online at 24 h and 48 h: the diurnal
    // warp moves it around the long-run mean but not away from it.
    WorkloadConfig config = WorkloadConfig.defaults();
    Churn churn = Churn.of(config, Diurnal.of(config));
    SplittableRandom rng = new SplittableRandom(2);
    int peers = 50_000;
    long[] checkpoints = {12 * HOUR, 24 * HOUR, 36 * HOUR, 48 * HOUR};
    int[] onlineAt = new int[checkpoints.length];
    for (int p = 0; p < peers; p++) {
      boolean on = churn.startsOnline(rng);
      long t = 0;
      long next = churn.firstTransitionNanos(rng, on);
      int c = 0;
      while (c < checkpoints.length) {
        while (c < checkpoints.length && checkpoints[c] < next) {
          if (on) {
            onlineAt[c]++;
          }
          c++;
        }
        t = next;
        on = !on;
        next = on ? churn.onlineUntil(rng, t) : churn.offlineUntil(rng, t);
        assertTrue(next > t);
      }
    }
    for (int c = 0; c < checkpoints.length; c++) {
      double share = (double) onlineAt[c] / peers;
      assertTrue(share > 0.08 && share < 0.3, "online share at " + checkpoints[c] / HOUR + " h: " + share);
    }
    // evening (24 h is midnight, after the 21 h peak of arrivals) busier than noon
    assertTrue(onlineAt[1] > onlineAt[0], Arrays.toString(onlineAt));
  }

  @Test
  void distributionsHaveTheirMeans() {
    SplittableRandom rng = new SplittableRandom(3);
    for (Distribution d : new Distribution[] {
        Distribution.exponential(10), Distribution.lognormal(10, 0.5), Distribution.lognormal(10, 0)}) {
      double sum = 0;
      int n = 400_000;
      for (int i = 0; i < n; i++) {
        sum += d.sample(rng);
      }
      assertEquals(10, sum / n, 0.1, d.toString());
    }
    // residual life of a stationary renewal process has mean E[X²] / 2E[X]
    Distribution ln = Distribution.lognormal(10, 0.5);
    double sum = 0;
    int n = 400_000;
    for (int i = 0; i < n; i++) {
      sum += ln.sampleResidual(rng);
    }
    assertEquals(10 * Math.exp(0.25) / 2, sum / n, 0.1);
  }

  @Test
  void cacheSizesAreTenPercentOfFreeDiskClamped() {
    CacheSizes sizes = CacheSizes.of(WorkloadConfig.defaults());
    assertEquals(50_000_000L, sizes.cacheFor(1e8));
    assertEquals(3_000_000_000L, sizes.cacheFor(3e10));
    assertEquals(10_000_000_000L, sizes.cacheFor(5e11));
    long[] out = new long[100_000];
    sizes.fill(new SplittableRandom(4), out);
    Arrays.sort(out);
    assertTrue(out[0] >= 50_000_000L && out[out.length - 1] <= 10_000_000_000L);
    assertEquals(5e9, out[out.length / 2], 0.2e9, "median: 10% of a 50 GB median free disk");
  }
}
