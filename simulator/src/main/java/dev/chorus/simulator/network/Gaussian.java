package dev.chorus.simulator.network;

import java.util.SplittableRandom;

/**
 * Standard normal draws by the Box–Muller transform, written out here so that runs do not depend
 * on the JDK's own {@code nextGaussian} algorithm (bit-identical output across JDK versions).
 */
final class Gaussian {
  private Gaussian() {}

  static double next(SplittableRandom rnd) {
    double u1 = 1.0 - rnd.nextDouble(); // (0, 1]
    double u2 = rnd.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
  }
}
