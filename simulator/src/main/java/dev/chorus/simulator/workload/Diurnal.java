package dev.chorus.simulator.workload;

import java.util.SplittableRandom;

/**
 * The daily rhythm of arrivals: a relative rate {@code f(t)} with mean 1 over a day, made of two
 * harmonics that peak at {@code peakHour},
 *
 * <pre>  f(t) = 1 + A·cos(ω(t − peak)) + A·b·cos(2ω(t − peak)),   ω = 2π / 24 h,</pre>
 *
 * where {@code b} is the second harmonic's share and {@code A} is set so that {@code min f / max f}
 * is the configured ratio. The second harmonic sharpens the evening peak and flattens the night.
 * Time 0 is midnight.
 *
 * <p>Two ways to use it: {@link #nextArrival} samples a non-homogeneous Poisson process with rate
 * {@code meanRate · f(t)} by thinning (Lewis and Shedler 1979), and {@link #warp} stretches a
 * duration drawn in "operational time" by the curve, so that any gap distribution (as in {@link
 * Churn}) ends more often at busy hours while keeping its long-run mean.
 */
public final class Diurnal {
  static final double DAY_SECONDS = 86_400;
  private static final double OMEGA = 2 * Math.PI / DAY_SECONDS;

  private final double peakSeconds;
  private final double a1;
  private final double a2;
  private final double max;
  private final double min;

  /** The curve peaking at {@code peakHour} with the given min/max ratio and second-harmonic share. */
  public Diurnal(double peakHour, double minMaxRatio, double secondHarmonic) {
    if (!(peakHour >= 0 && peakHour < 24) || !(minMaxRatio > 0 && minMaxRatio <= 1)
        || !(secondHarmonic >= 0 && secondHarmonic <= 1)) {
      throw new IllegalArgumentException("peakHour in [0, 24), minMaxRatio in (0, 1], "
          + "secondHarmonic in [0, 1]; were " + peakHour + ", " + minMaxRatio + ", " + secondHarmonic);
    }
    double b = secondHarmonic;
    // With g(x) = cos x + b cos 2x: max g = 1 + b at x = 0; min g = b − 1 at x = π if b ≤ 1/4,
    // else −(1/(8b) + b) at cos x = −1/(4b).
    double depth = b <= 0.25 ? 1 - b : 1 / (8 * b) + b;
    double amplitude = (1 - minMaxRatio) / (minMaxRatio * (1 + b) + depth);
    this.peakSeconds = peakHour * 3600;
    this.a1 = amplitude;
    this.a2 = amplitude * b;
    this.max = 1 + amplitude * (1 + b);
    this.min = 1 - amplitude * depth;
  }

  public static Diurnal of(WorkloadConfig c) {
    return new Diurnal(c.peakHour(), c.minMaxRatio(), c.secondHarmonic());
  }

  /** {@code f} at {@code seconds} since midnight of day one; its daily mean is 1. */
  public double relativeRateAtSeconds(double seconds) {
    double x = OMEGA * (seconds - peakSeconds);
    return 1 + a1 * StrictMath.cos(x) + a2 * StrictMath.cos(2 * x);
  }

  /** {@code f} at {@code nanos}. */
  public double relativeRate(long nanos) {
    return relativeRateAtSeconds(nanos * 1e-9);
  }

  /** The peak of {@code f}. */
  public double maxRelativeRate() {
    return max;
  }

  /** The trough of {@code f}. */
  public double minRelativeRate() {
    return min;
  }

  /** {@code ∫_0^t f}, in seconds of operational time ({@code = t} for a flat curve). */
  public double cumulativeSeconds(double seconds) {
    double x = OMEGA * (seconds - peakSeconds);
    double x0 = -OMEGA * peakSeconds;
    return seconds
        + a1 / OMEGA * (StrictMath.sin(x) - StrictMath.sin(x0))
        + a2 / (2 * OMEGA) * (StrictMath.sin(2 * x) - StrictMath.sin(2 * x0));
  }

  /**
   * The first arrival after {@code fromNanos} of a Poisson process with rate {@code
   * meanRatePerSecond · f(t)}: candidates at the peak rate, each kept with probability {@code f(t) /
   * max f}. About {@code max f} candidates per arrival (≤ 2 with the defaults).
   */
  public long nextArrival(SplittableRandom rng, long fromNanos, double meanRatePerSecond) {
    if (!(meanRatePerSecond > 0) || Double.isInfinite(meanRatePerSecond)) {
      throw new IllegalArgumentException("meanRatePerSecond must be finite and > 0, was "
          + meanRatePerSecond);
    }
    double meanGap = 1 / (meanRatePerSecond * max);
    double start = fromNanos * 1e-9;
    double elapsed = 0;
    while (true) {
      elapsed += RandomMath.exponential(rng, meanGap);
      if (rng.nextDouble() * max <= relativeRateAtSeconds(start + elapsed)) {
        return fromNanos + Math.max(1, (long) (elapsed * 1e9));
      }
    }
  }

  /**
   * The time at which {@code operationalNanos} of operational time, counted from {@code fromNanos},
   * have passed: the {@code t} solving {@code ∫_from^t f = operational}. At busy hours the wall time
   * is shorter, at quiet hours longer; averaged over a day it is the same. Safeguarded Newton
   * iteration on the closed-form integral, to well under a microsecond.
   */
  public long warp(long fromNanos, long operationalNanos) {
    if (operationalNanos <= 0) {
      return fromNanos;
    }
    double start = fromNanos * 1e-9;
    double target = cumulativeSeconds(start) + operationalNanos * 1e-9;
    double lo = start + operationalNanos * 1e-9 / max;
    double hi = start + operationalNanos * 1e-9 / min;
    double t = start + operationalNanos * 1e-9;
    for (int i = 0; i < 100; i++) {
      double err = cumulativeSeconds(t) - target;
      if (err > 0) {
        hi = t;
      } else {
        lo = t;
      }
      if (Math.abs(err) < 1e-7 || hi - lo < 1e-7) {
        break;
      }
      double next = t - err / relativeRateAtSeconds(t);
      t = next > lo && next < hi ? next : (lo + hi) / 2;
    }
    return fromNanos + Math.max(0, Math.round((t - start) * 1e9));
  }
}
