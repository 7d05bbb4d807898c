package dev.chorus.simulator.network;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Round-trip times from a synthetic coordinate space with regions.
 *
 * <p>Each peer sits in one of {@code regions} regions. Region centres are drawn uniformly on a
 * square plane of side {@code worldSpanMs} (distances on the plane are round-trip milliseconds);
 * a peer is placed around its region's centre with a normal offset of {@code regionSpreadMs} on
 * each axis, and gets an access delay ("height") drawn log-normal with median {@code
 * accessMedianMs} and log-space deviation {@code accessSigma}. Then
 *
 * <pre>  RTT(a, b) = |x_a − x_b| + h_a + h_b     (a ≠ b),   RTT(a, a) = 0</pre>
 *
 * which is exactly the height-vector model that Vivaldi coordinates fit, so the nodes' own
 * coordinate code can learn it. The CDN is not on the plane: {@code RTT(peer, CDN) = h_peer +
 * cdnRttMs}, i.e. every peer has a CDN edge at a fixed distance beyond its access link.
 *
 * <p>Per-peer state is three floats and a short (14 bytes); deterministic given the random
 * stream.
 */
public final class Latency {

  /** Latency parameters; build with {@link #builder()}. */
  public static final class Config {
    final int regions;
    final double[] regionWeights;
    final double worldSpanMs;
    final double regionSpreadMs;
    final double accessMedianMs;
    final double accessSigma;
    final double cdnRttMs;

    private Config(Builder b) {
      regions = b.regions;
      regionWeights = b.regionWeights == null ? null : b.regionWeights.clone();
      worldSpanMs = b.worldSpanMs;
      regionSpreadMs = b.regionSpreadMs;
      accessMedianMs = b.accessMedianMs;
      accessSigma = b.accessSigma;
      cdnRttMs = b.cdnRttMs;
    }

    public static Builder builder() {
      return new Builder();
    }

    public int regions() {
      return regions;
    }

    public double cdnRttMs() {
      return cdnRttMs;
    }

    /** A copy of the region weights, or null when regions are equally populated. */
    public double[] regionWeights() {
      return regionWeights == null ? null : regionWeights.clone();
    }

    public double worldSpanMs() {
      return worldSpanMs;
    }

    public double regionSpreadMs() {
      return regionSpreadMs;
    }

    public double accessMedianMs() {
      return accessMedianMs;
    }

    public double accessSigma() {
      return accessSigma;
    }

    @Override
    public String toString() {
      return "regions=" + regions + ", regionWeights="
          + (regionWeights == null ? "equal" : Arrays.toString(regionWeights))
          + ", worldSpanMs=" + worldSpanMs + ", regionSpreadMs=" + regionSpreadMs
          + ", accessMedianMs=" + accessMedianMs + ", accessSigma=" + accessSigma
          + ", cdnRttMs=" + cdnRttMs;
    }
  }

  /** Builder for {@link Config}; defaults are documented in docs/network-model.md. */
  public static final class Builder {
    private int regions = 8;
    private double[] regionWeights;
    private double worldSpanMs = 200;
    private double regionSpreadMs = 10;
    private double accessMedianMs = 10;
    private double accessSigma = 0.5;
    private double cdnRttMs = 20;

    private Builder() {}

    /** Number of regions (default 8). */
    public Builder regions(int n) {
      this.regions = n;
      return this;
    }

    /** Relative population of each region (default equal); length must equal regions. */
    public Builder regionWeights(double... w) {
      this.regionWeights = w.clone();
      return this;
    }

    /** Side of the square the region centres are drawn on, in RTT ms (default 200). */
    public Builder worldSpanMs(double v) {
      this.worldSpanMs = v;
      return this;
    }

    /** Normal spread of peers around their region centre per axis, in RTT ms (default 10). */
    public Builder regionSpreadMs(double v) {
      this.regionSpreadMs = v;
      return this;
    }

    /** Median access delay (the height) each peer adds to every RTT, in ms (default 10). */
    public Builder accessMedianMs(double v) {
      this.accessMedianMs = v;
      return this;
    }

    /** Log-space deviation of the access delay (default 0.5). */
    public Builder accessSigma(double v) {
      this.accessSigma = v;
      return this;
    }

    /** RTT from a peer's access link to the CDN edge, in ms (default 20). */
    public Builder cdnRttMs(double v) {
      this.cdnRttMs = v;
      return this;
    }

