package dev.chorus.simulator.workload;

import java.util.SplittableRandom;

/**
 * Allocation-free variates from a {@link SplittableRandom}, with {@link StrictMath} so that the same
 * seed gives bit-identical values on every JVM (the JDK's own {@code nextGaussian} and {@code
 * nextExponential} leave their algorithm unspecified).
 */
final class RandomMath {
  private static final double TWO_PI = 2 * Math.PI;

  private RandomMath() {}

  /** A uniform double in (0, 1]: safe under {@code log}. */
  static double uniformOpenClosed(SplittableRandom rng) {
    return 1.0 - rng.nextDouble();
  }

  /** A standard normal variate (Box–Muller, one of the pair; two uniforms per call). */
  static double standardNormal(SplittableRandom rng) {
    double u1 = uniformOpenClosed(rng);
    double u2 = rng.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(TWO_PI * u2);
  }

  /** An exponential variate with the given mean. */
  static double exponential(SplittableRandom rng, double mean) {
    return -mean * StrictMath.log(uniformOpenClosed(rng));
  }

  /** A lognormal variate: {@code exp(mu + sigma * N(0,1))}. */
  static double lognormal(SplittableRandom rng, double mu, double sigma) {
    return StrictMath.exp(mu + sigma * standardNormal(rng));
  }
}
