package dev.chorus.simulator.workload;

import java.util.SplittableRandom;

/**
 * Per-peer cache sizes as the client sets them by default: a fraction (10%) of the free disk,
 * clamped to {@code [minBytes, maxBytes]} (50 MB to 10 GB). Free disk space is lognormal around a
 * median.
 */
public final class CacheSizes {
  private final double fraction;
  private final long minBytes;
  private final long maxBytes;
  private final double freeDiskMu;
  private final double freeDiskSigma;
  private final double scale;

  public CacheSizes(double fraction, long minBytes, long maxBytes, double freeDiskMedianBytes,
      double freeDiskSigma) {
    this(fraction, minBytes, maxBytes, freeDiskMedianBytes, freeDiskSigma, 1);
  }

  /**
   * With {@code scale} below 1 the caches are the reproduced system's, shrunk with its catalogue:
   * a sample catalogue of a thousandth of the real one gets caches of a thousandth of the real
   * size, so a cache holds the same share of the catalogue's bytes.
   */
  public CacheSizes(double fraction, long minBytes, long maxBytes, double freeDiskMedianBytes,
      double freeDiskSigma, double scale) {
    if (!(fraction > 0 && fraction <= 1) || minBytes < 0 || maxBytes < Math.max(1, minBytes)
        || !(freeDiskMedianBytes > 0) || !(freeDiskSigma >= 0)) {
      throw new IllegalArgumentException("invalid cache size parameters");
    }
    this.fraction = fraction;
    this.minBytes = minBytes;
    this.maxBytes = maxBytes;
    this.freeDiskMu = StrictMath.log(freeDiskMedianBytes);
    this.freeDiskSigma = freeDiskSigma;
    if (!(scale > 0 && scale <= 1)) {
      throw new IllegalArgumentException("cache scale must be in (0, 1], got " + scale);
    }
    this.scale = scale;
  }

  public static CacheSizes of(WorkloadConfig c) {
    return new CacheSizes(c.cacheFraction(), c.cacheMinBytes(), c.cacheMaxBytes(),
        c.freeDiskMedianBytes(), c.freeDiskSigma(), c.cacheScale());
  }

  /** One peer's free disk space in bytes. */
  public double sampleFreeDiskBytes(SplittableRandom rng) {
    return RandomMath.lognormal(rng, freeDiskMu, freeDiskSigma);
  }

  /** One peer's cache size in bytes. */
  public long sample(SplittableRandom rng) {
    return cacheFor(sampleFreeDiskBytes(rng));
  }

  /** The cache size for the given free disk space (scaled with the catalogue, see above). */
  public long cacheFor(double freeDiskBytes) {
    double c = fraction * freeDiskBytes;
    double clamped = c <= minBytes ? minBytes : c >= maxBytes ? maxBytes : c;
    return scale == 1 ? (long) clamped : (long) (clamped * scale);
  }

  /** Fills {@code out} with one cache size per peer. */
  public void fill(SplittableRandom rng, long[] out) {
    for (int i = 0; i < out.length; i++) {
      out[i] = sample(rng);
    }
  }
}
