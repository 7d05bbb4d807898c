package dev.chorus.simulator.workload;

import java.util.SplittableRandom;

/**
 * Zipf popularity over a catalogue of {@code n} tracks: rank {@code r} (0 = most popular) is drawn
 * with probability {@code (r+1)^-s / H(n, s)}, where {@code H(n, s) = Σ_{k=1..n} k^-s}.
 *
 * <p><b>Sampling</b> is by rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion
 * to generate variates from monotone discrete distributions", ACM TOMACS 6(3), 1996): O(1)
 * expected time (fewer than 1.1 uniforms per draw for any exponent), no table, no allocation.
 *
 * <p><b>Fitting</b>: {@link #fitExponent} finds, by bisection, the exponent for which the top
 * {@code topShare} of ranks receive {@code playShare} of the draws (Spotify measured 88% of
 * accesses within the most popular 12% of tracks). {@link #harmonic} computes {@code H(n, s)}
 * exactly up to {@value #EXACT_TERMS} terms and by Euler–Maclaurin beyond, with a relative error
 * below 1e-12.
 *
 * <p><b>Ranks to track ids</b> go through a permutation drawn once from a seeded random stream, so
 * that track ids carry no popularity information. Its shape follows {@link
 * WorkloadConfig.Layout}:
 *
 * <ul>
 *   <li>{@code ALBUM} (default): albums are shuffled, and so are the positions within each album,
 *       but the tracks of one album hold consecutive ranks. The hits are spread over the whole id
 *       space and sit anywhere in their albums, while a sequential play (the next track of the same
 *       album or playlist) stays within an album of similar popularity. Because sequential plays
 *       never leave an album, the share of all plays — random and sequential — falling on the
 *       top-12% albums equals the Zipf mass of their ranks, so the 88%/12% fit holds for plays,
 *       which is what Spotify measured.
 *   <li>{@code SCATTERED}: each track gets an independent random rank, so an album mixes hits with
 *       obscure tracks. Sequential plays then land on tracks of unrelated popularity, and with 61%
 *       of plays sequential the top 12% of tracks receive only about 44% of plays: the measured
 *       skew is lost. Provided for sensitivity studies.
 * </ul>
 */
public final class ZipfPopularity {
  /** Terms of {@code H(n, s)} summed exactly before switching to Euler–Maclaurin. */
  static final int EXACT_TERMS = 1000;

  private final int n;
  private final double exponent;
  private final int[] rankToTrack;
  private final int[] trackToRank;
  // rejection-inversion constants
  private final double hIntegralX1;
  private final double hIntegralN;
  private final double s;

