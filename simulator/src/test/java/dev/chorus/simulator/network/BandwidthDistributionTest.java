package dev.chorus.simulator.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BandwidthDistributionTest {

  @Test
  void ratesParseWithUnits() {
    assertEquals(1_000_000 / 8.0, BandwidthDistribution.parseRate("k", "1Mbit"));
    assertEquals(1_500_000, BandwidthDistribution.parseRate("k", "1.5MB"));
    assertEquals(125, BandwidthDistribution.parseRate("k", "1kbit/s"));
    assertEquals(250_000, BandwidthDistribution.parseRate("k", "250000"));
    assertEquals(Double.POSITIVE_INFINITY, BandwidthDistribution.parseRate("k", "inf"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BandwidthDistribution.parseRate("network.cdnUplink", "3 furlongs"));
    assertTrue(e.getMessage().startsWith("network.cdnUplink"), e.getMessage());
    assertTrue(e.getMessage().contains("Mbit"), e.getMessage());
  }

  @Test
  void defaultClassesSampleInTheirShares() {
    BandwidthDistribution d =
        BandwidthDistribution.parse("network.bandwidth", BandwidthDistribution.DEFAULT_SPEC);
    assertEquals(List.of("dsl", "cable", "fiber"), d.classNames());
    int n = 100_000;
    double[] up = new double[n];
    double[] down = new double[n];
    d.sample(new SplittableRandom(1), up, down, 0, n);
    long dsl = Arrays.stream(up).filter(u -> u == 125_000).count();
    long fiber = Arrays.stream(down).filter(x -> x == 100e6 / 8).count();
    assertEquals(0.45, dsl / (double) n, 0.01);
    assertEquals(0.20, fiber / (double) n, 0.01);
    // the canonical spec parses back to the same draws
    BandwidthDistribution again = BandwidthDistribution.parse("k", d.toString());
    double[] up2 = new double[n];
    double[] down2 = new double[n];
    again.sample(new SplittableRandom(1), up2, down2, 0, n);
    assertTrue(Arrays.equals(up, up2) && Arrays.equals(down, down2));
  }

  @Test
  void lognormalHasTheGivenMedianAndFixedRatio() {
    BandwidthDistribution d =
        BandwidthDistribution.parse("b", "lognormal(up=2Mbit, down=16Mbit, sigma=0.8)");
    int n = 20_001;
    double[] up = new double[n];
    double[] down = new double[n];
    d.sample(new SplittableRandom(3), up, down, 0, n);
    for (int i = 0; i < n; i++) {
      assertEquals(8, down[i] / up[i], 1e-9);
    }
    double[] sorted = up.clone();
    Arrays.sort(sorted);
    assertEquals(250_000, sorted[n / 2], 250_000 * 0.05);
  }

  @Test
  void fixedGivesEveryPeerTheSame() {
    BandwidthDistribution d = BandwidthDistribution.parse("b", "fixed(down=10MB, up=1MB)");
    double[] up = new double[3];
    double[] down = new double[3];
    d.sample(new SplittableRandom(0), up, down, 0, 3);
    assertTrue(Arrays.equals(new double[] {1e6, 1e6, 1e6}, up));
    assertTrue(Arrays.equals(new double[] {1e7, 1e7, 1e7}, down));
  }

  @Test
  void badSpecsNameTheKey() {
    String[] bad = {
      "",
      "uniform(1,2)",
      "classes(a:0.5:1Mbit:2Mbit)",
      "classes(a:1.5:1Mbit:2Mbit)",
      "classes(a:1:1Mbit)",
      "classes(a:1:0Mbit:1Mbit)",
      "fixed(up=1Mbit)",
      "fixed(up=1Mbit, down=2Mbit, side=3)",
      "lognormal(up=1Mbit, down=2Mbit, sigma=-1)",
      "lognormal(up=1Mbit, down=2Mbit, sigma=x)",
      "fixed up=1",
    };
    for (String spec : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BandwidthDistribution.parse("scenario.network.bandwidth", spec), spec);
      assertTrue(e.getMessage().startsWith("scenario.network.bandwidth"), e.getMessage());
    }
  }
}
