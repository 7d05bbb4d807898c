package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.demo.MirrorValidation.Check;
import dev.chorus.demo.MirrorValidation.Metric;
import dev.chorus.demo.MirrorValidation.Mirror;
import dev.chorus.demo.MirrorValidation.Sample;
import dev.chorus.demo.MirrorValidation.Stat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validation's statistics: fed a simulator that disagrees, on either side, they must say so. */
class MirrorValidationStatisticsTest {
  private static Sample peerShare(double v) {
    return new Sample(new double[] {v, 0, 0, 0}, "");
  }

  @Test
  void meanAndSampleStandardDeviation() {
    Stat s = Stat.of(List.of(peerShare(0.5), peerShare(0.6), peerShare(0.7)), Metric.PEER_SHARE);
    assertEquals(3, s.n());
    assertEquals(0.6, s.mean(), 1e-12);
    assertEquals(0.1, s.sd(), 1e-12);
  }

  @Test
  void meanAgainstMeanFailsOnBothSides() {
    Stat demo = new Stat(5, 0.60, 0.04);
    // t(0.975, 4) = 2.776; sqrt(0.04^2/5 + 0.05^2/10) = 0.023875: tolerance 0.0663.
    Check inside = MirrorValidation.meanAgainstMean(Mirror.PLAIN, Metric.PEER_SHARE, demo, new Stat(10, 0.55, 0.05));
    assertEquals(0.0663, inside.tolerance(), 1e-4);
    assertTrue(inside.agrees(), "0.05 below, within 0.066");
    assertFalse(MirrorValidation.meanAgainstMean(Mirror.PLAIN, Metric.PEER_SHARE, demo, new Stat(10, 0.53, 0.05))
        .agrees(), "0.07 too low");
    assertFalse(MirrorValidation.meanAgainstMean(Mirror.PLAIN, Metric.PEER_SHARE, demo, new Stat(10, 0.67, 0.05))
        .agrees(), "0.07 too high");
  }

  @Test
  void aNewDemoRunIsCheckedAgainstTheMeasuredSpreadOnBothSides() {
    Stat spread = new Stat(5, 0.60, 0.04);
    // t(0.9995, 4) = 8.610; 8.610 * 0.04 * sqrt(1.2) = 0.3773
    Check c = MirrorValidation.runAgainstSpread(Mirror.PLAIN, Metric.CACHE_SHARE, spread, 0.30);
    assertEquals(0.3773, c.tolerance(), 1e-4);
    assertEquals(0.30, c.difference(), 1e-12);
    assertTrue(c.agrees());
    assertFalse(MirrorValidation.runAgainstSpread(Mirror.PLAIN, Metric.CACHE_SHARE, spread, 0.20).agrees(),
        "0.40 too low");
    assertFalse(MirrorValidation.runAgainstSpread(Mirror.PLAIN, Metric.CACHE_SHARE, spread, 0.99).agrees(),
        "0.39 too high");
  }

  @Test
  void aToleranceNeedsTwoDemoRuns() {
    assertThrows(IllegalArgumentException.class, () -> MirrorValidation.t975(0));
    assertEquals(12.706, MirrorValidation.t975(1));
    assertEquals(1.960, MirrorValidation.t975(100));
    assertEquals(8.610, MirrorValidation.t9995(4));
  }
}