    public Config build() {
      if (regions < 1 || regions > Short.MAX_VALUE) {
        throw new IllegalArgumentException(
            "network.latency.regions must be in [1, " + Short.MAX_VALUE + "], got " + regions);
      }
      if (regionWeights != null) {
        if (regionWeights.length != regions) {
          throw new IllegalArgumentException("network.latency.regionWeights must have "
              + regions + " entries (one per region), got " + regionWeights.length);
        }
        for (double w : regionWeights) {
          if (!(w > 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException(
                "network.latency.regionWeights must all be > 0, got " + w);
          }
        }
      }
      nonNegative("network.latency.worldSpanMs", worldSpanMs);
      nonNegative("network.latency.regionSpreadMs", regionSpreadMs);
      nonNegative("network.latency.accessMedianMs", accessMedianMs);
      if (!(accessSigma >= 0 && accessSigma <= 3)) {
        throw new IllegalArgumentException(
            "network.latency.accessSigma must be in [0, 3], got " + accessSigma);
      }
      nonNegative("network.latency.cdnRttMs", cdnRttMs);
      return new Config(this);
    }

    private static void nonNegative(String key, double v) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(key + " must be a finite number >= 0, got " + v);
      }
    }
  }

  private final Config config;
  /**
   * Each host's x, y and height, at {@code [4h, 4h + 2]}: a message's delay reads all three of its
   * receiver, a peer that left the CPU cache long ago, so they share one 16-byte block (one cache
   * line) instead of three arrays' (three cache misses).
   */
  private final float[] xyh;
  private static final int STRIDE = 4;
  private final int peers;
  private final short[] region;
  private final double[] centreX;
  private final double[] centreY;
  private final int cdnHost;

  private Latency(Config config, int peers, int cdnHost, SplittableRandom rnd) {
    this.config = config;
    this.cdnHost = cdnHost;
    int r = config.regions;
    centreX = new double[r];
    centreY = new double[r];
    for (int i = 0; i < r; i++) {
      centreX[i] = rnd.nextDouble() * config.worldSpanMs;
      centreY[i] = rnd.nextDouble() * config.worldSpanMs;
    }
    double[] cumulative = new double[r];
    double sum = 0;
    for (int i = 0; i < r; i++) {
      sum += config.regionWeights == null ? 1 : config.regionWeights[i];
      cumulative[i] = sum;
    }
    this.peers = peers;
    xyh = new float[Math.multiplyExact(peers, STRIDE)];
    region = new short[peers];
    for (int h = 0; h < peers; h++) {
      double u = rnd.nextDouble() * sum;
      int reg = 0;
      while (reg < r - 1 && u >= cumulative[reg]) {
        reg++;
      }
      region[h] = (short) reg;
      xyh[h * STRIDE] = (float) (centreX[reg] + config.regionSpreadMs * Gaussian.next(rnd));
      xyh[h * STRIDE + 1] = (float) (centreY[reg] + config.regionSpreadMs * Gaussian.next(rnd));
      xyh[h * STRIDE + 2] =
          (float) (config.accessMedianMs * StrictMath.exp(config.accessSigma * Gaussian.next(rnd)));
    }
  }

  /**
   * Places {@code peers} peers (hosts {@code 0..peers-1}); host {@code cdnHost} (or -1 for none)
   * is the CDN, which must not be below {@code peers}.
   */
  public static Latency generate(Config config, int peers, int cdnHost, SplittableRandom rnd) {
    if (peers < 0) {
      throw new IllegalArgumentException("network.peers must be >= 0, got " + peers);
    }
    if (cdnHost >= 0 && cdnHost < peers) {
      throw new IllegalArgumentException("the CDN host " + cdnHost + " must not be a peer");
    }
    return new Latency(config, peers, cdnHost, rnd);
  }

  public Config config() {
    return config;
  }

  /** Round-trip time between two hosts in milliseconds. */
  public double rttMillis(int a, int b) {
    if (a == b) {
      return 0;
    }
    if (a == cdnHost) {
      return xyh[b * STRIDE + 2] + config.cdnRttMs;
    }
    if (b == cdnHost) {
      return xyh[a * STRIDE + 2] + config.cdnRttMs;
    }
    int ia = a * STRIDE;
    int ib = b * STRIDE;
    double dx = (double) xyh[ia] - xyh[ib];
    double dy = (double) xyh[ia + 1] - xyh[ib + 1];
    return Math.sqrt(dx * dx + dy * dy) + xyh[ia + 2] + xyh[ib + 2];
  }

  /** Round-trip time in nanoseconds (rounded). */
  public long rttNanos(int a, int b) {
    return Math.round(rttMillis(a, b) * 1e6);
  }

  /** One-way delay, half the round trip, in nanoseconds (rounded). */
  public long oneWayNanos(int a, int b) {
    return Math.round(rttMillis(a, b) * 5e5);
  }

  /** The peer's region, or -1 for the CDN. */
  public int region(int host) {
    return host == cdnHost ? -1 : region[host];
  }

  public boolean sameRegion(int a, int b) {
    return region(a) == region(b);
  }

  /** The peer's position on the plane (RTT ms); with {@link #height} its true coordinate. */
  public double x(int peer) {
    return xyh[peer * STRIDE];
  }

  public double y(int peer) {
    return xyh[peer * STRIDE + 1];
  }

  /** The peer's access delay in ms. */
  public double height(int peer) {
    return xyh[peer * STRIDE + 2];
  }

  public int peers() {
    return peers;
  }
}
