package dev.chorus.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DiurnalTest {
  private static final long HOUR = 3_600_000_000_000L;
  private final Diurnal diurnal = Diurnal.of(WorkloadConfig.defaults());

  @Test
  void curveHasMeanOneTheConfiguredRatioAndAnEveningPeak() {
    double sum = 0;
    double min = Double.MAX_VALUE;
    double max = 0;
    double argmax = 0;
    int steps = 86_400;
    for (int i = 0; i < steps; i++) {
      double f = diurnal.relativeRateAtSeconds(i);
      sum += f;
      min = Math.min(min, f);
      if (f > max) {
        max = f;
        argmax = i / 3600.0;
      }
    }
    assertEquals(1.0, sum / steps, 1e-9);
    assertEquals(0.3, min / max, 1e-6);
    assertEquals(21.0, argmax, 1e-3);
    assertEquals(max, diurnal.maxRelativeRate(), 1e-9);
    assertEquals(min, diurnal.minRelativeRate(), 1e-6);
    for (double b : new double[] {0, 0.1, 0.5, 1}) {
      Diurnal d = new Diurnal(9, 0.5, b);
      double lo = Double.MAX_VALUE;
      double hi = 0;
      for (int i = 0; i < steps; i++) {
        lo = Math.min(lo, d.relativeRateAtSeconds(i));
        hi = Math.max(hi, d.relativeRateAtSeconds(i));
      }
      assertEquals(0.5, lo / hi, 1e-6, "b=" + b);
    }
  }

  @Test
  void cumulativeIsTheIntegral() {
    double integral = 0;
    for (int i = 0; i < 2 * 86_400; i++) {
      integral += diurnal.relativeRateAtSeconds(i + 0.5);
      if (i % 7_919 == 0) {
        assertEquals(integral, diurnal.cumulativeSeconds(i + 1), 1e-3);
      }
    }
    assertEquals(2 * 86_400, diurnal.cumulativeSeconds(2 * 86_400), 1e-6);
  }

  @Test
  void thinningSamplerFollowsTheCurve() {
    SplittableRandom rng = new SplittableRandom(2024);
    int days = 10;
    double meanRate = 0.25; // arrivals per second: ~216,000 in 10 days
    long[] counts = new long[24];
    long t = 0;
    long end = days * 24 * HOUR;
    long arrivals = 0;
    while (true) {
      t = diurnal.nextArrival(rng, t, meanRate);
      if (t >= end) {
        break;
      }
      counts[(int) (t / HOUR % 24)]++;
      arrivals++;
    }
    double chi2 = 0;
    for (int h = 0; h < 24; h++) {
      double expected = meanRate * days
          * (diurnal.cumulativeSeconds((h + 1) * 3600.0) - diurnal.cumulativeSeconds(h * 3600.0));
      chi2 += (counts[h] - expected) * (counts[h] - expected) / expected;
    }
    // 24 buckets: the 99.9% quantile of chi-square with 24 degrees of freedom is 51.2.
    assertTrue(chi2 < 51.2, "chi2=" + chi2);
    assertEquals(meanRate * days * 86_400, arrivals, 5 * Math.sqrt(meanRate * days * 86_400));
    assertTrue(counts[21] > 2.5 * counts[5], "evening busier than early morning");
  }

  @Test
  void warpInvertsTheCumulativeRate() {
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 10_000; i++) {
      long from = (long) (rng.nextDouble() * 5 * 24 * HOUR);
      long op = (long) (rng.nextDouble() * 30 * HOUR);
      long to = diurnal.warp(from, op);
      assertTrue(to >= from);
      double done = diurnal.cumulativeSeconds(to * 1e-9) - diurnal.cumulativeSeconds(from * 1e-9);
      assertEquals(op * 1e-9, done, 1e-5);
    }
    assertEquals(123, diurnal.warp(123, 0));
    // a full day of operational time is a full day of wall time
    assertEquals(24 * HOUR, diurnal.warp(0, 24 * HOUR), 1000);
  }

  @Test
  void sameSeedSameArrivals() {
    SplittableRandom a = new SplittableRandom(5);
    SplittableRandom b = new SplittableRandom(5);
    long ta = 0;
    long tb = 0;
    for (int i = 0; i < 10_000; i++) {
      ta = diurnal.nextArrival(a, ta, 1.0);
      tb = diurnal.nextArrival(b, tb, 1.0);
      assertEquals(ta, tb);
    }
  }
}
