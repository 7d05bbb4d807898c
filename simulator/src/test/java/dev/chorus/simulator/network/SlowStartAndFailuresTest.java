package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlowStartAndFailuresTest {
  private static final long MS = 1_000_000L;

  @Test
  void aColdWindowCostsTheRoundTripsBeforeTheFlowReachesItsRate() {
    SlowStart s = new SlowStart(10_000);
    // 1 MB/s over 100 ms: the window must reach 100 kB. 50 kB go out in rounds of 10, 20, 40 kB:
    // three round trips (300 ms) instead of 50 ms at the rate.
    assertEquals(250 * MS, s.extraNanos(50_000, 1e6, 100 * MS), 1000);
    // 1 MB: 10+20+40+80 kB in four rounds (150 kB, 400 ms), the rest 850 kB at the rate (850 ms),
    // against 1000 ms at the rate from the start.
    assertEquals(250 * MS, s.extraNanos(1_000_000, 1e6, 100 * MS), 1000);
  }

  @Test
  void noExtraTimeWhenTheInitialWindowAlreadyCarriesTheRateOrSlowStartIsOff() {
    assertEquals(0, new SlowStart(200_000).extraNanos(1_000_000, 1e6, 100 * MS));
    assertEquals(0, new SlowStart(0).extraNanos(1_000_000, 1e6, 100 * MS));
    assertEquals(0, new SlowStart(10_000).extraNanos(1_000_000, Double.POSITIVE_INFINITY, 100 * MS));
    assertThrows(IllegalArgumentException.class, () -> new SlowStart(-1));
  }

  @Test
  void failuresArriveAtTheirRatesAndNeverAtRateZero() {
    PeerFailures f = new PeerFailures(2, 0.5, 60, 2000, 10);
    SplittableRandom rng = new SplittableRandom(3);
    int n = 100_000;
    double crash = 0;
    double slow = 0;
    for (int i = 0; i < n; i++) {
      crash += f.nextCrashNanos(rng);
      slow += f.nextSlowNanos(rng);
    }
    assertEquals(1800e9, crash / n, 1800e9 * 0.02); // mean 1/2 h
    assertEquals(7200e9, slow / n, 7200e9 * 0.02); // mean 2 h
    assertEquals(Long.MAX_VALUE, PeerFailures.none().nextCrashNanos(rng));
    assertEquals(Long.MAX_VALUE, PeerFailures.none().nextSlowNanos(rng));
    assertThrows(IllegalArgumentException.class, () -> new PeerFailures(-1, 0, 60, 2000, 10));
    assertThrows(IllegalArgumentException.class, () -> new PeerFailures(0, 0, 60, 2000, 7200));
  }
}
