package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyTest {
  private static final int PEERS = 5000;

  private static Latency gen(long seed) {
    return Latency.generate(Latency.Config.builder().build(), PEERS, PEERS, new SplittableRandom(seed));
  }

  @Test
  void rttIsCoordinateDistancePlusBothAccessDelays() {
    Latency l = gen(1);
    for (int a = 0; a < 50; a++) {
      int b = a + 100;
      double dx = l.x(a) - l.x(b);
      double dy = l.y(a) - l.y(b);
      assertEquals(Math.sqrt(dx * dx + dy * dy) + l.height(a) + l.height(b), l.rttMillis(a, b), 1e-9);
      assertEquals(l.rttMillis(a, b), l.rttMillis(b, a));
      assertEquals(0, l.rttMillis(a, a));
      assertEquals(Math.round(l.rttMillis(a, b) * 1e6), l.rttNanos(a, b));
      assertEquals(l.rttNanos(a, b) / 2.0, l.oneWayNanos(a, b), 1);
    }
  }

  @Test
  void cdnIsAtItsOwnDistance() {
    Latency l = gen(2);
    assertEquals(-1, l.region(PEERS));
    for (int p = 0; p < 20; p++) {
      assertEquals(l.height(p) + 20, l.rttMillis(p, PEERS), 1e-9);
      assertEquals(l.rttMillis(p, PEERS), l.rttMillis(PEERS, p));
    }
  }

  @Test
  void sameRegionIsCloserThanOtherRegions() {
    Latency l = gen(3);
    SplittableRandom r = new SplittableRandom(9);
    double[] same = new double[2000];
    double[] other = new double[2000];
    int s = 0;
    int o = 0;
    while (s < same.length || o < other.length) {
      int a = r.nextInt(PEERS);
      int b = r.nextInt(PEERS);
      if (a == b) {
        continue;
      }
      if (l.sameRegion(a, b) && s < same.length) {
        same[s++] = l.rttMillis(a, b);
      } else if (!l.sameRegion(a, b) && o < other.length) {
        other[o++] = l.rttMillis(a, b);
      }
    }
    Arrays.sort(same);
    Arrays.sort(other);
    double medianSame = same[same.length / 2];
    double medianOther = other[other.length / 2];
    // default: spread 10 ms per axis -> ~18 ms between peers, plus two ~10 ms access delays
    assertTrue(medianSame > 25 && medianSame < 55, "same-region median " + medianSame);
    assertTrue(medianOther > 2 * medianSame, "other-region median " + medianOther);
  }

  @Test
  void regionWeightsSetThePopulation() {
    Latency l = Latency.generate(
        Latency.Config.builder().regions(3).regionWeights(1, 1, 2).build(), 40_000, -1,
        new SplittableRandom(4));
    int[] n = new int[3];
    for (int p = 0; p < 40_000; p++) {
      n[l.region(p)]++;
    }
    assertEquals(0.5, n[2] / 40_000.0, 0.01);
    assertEquals(0.25, n[0] / 40_000.0, 0.01);
  }

  @Test
  void deterministicFromTheRandomStream() {
    Latency a = gen(5);
    Latency b = gen(5);
    Latency c = gen(6);
    boolean differs = false;
    for (int p = 0; p < PEERS; p++) {
      assertEquals(a.rttMillis(p, (p + 1) % PEERS), b.rttMillis(p, (p + 1) % PEERS));
      differs |= a.rttMillis(p, (p + 1) % PEERS) != c.rttMillis(p, (p + 1) % PEERS);
    }
    assertTrue(differs);
  }

  @Test
  void badConfigNamesTheKey() {
    assertKey("network.latency.regions", () -> Latency.Config.builder().regions(0).build());
    assertKey("network.latency.regionWeights",
        () -> Latency.Config.builder().regions(2).regionWeights(1).build());
    assertKey("network.latency.regionWeights",
        () -> Latency.Config.builder().regions(2).regionWeights(1, 0).build());
    assertKey("network.latency.cdnRttMs", () -> Latency.Config.builder().cdnRttMs(-1).build());
    assertKey("network.latency.accessSigma",
        () -> Latency.Config.builder().accessSigma(Double.NaN).build());
    assertKey("network.latency.worldSpanMs",
        () -> Latency.Config.builder().worldSpanMs(Double.POSITIVE_INFINITY).build());
  }

  static void assertKey(String key, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    assertTrue(x.getMessage().startsWith(key), x.getMessage());
  }
}