  /**
   * Zipf over {@code n} tracks with the given exponent, ranks mapped to track ids by a permutation of
   * the given layout drawn from {@code rng} (albums of {@code albumTracks}, the last one possibly
   * shorter, as in {@link Catalogue}).
   */
  public ZipfPopularity(int n, double exponent, int albumTracks, WorkloadConfig.Layout layout,
      SplittableRandom rng) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    if (!(exponent > 0) || Double.isInfinite(exponent)) {
      throw new IllegalArgumentException("exponent must be finite and > 0, was " + exponent);
    }
    if (albumTracks < 1) {
      throw new IllegalArgumentException("albumTracks must be at least 1, was " + albumTracks);
    }
    this.n = n;
    this.exponent = exponent;
    this.hIntegralX1 = hIntegral(1.5) - 1;
    this.hIntegralN = hIntegral(n + 0.5);
    this.s = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
    this.rankToTrack = layout == WorkloadConfig.Layout.ALBUM
        ? albumCoherent(n, albumTracks, rng)
        : scattered(n, rng);
    this.trackToRank = new int[n];
    for (int r = 0; r < n; r++) {
      trackToRank[rankToTrack[r]] = r;
    }
  }

  /** From a configuration: exponent configured or fitted, the configured layout. */
  public static ZipfPopularity of(WorkloadConfig config, SplittableRandom rng) {
    return new ZipfPopularity(config.catalogueTracks(), config.popularityExponentOrFit(),
        config.albumTracks(), config.layout(), rng);
  }

  private static int[] scattered(int n, SplittableRandom rng) {
    int[] p = identity(n);
    shuffle(p, 0, n, rng);
    return p;
  }

  /**
   * Full albums (there are {@code n / k} of them) take the rank blocks {@code [a·k, a·k+k)} in a
   * shuffled order; the short last album, if any, takes the least popular block. Within a block the
   * ranks go to the album's positions in shuffled order.
   */
  private static int[] albumCoherent(int n, int k, SplittableRandom rng) {
    int fullAlbums = n / k;
    int[] albumOrder = identity(fullAlbums);
    shuffle(albumOrder, 0, fullAlbums, rng);
    int[] rankToTrack = new int[n];
    int[] positions = identity(k);
    for (int block = 0; block < fullAlbums; block++) {
      shuffle(positions, 0, k, rng);
      int album = albumOrder[block];
      for (int j = 0; j < k; j++) {
        rankToTrack[block * k + j] = album * k + positions[j];
      }
    }
    int rest = n - fullAlbums * k;
    for (int j = 0; j < rest; j++) {
      positions[j] = j;
    }
    shuffle(positions, 0, rest, rng);
    for (int j = 0; j < rest; j++) {
      rankToTrack[fullAlbums * k + j] = fullAlbums * k + positions[j];
    }
    return rankToTrack;
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /** Fisher–Yates over {@code a[from, from+len)}. */
  private static void shuffle(int[] a, int from, int len, SplittableRandom rng) {
    for (int i = len - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[from + i];
      a[from + i] = a[from + j];
      a[from + j] = t;
    }
  }

  public int size() {
    return n;
  }

  public double exponent() {
    return exponent;
  }

  /** A rank in {@code [0, n)}, 0 the most popular. */
  public int sampleRank(SplittableRandom rng) {
    while (true) {
      double u = hIntegralN + rng.nextDouble() * (hIntegralX1 - hIntegralN);
      double x = hIntegralInverse(u);
      int k = (int) (x + 0.5);
      if (k < 1) {
        k = 1;
      } else if (k > n) {
        k = n;
      }
      if (k - x <= s || u >= hIntegral(k + 0.5) - h(k)) {
        return k - 1;
      }
    }
  }

  /** A track id drawn by popularity. */
  public int sampleTrack(SplittableRandom rng) {
    return rankToTrack[sampleRank(rng)];
  }

  public int trackOfRank(int rank) {
    return rankToTrack[rank];
  }

  public int rankOfTrack(int track) {
    return trackToRank[track];
  }

  /** The probability of rank {@code r}. */
  public double probability(int rank) {
    return StrictMath.pow(rank + 1.0, -exponent) / harmonic(n, exponent);
  }

  /** The probability that a draw falls within the top {@code topRanks} ranks. */
  public double topMass(long topRanks) {
    return harmonic(topRanks, exponent) / harmonic(n, exponent);
  }

  // ---- rejection-inversion helpers (Hörmann & Derflinger 1996) ----------------------------------

  /** {@code h(x) = x^-s}. */
  private double h(double x) {
    return StrictMath.exp(-exponent * StrictMath.log(x));
  }

  /** {@code H(x) = ∫_1^x h(t) dt}, stable near s = 1: {@code ((x^(1-s)) - 1)/(1-s)}. */
  private double hIntegral(double x) {
    double logX = StrictMath.log(x);
    return expm1OverX((1 - exponent) * logX) * logX;
  }

  private double hIntegralInverse(double x) {
    double t = x * (1 - exponent);
    if (t < -1) {
      t = -1; // guard against rounding; the true value is always > -1
    }
    return StrictMath.exp(log1pOverX(t) * x);
  }

  /** {@code log1p(x)/x}, 1 at 0. */
  private static double log1pOverX(double x) {
    return Math.abs(x) > 1e-8 ? StrictMath.log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - x * 0.25));
  }

  /** {@code expm1(x)/x}, 1 at 0. */
  private static double expm1OverX(double x) {
    return Math.abs(x) > 1e-8
        ? StrictMath.expm1(x) / x
        : 1 + x * 0.5 * (1 + x / 3 * (1 + x * 0.25));
  }

  // ---- fitting ----------------------------------------------------------------------------------

  /**
   * The generalised harmonic number {@code H(m, s) = Σ_{k=1..m} k^-s}: exact for {@code m ≤}
   * {@value #EXACT_TERMS}, otherwise the first {@value #EXACT_TERMS}−1 terms plus an
   * Euler–Maclaurin tail (integral, end-point and two derivative corrections).
   */
  public static double harmonic(long m, double s) {
    if (m < 1) {
      return 0;
    }
    long exact = Math.min(m, EXACT_TERMS);
    double sum = 0;
    for (long k = exact; k >= 1; k--) { // small terms first
      sum += StrictMath.pow(k, -s);
    }
    if (m <= EXACT_TERMS) {
      return sum;
    }
    // Σ_{k=a..m} f(k), f(x) = x^-s, a = EXACT_TERMS; f(a) is already in the exact sum.
    double a = EXACT_TERMS;
    double b = m;
    double logRatio = StrictMath.log(b / a);
    double integral = StrictMath.pow(a, 1 - s) * logRatio * expm1OverX((1 - s) * logRatio);
    double ends = (StrictMath.pow(a, -s) + StrictMath.pow(b, -s)) / 2;
    // f'(x) = -s x^(-s-1); f'''(x) = -s(s+1)(s+2) x^(-s-3)
    double d1 = -s * (StrictMath.pow(b, -s - 1) - StrictMath.pow(a, -s - 1));
    double d3 = -s * (s + 1) * (s + 2) * (StrictMath.pow(b, -s - 3) - StrictMath.pow(a, -s - 3));
    double tail = integral + ends + d1 / 12 - d3 / 720;
    return sum - StrictMath.pow(a, -s) + tail;
  }

  /** The number of top ranks that make up {@code topShare} of {@code n}: rounded, at least 1. */
  public static long topRanks(long n, double topShare) {
    return Math.max(1, Math.round(topShare * n));
  }

  /**
   * The exponent {@code s} for which the top {@code topShare} of {@code n} ranks ({@link
   * #topRanks}) receive {@code playShare} of the draws, by bisection to 1e-12 on the exact
   * cumulative share, which increases with {@code s}.
   *
   * @throws IllegalArgumentException unless {@code topRanks(n, topShare) / n < playShare < 1}
   */
  public static double fitExponent(long n, double topShare, double playShare) {
    if (n < 2) {
      throw new IllegalArgumentException("n must be at least 2 to fit an exponent, was " + n);
    }
    long top = topRanks(n, topShare);
    if (!(playShare > (double) top / n && playShare < 1) || top >= n) {
      throw new IllegalArgumentException("playShare must be in (" + (double) top / n
          + ", 1) for topShare " + topShare + " of " + n + " tracks, was " + playShare);
    }
    double lo = 0;
    double hi = 1;
    while (share(n, top, hi) < playShare) {
      lo = hi;
      hi *= 2;
      if (hi > 1e3) {
        throw new IllegalArgumentException("no exponent below 1000 gives playShare " + playShare);
      }
    }
    for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
      double mid = (lo + hi) / 2;
      if (share(n, top, mid) < playShare) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  private static double share(long n, long top, double s) {
    return harmonic(top, s) / harmonic(n, s);
  }
}
