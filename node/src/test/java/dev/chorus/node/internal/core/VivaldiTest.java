package dev.chorus.node.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.VivaldiCoordinate;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Vivaldi on a synthetic network: nodes on a plane with access delays; coordinates converge. */
class VivaldiTest {

  @Test
  void coordinatesConvergeToPredictRoundTripTimes() {
    int n = 40;
    SplittableRandom rnd = new SplittableRandom(3);
    double[][] truth = new double[n][2];
    double[] access = new double[n];
    Vivaldi[] nodes = new Vivaldi[n];
    for (int i = 0; i < n; i++) {
      truth[i][0] = rnd.nextDouble(0, 200);
      truth[i][1] = rnd.nextDouble(0, 200);
      access[i] = rnd.nextDouble(1, 10);
      nodes[i] = new Vivaldi(new SplittableRandom(100 + i));
    }
    for (int round = 0; round < 4000; round++) {
      int a = rnd.nextInt(n);
      int b = rnd.nextInt(n);
      if (a == b) {
        continue;
      }
      nodes[a].observe(rtt(truth, access, a, b), nodes[b].coordinate());
    }
    double sumRelErr = 0;
    int pairs = 0;
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        double actual = rtt(truth, access, a, b);
        double predicted = nodes[a].coordinate().predictedRttMillis(nodes[b].coordinate());
        sumRelErr += Math.abs(predicted - actual) / actual;
        pairs++;
      }
    }
    double mean = sumRelErr / pairs;
    assertTrue(mean < 0.25, "mean relative error " + mean);
  }

  @Test
  void nonsenseSamplesAreIgnored() {
    Vivaldi v = new Vivaldi(new SplittableRandom(1));
    v.observe(Double.NaN, VivaldiCoordinate.ORIGIN);
    v.observe(-5, VivaldiCoordinate.ORIGIN);
    v.observe(1e9, VivaldiCoordinate.ORIGIN);
    assertEquals(VivaldiCoordinate.ORIGIN, v.coordinate());
  }

  @Test
  void sameSamplesGiveTheSameCoordinate() {
    Vivaldi a = new Vivaldi(new SplittableRandom(9));
    Vivaldi b = new Vivaldi(new SplittableRandom(9));
    VivaldiCoordinate remote = VivaldiCoordinate.of(new float[] {10, 20}, 3, 0.5f);
    for (int i = 0; i < 50; i++) {
      a.observe(40 + i % 7, remote);
      b.observe(40 + i % 7, remote);
    }
    assertEquals(a.coordinate(), b.coordinate());
  }

  private static double rtt(double[][] truth, double[] access, int a, int b) {
    double dx = truth[a][0] - truth[b][0];
    double dy = truth[a][1] - truth[b][1];
    return Math.sqrt(dx * dx + dy * dy) + access[a] + access[b];
  }
}
