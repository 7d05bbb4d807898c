package dev.chorus.simulator.workload;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A positive duration or size distribution given by its mean: exponential, or lognormal with a
 * shape {@code sigma} (the standard deviation of the logarithm; its median is {@code mean ·
 * exp(-sigma²/2)}). Immutable; sampling allocates nothing.
 */
public final class Distribution {
  /** The family. */
  public enum Kind {
    /** Memoryless; {@code sigma} is ignored. */
    EXPONENTIAL,
    /** Heavy-ish right tail; {@code sigma} is the shape. */
    LOGNORMAL;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Kind kind;
  private final double mean;
  private final double sigma;
  private final double mu;

  private Distribution(Kind kind, double mean, double sigma) {
    this.kind = kind;
    this.mean = mean;
    this.sigma = sigma;
    this.mu = StrictMath.log(mean) - sigma * sigma / 2;
  }

  /** Exponential with the given mean (must be positive and finite). */
  public static Distribution exponential(double mean) {
    requirePositive(mean);
    return new Distribution(Kind.EXPONENTIAL, mean, 0);
  }

  /** Lognormal with the given mean and log-standard-deviation {@code sigma} (≥ 0). */
  public static Distribution lognormal(double mean, double sigma) {
    requirePositive(mean);
    if (!(sigma >= 0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException("sigma must be finite and >= 0, was " + sigma);
    }
    return new Distribution(Kind.LOGNORMAL, mean, sigma);
  }

  static Distribution of(Kind kind, double mean, double sigma) {
    return kind == Kind.EXPONENTIAL ? exponential(mean) : lognormal(mean, sigma);
  }

  private static void requirePositive(double mean) {
    if (!(mean > 0) || Double.isInfinite(mean)) {
      throw new IllegalArgumentException("mean must be finite and > 0, was " + mean);
    }
  }

  public Kind kind() {
    return kind;
  }

  public double mean() {
    return mean;
  }

  public double sigma() {
    return sigma;
  }

  /** One draw. */
  public double sample(SplittableRandom rng) {
    return kind == Kind.EXPONENTIAL
        ? RandomMath.exponential(rng, mean)
        : RandomMath.lognormal(rng, mu, sigma);
  }

  /**
   * The remaining part of the interval that covers a uniformly random instant of a stationary
   * renewal process with these interval lengths (its "residual life"): a length-biased draw times an
   * independent uniform. Used to start a peer in the middle of an online session or offline gap, so
   * that peers are desynchronised from time 0 as they would be in steady state.
   */
  public double sampleResidual(SplittableRandom rng) {
    if (kind == Kind.EXPONENTIAL) {
      return RandomMath.exponential(rng, mean); // memoryless
    }
    // The length-biased lognormal LN(mu, sigma²) is LN(mu + sigma², sigma²).
    double lengthBiased = RandomMath.lognormal(rng, mu + sigma * sigma, sigma);
    return lengthBiased * RandomMath.uniformOpenClosed(rng);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Distribution
        && ((Distribution) o).kind == kind
        && Double.compare(((Distribution) o).mean, mean) == 0
        && Double.compare(((Distribution) o).sigma, sigma) == 0;
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Double.hashCode(mean) * 17 + Double.hashCode(sigma);
  }

  @Override
  public String toString() {
    return kind == Kind.EXPONENTIAL
        ? "exponential(mean=" + mean + ")"
        : "lognormal(mean=" + mean + ", sigma=" + sigma + ")";
  }
}
