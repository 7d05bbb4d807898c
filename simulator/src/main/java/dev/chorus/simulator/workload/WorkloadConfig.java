package dev.chorus.simulator.workload;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every parameter of the workload, immutable and validated. Each parameter has a key (used in
 * scenario files and in error messages), a default and a documented source in {@code
 * simulator/docs/workload.md}. Build one with {@link #builder()} or from key/value pairs with
 * {@link #fromMap(Map)}; invalid values fail with an {@link IllegalArgumentException} whose message
 * names the key and the allowed range.
 */
public final class WorkloadConfig {
  // ---- keys -------------------------------------------------------------------------------------
  public static final String CATALOGUE_TRACKS = "catalogue.tracks";
  public static final String CATALOGUE_ALBUM_TRACKS = "catalogue.albumTracks";
  public static final String CATALOGUE_DURATION_MEDIAN_SECONDS = "catalogue.durationMedianSeconds";
  public static final String CATALOGUE_DURATION_SIGMA = "catalogue.durationSigma";
  public static final String CATALOGUE_DURATION_MIN_SECONDS = "catalogue.durationMinSeconds";
  public static final String CATALOGUE_DURATION_MAX_SECONDS = "catalogue.durationMaxSeconds";
  public static final String CATALOGUE_BITRATE_KBPS = "catalogue.bitrateKbps";
  public static final String POPULARITY_EXPONENT = "popularity.exponent";
  public static final String POPULARITY_TOP_SHARE = "popularity.topShare";
  public static final String POPULARITY_PLAY_SHARE = "popularity.playShare";
  public static final String POPULARITY_LAYOUT = "popularity.layout";
  public static final String SESSION_MEAN_PLAYS = "session.meanPlays";
  public static final String SESSION_MAX_PLAYS = "session.maxPlays";
  public static final String SESSION_SEQUENTIAL_SHARE = "session.sequentialShare";
  public static final String SESSION_SKIP_PROBABILITY = "session.skipProbability";
  public static final String SESSION_SKIP_EARLY_SHARE = "session.skipEarlyShare";
  public static final String SESSION_SKIP_EARLY_SECONDS = "session.skipEarlySeconds";
  public static final String SESSION_SEEK_PROBABILITY = "session.seekProbability";
  public static final String SESSION_SEEK_FORWARD_SHARE = "session.seekForwardShare";
  public static final String SESSION_GAP_MEAN_SECONDS = "session.gapMeanSeconds";
  public static final String SESSION_REPEAT_SHARE = "session.repeatShare";
  public static final String SESSION_REPEAT_CHOICE = "session.repeatChoice";
  public static final String SESSION_REPEAT_WINDOW_PLAYS = "session.repeatWindowPlays";
  public static final String DIURNAL_PEAK_HOUR = "diurnal.peakHour";
  public static final String DIURNAL_MIN_MAX_RATIO = "diurnal.minMaxRatio";
  public static final String DIURNAL_SECOND_HARMONIC = "diurnal.secondHarmonic";
  public static final String CHURN_ONLINE_DISTRIBUTION = "churn.online.distribution";
  public static final String CHURN_ONLINE_MEAN_SECONDS = "churn.online.meanSeconds";
  public static final String CHURN_ONLINE_SIGMA = "churn.online.sigma";
  public static final String CHURN_OFFLINE_DISTRIBUTION = "churn.offline.distribution";
  public static final String CHURN_OFFLINE_MEAN_SECONDS = "churn.offline.meanSeconds";
  public static final String CHURN_OFFLINE_SIGMA = "churn.offline.sigma";
  public static final String CACHE_FRACTION_OF_FREE_DISK = "cache.fractionOfFreeDisk";
  public static final String CACHE_MIN_BYTES = "cache.minBytes";
  public static final String CACHE_MAX_BYTES = "cache.maxBytes";
  public static final String CACHE_FREE_DISK_MEDIAN_BYTES = "cache.freeDiskMedianBytes";
  public static final String CACHE_FREE_DISK_SIGMA = "cache.freeDiskSigma";
  public static final String CACHE_REFERENCE_CATALOGUE_TRACKS = "cache.referenceCatalogueTracks";

  /** Every key, in documentation order. */
  public static final java.util.List<String> KEYS = java.util.List.of(
      CATALOGUE_TRACKS, CATALOGUE_ALBUM_TRACKS, CATALOGUE_DURATION_MEDIAN_SECONDS,
      CATALOGUE_DURATION_SIGMA, CATALOGUE_DURATION_MIN_SECONDS, CATALOGUE_DURATION_MAX_SECONDS,
      CATALOGUE_BITRATE_KBPS, POPULARITY_EXPONENT, POPULARITY_TOP_SHARE, POPULARITY_PLAY_SHARE,
      POPULARITY_LAYOUT, SESSION_MEAN_PLAYS, SESSION_MAX_PLAYS, SESSION_SEQUENTIAL_SHARE,
      SESSION_SKIP_PROBABILITY, SESSION_SKIP_EARLY_SHARE, SESSION_SKIP_EARLY_SECONDS,
      SESSION_SEEK_PROBABILITY, SESSION_SEEK_FORWARD_SHARE, SESSION_GAP_MEAN_SECONDS,
      SESSION_REPEAT_SHARE, SESSION_REPEAT_CHOICE, SESSION_REPEAT_WINDOW_PLAYS,
      DIURNAL_PEAK_HOUR, DIURNAL_MIN_MAX_RATIO, DIURNAL_SECOND_HARMONIC,
      CHURN_ONLINE_DISTRIBUTION, CHURN_ONLINE_MEAN_SECONDS, CHURN_ONLINE_SIGMA,
      CHURN_OFFLINE_DISTRIBUTION, CHURN_OFFLINE_MEAN_SECONDS, CHURN_OFFLINE_SIGMA,
      CACHE_FRACTION_OF_FREE_DISK, CACHE_MIN_BYTES, CACHE_MAX_BYTES, CACHE_FREE_DISK_MEDIAN_BYTES,
      CACHE_FREE_DISK_SIGMA, CACHE_REFERENCE_CATALOGUE_TRACKS);

  /** How popularity ranks are laid out over albums; see {@link ZipfPopularity}. */
  public enum Layout {
    /** Albums are popularity-coherent: the tracks of an album hold consecutive ranks. */
    ALBUM,
    /** Every track gets an independent random rank: hits are scattered over all albums. */
    SCATTERED;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which earlier play of the listener a repeat replays; see {@link RepeatMemory}. */
  public enum RepeatChoice {
    /** The play {@code k} plays back with probability about 1/k (recency, Anderson et al. 2014). */
    RECENCY,
    /** Every play of the window equally likely: tracks in proportion to their play counts. */
    COUNT;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  // ---- values -----------------------------------------------------------------------------------
  private final int catalogueTracks;
  private final int albumTracks;
  private final double durationMedianSeconds;
  private final double durationSigma;
  private final double durationMinSeconds;
  private final double durationMaxSeconds;
  private final int bitrateKbps;
  private final double popularityExponent; // NaN: fitted
  private final double topShare;
  private final double playShare;
  private final Layout layout;
  private final double meanPlays;
  private final int maxPlays;
  private final double sequentialShare;
  private final double skipProbability;
  private final double skipEarlyShare;
  private final double skipEarlySeconds;
  private final double seekProbability;
  private final double seekForwardShare;
  private final double sessionGapMeanSeconds;
  private final double repeatShare; // NaN: off (every play may come from the cache)
  private final RepeatChoice repeatChoice;
  private final int repeatWindowPlays;
  private final double peakHour;
  private final double minMaxRatio;
  private final double secondHarmonic;
  private final Distribution online;
  private final Distribution offline;
  private final double cacheFraction;
  private final long cacheMinBytes;
  private final long cacheMaxBytes;
  private final double freeDiskMedianBytes;
  private final double freeDiskSigma;
  private final long referenceCatalogueTracks;

  private WorkloadConfig(Builder b) {
    catalogueTracks = (int) intIn(CATALOGUE_TRACKS, b.catalogueTracks, 1, 500_000_000);
    albumTracks = (int) intIn(CATALOGUE_ALBUM_TRACKS, b.albumTracks, 1, 10_000);
    durationMedianSeconds = in(CATALOGUE_DURATION_MEDIAN_SECONDS, b.durationMedianSeconds, 1, 7200);
    durationSigma = in(CATALOGUE_DURATION_SIGMA, b.durationSigma, 0, 3);
    durationMinSeconds = in(CATALOGUE_DURATION_MIN_SECONDS, b.durationMinSeconds, 1, 7200);
    durationMaxSeconds =
        in(CATALOGUE_DURATION_MAX_SECONDS, b.durationMaxSeconds, durationMinSeconds, 7200);
    bitrateKbps = (int) intIn(CATALOGUE_BITRATE_KBPS, b.bitrateKbps, 8, 2000);
    topShare = openIn(POPULARITY_TOP_SHARE, b.topShare, 0, 1);
    playShare = openIn(POPULARITY_PLAY_SHARE, b.playShare, topShare, 1);
    if (Double.isNaN(b.popularityExponent)) {
      popularityExponent = Double.NaN;
    } else {
      if (!(b.popularityExponent > 0 && b.popularityExponent <= 20)) {
        throw invalid(POPULARITY_EXPONENT, b.popularityExponent, "(0, 20] or \"fit\"");
      }
      popularityExponent = b.popularityExponent;
    }
    layout = Objects.requireNonNull(b.layout, POPULARITY_LAYOUT);
    maxPlays = (int) intIn(SESSION_MAX_PLAYS, b.maxPlays, 1, 100_000);
    meanPlays = in(SESSION_MEAN_PLAYS, b.meanPlays, 1, maxPlays);
    double expected = SessionModel.expectedPlays(meanPlays, maxPlays);
    double maxSequential = (expected - 1) / expected;
    if (!(b.sequentialShare >= 0 && b.sequentialShare <= maxSequential + 1e-12)) {
      throw invalid(SESSION_SEQUENTIAL_SHARE, b.sequentialShare,
          "[0, " + maxSequential + "] (the first play of a session is never sequential; with "
              + SESSION_MEAN_PLAYS + "=" + meanPlays + " at most that share of plays can be)");
    }
    sequentialShare = Math.min(b.sequentialShare, maxSequential);
    skipProbability = in(SESSION_SKIP_PROBABILITY, b.skipProbability, 0, 1);
    skipEarlyShare = in(SESSION_SKIP_EARLY_SHARE, b.skipEarlyShare, 0, 1);
    skipEarlySeconds = in(SESSION_SKIP_EARLY_SECONDS, b.skipEarlySeconds, 0, 7200);
    seekProbability = in(SESSION_SEEK_PROBABILITY, b.seekProbability, 0, 1);
    seekForwardShare = in(SESSION_SEEK_FORWARD_SHARE, b.seekForwardShare, 0, 1);
    sessionGapMeanSeconds = in(SESSION_GAP_MEAN_SECONDS, b.sessionGapMeanSeconds, 1, 1e8);
    repeatShare = Double.isNaN(b.repeatShare) ? Double.NaN
        : in(SESSION_REPEAT_SHARE, b.repeatShare, 0, 1);
    repeatChoice = Objects.requireNonNull(b.repeatChoice, SESSION_REPEAT_CHOICE);
    repeatWindowPlays = (int) intIn(SESSION_REPEAT_WINDOW_PLAYS, b.repeatWindowPlays, 1, 100_000);
    if (!(b.peakHour >= 0 && b.peakHour < 24)) {
      throw invalid(DIURNAL_PEAK_HOUR, b.peakHour, "[0, 24)");
    }
    peakHour = b.peakHour;
    if (!(b.minMaxRatio > 0 && b.minMaxRatio <= 1)) {
      throw invalid(DIURNAL_MIN_MAX_RATIO, b.minMaxRatio, "(0, 1]");
    }
    minMaxRatio = b.minMaxRatio;
    secondHarmonic = in(DIURNAL_SECOND_HARMONIC, b.secondHarmonic, 0, 1);
    online = Distribution.of(Objects.requireNonNull(b.onlineKind, CHURN_ONLINE_DISTRIBUTION),
        in(CHURN_ONLINE_MEAN_SECONDS, b.onlineMeanSeconds, 1, 1e9),
        in(CHURN_ONLINE_SIGMA, b.onlineSigma, 0, 5));
    offline = Distribution.of(Objects.requireNonNull(b.offlineKind, CHURN_OFFLINE_DISTRIBUTION),
        in(CHURN_OFFLINE_MEAN_SECONDS, b.offlineMeanSeconds, 1, 1e9),
        in(CHURN_OFFLINE_SIGMA, b.offlineSigma, 0, 5));
    cacheFraction = openClosedIn(CACHE_FRACTION_OF_FREE_DISK, b.cacheFraction, 0, 1);
    cacheMinBytes = intIn(CACHE_MIN_BYTES, b.cacheMinBytes, 0, 1L << 50);
    cacheMaxBytes = intIn(CACHE_MAX_BYTES, b.cacheMaxBytes, Math.max(1, cacheMinBytes), 1L << 50);
    freeDiskMedianBytes = in(CACHE_FREE_DISK_MEDIAN_BYTES, b.freeDiskMedianBytes, 1, 1e16);
    freeDiskSigma = in(CACHE_FREE_DISK_SIGMA, b.freeDiskSigma, 0, 5);
    referenceCatalogueTracks = b.referenceCatalogueTracks == 0 ? 0
        : intIn(CACHE_REFERENCE_CATALOGUE_TRACKS, b.referenceCatalogueTracks, catalogueTracks,
            1L << 40);
  }

  private static IllegalArgumentException invalid(String key, Object value, String allowed) {
    return new IllegalArgumentException(
        "workload: " + key + " must be in " + allowed + ", was " + value);
  }

  private static double in(String key, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) {
      throw invalid(key, v, "[" + lo + ", " + hi + "]");
    }
    return v;
  }

  private static double openIn(String key, double v, double lo, double hi) {
    if (!(v > lo && v < hi)) {
      throw invalid(key, v, "(" + lo + ", " + hi + ")");
    }
    return v;
  }

  private static double openClosedIn(String key, double v, double lo, double hi) {
    if (!(v > lo && v <= hi)) {
      throw invalid(key, v, "(" + lo + ", " + hi + "]");
    }
    return v;
  }

  private static long intIn(String key, long v, long lo, long hi) {
    if (v < lo || v > hi) {
      throw invalid(key, v, "[" + lo + ", " + hi + "]");
    }
    return v;
  }

  /** The defaults (see {@code simulator/docs/workload.md}). */
  public static WorkloadConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.catalogueTracks = catalogueTracks;
    b.albumTracks = albumTracks;
    b.durationMedianSeconds = durationMedianSeconds;
    b.durationSigma = durationSigma;
    b.durationMinSeconds = durationMinSeconds;
    b.durationMaxSeconds = durationMaxSeconds;
    b.bitrateKbps = bitrateKbps;
    b.popularityExponent = popularityExponent;
    b.topShare = topShare;
    b.playShare = playShare;
    b.layout = layout;
    b.meanPlays = meanPlays;
    b.maxPlays = maxPlays;
    b.sequentialShare = sequentialShare;
    b.skipProbability = skipProbability;
    b.skipEarlyShare = skipEarlyShare;
    b.skipEarlySeconds = skipEarlySeconds;
    b.seekProbability = seekProbability;
    b.seekForwardShare = seekForwardShare;
    b.sessionGapMeanSeconds = sessionGapMeanSeconds;
    b.repeatShare = repeatShare;
    b.repeatChoice = repeatChoice;
    b.repeatWindowPlays = repeatWindowPlays;
    b.peakHour = peakHour;
    b.minMaxRatio = minMaxRatio;
    b.secondHarmonic = secondHarmonic;
    b.onlineKind = online.kind();
    b.onlineMeanSeconds = online.mean();
    b.onlineSigma = online.sigma();
    b.offlineKind = offline.kind();
    b.offlineMeanSeconds = offline.mean();
    b.offlineSigma = offline.sigma();
    b.cacheFraction = cacheFraction;
    b.cacheMinBytes = cacheMinBytes;
    b.cacheMaxBytes = cacheMaxBytes;
    b.freeDiskMedianBytes = freeDiskMedianBytes;
    b.freeDiskSigma = freeDiskSigma;
    b.referenceCatalogueTracks = referenceCatalogueTracks;
    return b;
  }

  /**
   * A configuration from key/value pairs (e.g. a scenario file's {@code workload} section), the
   * defaults for absent keys. Unknown keys and unparsable values fail naming the key.
   */
  public static WorkloadConfig fromMap(Map<String, String> values) {
    Builder b = builder();
    for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
      b.set(e.getKey(), e.getValue());
    }
    return b.build();
  }

  /** The configuration as key/value pairs, in {@link #KEYS} order; {@code fromMap} inverts it. */
  public Map<String, String> toMap() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put(CATALOGUE_TRACKS, Integer.toString(catalogueTracks));
    m.put(CATALOGUE_ALBUM_TRACKS, Integer.toString(albumTracks));
    m.put(CATALOGUE_DURATION_MEDIAN_SECONDS, Double.toString(durationMedianSeconds));
    m.put(CATALOGUE_DURATION_SIGMA, Double.toString(durationSigma));
    m.put(CATALOGUE_DURATION_MIN_SECONDS, Double.toString(durationMinSeconds));
    m.put(CATALOGUE_DURATION_MAX_SECONDS, Double.toString(durationMaxSeconds));
    m.put(CATALOGUE_BITRATE_KBPS, Integer.toString(bitrateKbps));
    m.put(POPULARITY_EXPONENT,
        Double.isNaN(popularityExponent) ? "fit" : Double.toString(popularityExponent));
    m.put(POPULARITY_TOP_SHARE, Double.toString(topShare));
    m.put(POPULARITY_PLAY_SHARE, Double.toString(playShare));
    m.put(POPULARITY_LAYOUT, layout.toString());
    m.put(SESSION_MEAN_PLAYS, Double.toString(meanPlays));
    m.put(SESSION_MAX_PLAYS, Integer.toString(maxPlays));
    m.put(SESSION_SEQUENTIAL_SHARE, Double.toString(sequentialShare));
    m.put(SESSION_SKIP_PROBABILITY, Double.toString(skipProbability));
    m.put(SESSION_SKIP_EARLY_SHARE, Double.toString(skipEarlyShare));
    m.put(SESSION_SKIP_EARLY_SECONDS, Double.toString(skipEarlySeconds));
    m.put(SESSION_SEEK_PROBABILITY, Double.toString(seekProbability));
    m.put(SESSION_SEEK_FORWARD_SHARE, Double.toString(seekForwardShare));
    m.put(SESSION_GAP_MEAN_SECONDS, Double.toString(sessionGapMeanSeconds));
    m.put(SESSION_REPEAT_SHARE, Double.isNaN(repeatShare) ? "off" : Double.toString(repeatShare));
    m.put(SESSION_REPEAT_CHOICE, repeatChoice.toString());
    m.put(SESSION_REPEAT_WINDOW_PLAYS, Integer.toString(repeatWindowPlays));
    m.put(DIURNAL_PEAK_HOUR, Double.toString(peakHour));
    m.put(DIURNAL_MIN_MAX_RATIO, Double.toString(minMaxRatio));
    m.put(DIURNAL_SECOND_HARMONIC, Double.toString(secondHarmonic));
    m.put(CHURN_ONLINE_DISTRIBUTION, online.kind().toString());
    m.put(CHURN_ONLINE_MEAN_SECONDS, Double.toString(online.mean()));
    m.put(CHURN_ONLINE_SIGMA, Double.toString(online.sigma()));
    m.put(CHURN_OFFLINE_DISTRIBUTION, offline.kind().toString());
    m.put(CHURN_OFFLINE_MEAN_SECONDS, Double.toString(offline.mean()));
    m.put(CHURN_OFFLINE_SIGMA, Double.toString(offline.sigma()));
    m.put(CACHE_FRACTION_OF_FREE_DISK, Double.toString(cacheFraction));
    m.put(CACHE_MIN_BYTES, Long.toString(cacheMinBytes));
    m.put(CACHE_MAX_BYTES, Long.toString(cacheMaxBytes));
    m.put(CACHE_FREE_DISK_MEDIAN_BYTES, Double.toString(freeDiskMedianBytes));
    m.put(CACHE_FREE_DISK_SIGMA, Double.toString(freeDiskSigma));
    m.put(CACHE_REFERENCE_CATALOGUE_TRACKS, Long.toString(referenceCatalogueTracks));
    return m;
  }

  // ---- accessors --------------------------------------------------------------------------------
  public int catalogueTracks() {
    return catalogueTracks;
  }

  public int albumTracks() {
    return albumTracks;
  }

  public double durationMedianSeconds() {
    return durationMedianSeconds;
  }

  public double durationSigma() {
    return durationSigma;
  }

  public double durationMinSeconds() {
    return durationMinSeconds;
  }

  public double durationMaxSeconds() {
    return durationMaxSeconds;
  }

  public int bitrateKbps() {
    return bitrateKbps;
  }

  /** The configured Zipf exponent, or NaN when it is to be fitted ({@link #popularityExponentOrFit}). */
  public double popularityExponent() {
    return popularityExponent;
  }

  /** The configured exponent, or the one fitted to {@link #topShare()}/{@link #playShare()}. */
  public double popularityExponentOrFit() {
    return Double.isNaN(popularityExponent)
        ? ZipfPopularity.fitExponent(catalogueTracks, topShare, playShare)
        : popularityExponent;
  }

  public double topShare() {
    return topShare;
  }

  public double playShare() {
    return playShare;
  }

  public Layout layout() {
    return layout;
  }

  public double meanPlays() {
    return meanPlays;
  }

  public int maxPlays() {
    return maxPlays;
  }

  public double sequentialShare() {
    return sequentialShare;
  }

  public double skipProbability() {
    return skipProbability;
  }

  public double skipEarlyShare() {
    return skipEarlyShare;
  }

  public double skipEarlySeconds() {
    return skipEarlySeconds;
  }

  public double seekProbability() {
    return seekProbability;
  }

  public double seekForwardShare() {
    return seekForwardShare;
  }

  public double sessionGapMeanSeconds() {
    return sessionGapMeanSeconds;
  }

  /**
   * {@code session.repeatShare}: the share of plays that replay a track from the listener's own
   * history (a repeat, which the local cache may serve) rather than one drawn by popularity (a
   * discovery, which stands for a track the listener has not played and never comes from the local
   * cache); {@link Double#NaN} ("off", the default) for the model without repeats, in which any
   * play of a held track comes from the cache.
   */
  public double repeatShare() {
    return repeatShare;
  }

  /** Whether the repeat model is on ({@code session.repeatShare} is a number, 0 included). */
  public boolean repeatsOn() {
    return !Double.isNaN(repeatShare);
  }

  /** {@code session.repeatChoice}: which earlier play a repeat replays. */
  public RepeatChoice repeatChoice() {
    return repeatChoice;
  }

  /** {@code session.repeatWindowPlays}: how many of a listener's latest plays a repeat chooses from. */
  public int repeatWindowPlays() {
    return repeatWindowPlays;
  }

  public double peakHour() {
    return peakHour;
  }

  public double minMaxRatio() {
    return minMaxRatio;
  }

  public double secondHarmonic() {
    return secondHarmonic;
  }

  public Distribution online() {
    return online;
  }

  public Distribution offline() {
    return offline;
  }

  public double cacheFraction() {
    return cacheFraction;
  }

  public long cacheMinBytes() {
    return cacheMinBytes;
  }

  public long cacheMaxBytes() {
    return cacheMaxBytes;
  }

  public double freeDiskMedianBytes() {
    return freeDiskMedianBytes;
  }

  public double freeDiskSigma() {
    return freeDiskSigma;
  }

  /**
   * {@code cache.referenceCatalogueTracks}: the catalogue of the system being reproduced (0: none).
   * When set, every cache is the size the free-disk rule gives, scaled by {@code catalogue.tracks}
   * over this, so that a cache holds the same share of the catalogue's bytes as in that system.
   */
  public long referenceCatalogueTracks() {
    return referenceCatalogueTracks;
  }

  /** What cache sizes are multiplied by: catalogue tracks over the reference catalogue, or 1. */
  public double cacheScale() {
    return referenceCatalogueTracks == 0 ? 1 : (double) catalogueTracks / referenceCatalogueTracks;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkloadConfig && ((WorkloadConfig) o).toMap().equals(toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "WorkloadConfig" + toMap();
  }

  /** Mutable; {@link #build()} validates. Setters are named after the keys. */
  public static final class Builder {
    private long catalogueTracks = 1_000_000;
    private long albumTracks = 12;
    private double durationMedianSeconds = 230;
    private double durationSigma = 0.3;
    private double durationMinSeconds = 30;
    private double durationMaxSeconds = 1200;
    private long bitrateKbps = 160;
    private double popularityExponent = Double.NaN;
    private double topShare = 0.12;
    private double playShare = 0.88;
    private Layout layout = Layout.ALBUM;
    private double meanPlays = 5;
    private long maxPlays = 100;
    private double sequentialShare = 0.61;
    private double skipProbability = 0.401;
    private double skipEarlyShare = 0.68;
    private double skipEarlySeconds = 30;
    private double seekProbability = 0.05;
    private double seekForwardShare = 0.7;
    private double sessionGapMeanSeconds = 1200;
    private double repeatShare = Double.NaN;
    private RepeatChoice repeatChoice = RepeatChoice.RECENCY;
    private long repeatWindowPlays = 1000;
    private double peakHour = 21;
    private double minMaxRatio = 0.3;
    private double secondHarmonic = 0.25;
    private Distribution.Kind onlineKind = Distribution.Kind.LOGNORMAL;
    private double onlineMeanSeconds = 7200;
    private double onlineSigma = 1.0;
    private Distribution.Kind offlineKind = Distribution.Kind.LOGNORMAL;
    private double offlineMeanSeconds = 36_000;
    private double offlineSigma = 1.0;
    private double cacheFraction = 0.10;
    private long cacheMinBytes = 50_000_000L;
    private long cacheMaxBytes = 10_000_000_000L;
    private double freeDiskMedianBytes = 50e9;
    private double freeDiskSigma = 1.0;
    private long referenceCatalogueTracks = 0;

    private Builder() {}

    public WorkloadConfig build() {
      return new WorkloadConfig(this);
    }

    /** Sets the parameter {@code key} from its text form; fails naming the key. */
    public Builder set(String key, String value) {
      Objects.requireNonNull(key, "key");
      if (value == null) {
        throw new IllegalArgumentException("workload: " + key + " has no value");
      }
      String v = value.trim();
      switch (key) {
        case CATALOGUE_TRACKS: return catalogueTracks(parseLong(key, v));
        case CATALOGUE_ALBUM_TRACKS: return albumTracks(parseLong(key, v));
        case CATALOGUE_DURATION_MEDIAN_SECONDS: return durationMedianSeconds(parse(key, v));
        case CATALOGUE_DURATION_SIGMA: return durationSigma(parse(key, v));
        case CATALOGUE_DURATION_MIN_SECONDS: return durationMinSeconds(parse(key, v));
        case CATALOGUE_DURATION_MAX_SECONDS: return durationMaxSeconds(parse(key, v));
        case CATALOGUE_BITRATE_KBPS: return bitrateKbps(parseLong(key, v));
        case POPULARITY_EXPONENT:
          return popularityExponent("fit".equalsIgnoreCase(v) ? Double.NaN : parse(key, v));
        case POPULARITY_TOP_SHARE: return topShare(parse(key, v));
        case POPULARITY_PLAY_SHARE: return playShare(parse(key, v));
        case POPULARITY_LAYOUT: return layout(parseEnum(key, v, Layout.values()));
        case SESSION_MEAN_PLAYS: return meanPlays(parse(key, v));
        case SESSION_MAX_PLAYS: return maxPlays(parseLong(key, v));
        case SESSION_SEQUENTIAL_SHARE: return sequentialShare(parse(key, v));
        case SESSION_SKIP_PROBABILITY: return skipProbability(parse(key, v));
        case SESSION_SKIP_EARLY_SHARE: return skipEarlyShare(parse(key, v));
        case SESSION_SKIP_EARLY_SECONDS: return skipEarlySeconds(parse(key, v));
        case SESSION_SEEK_PROBABILITY: return seekProbability(parse(key, v));
        case SESSION_SEEK_FORWARD_SHARE: return seekForwardShare(parse(key, v));
        case SESSION_GAP_MEAN_SECONDS: return sessionGapMeanSeconds(parse(key, v));
        case SESSION_REPEAT_SHARE:
          return repeatShare("off".equalsIgnoreCase(v) ? Double.NaN : parse(key, v));
        case SESSION_REPEAT_CHOICE: return repeatChoice(parseEnum(key, v, RepeatChoice.values()));
        case SESSION_REPEAT_WINDOW_PLAYS: return repeatWindowPlays(parseLong(key, v));
        case DIURNAL_PEAK_HOUR: return peakHour(parse(key, v));
        case DIURNAL_MIN_MAX_RATIO: return minMaxRatio(parse(key, v));
        case DIURNAL_SECOND_HARMONIC: return secondHarmonic(parse(key, v));
        case CHURN_ONLINE_DISTRIBUTION:
          return online(parseEnum(key, v, Distribution.Kind.values()), onlineMeanSeconds, onlineSigma);
        case CHURN_ONLINE_MEAN_SECONDS: return online(onlineKind, parse(key, v), onlineSigma);
        case CHURN_ONLINE_SIGMA: return online(onlineKind, onlineMeanSeconds, parse(key, v));
        case CHURN_OFFLINE_DISTRIBUTION:
          return offline(parseEnum(key, v, Distribution.Kind.values()), offlineMeanSeconds, offlineSigma);
        case CHURN_OFFLINE_MEAN_SECONDS: return offline(offlineKind, parse(key, v), offlineSigma);
        case CHURN_OFFLINE_SIGMA: return offline(offlineKind, offlineMeanSeconds, parse(key, v));
        case CACHE_FRACTION_OF_FREE_DISK: return cacheFraction(parse(key, v));
        case CACHE_MIN_BYTES: return cacheMinBytes(parseLong(key, v));
        case CACHE_MAX_BYTES: return cacheMaxBytes(parseLong(key, v));
        case CACHE_FREE_DISK_MEDIAN_BYTES: return freeDiskMedianBytes(parse(key, v));
        case CACHE_FREE_DISK_SIGMA: return freeDiskSigma(parse(key, v));
        case CACHE_REFERENCE_CATALOGUE_TRACKS: return referenceCatalogueTracks(parseLong(key, v));
        default:
          throw new IllegalArgumentException(
              "workload: unknown key " + key + "; known keys: " + String.join(", ", KEYS));
      }
    }

    private static double parse(String key, String v) {
      try {
        return Double.parseDouble(v.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("workload: " + key + " must be a number, was \"" + v + "\"", e);
      }
    }

    private static long parseLong(String key, String v) {
      try {
        return Long.parseLong(v.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "workload: " + key + " must be an integer, was \"" + v + "\"", e);
      }
    }

    private static <E extends Enum<E>> E parseEnum(String key, String v, E[] values) {
      for (E e : values) {
        if (e.name().equalsIgnoreCase(v)) {
          return e;
        }
      }
      throw new IllegalArgumentException("workload: " + key + " must be one of "
          + Arrays.toString(values) + ", was \"" + v + "\"");
    }

    public Builder catalogueTracks(long v) {
      catalogueTracks = v;
      return this;
    }

    public Builder albumTracks(long v) {
      albumTracks = v;
      return this;
    }

    public Builder durationMedianSeconds(double v) {
      durationMedianSeconds = v;
      return this;
    }

    public Builder durationSigma(double v) {
      durationSigma = v;
      return this;
    }

    public Builder durationMinSeconds(double v) {
      durationMinSeconds = v;
      return this;
    }

    public Builder durationMaxSeconds(double v) {
      durationMaxSeconds = v;
      return this;
    }

    public Builder bitrateKbps(long v) {
      bitrateKbps = v;
      return this;
    }

    /** A fixed exponent, or {@code Double.NaN} to fit it to the top/play shares. */
    public Builder popularityExponent(double v) {
      popularityExponent = v;
      return this;
    }

    public Builder topShare(double v) {
      topShare = v;
      return this;
    }

    public Builder playShare(double v) {
      playShare = v;
      return this;
    }

    public Builder layout(Layout v) {
      layout = v;
      return this;
    }

    public Builder meanPlays(double v) {
      meanPlays = v;
      return this;
    }

    public Builder maxPlays(long v) {
      maxPlays = v;
      return this;
    }

    public Builder sequentialShare(double v) {
      sequentialShare = v;
      return this;
    }

    public Builder skipProbability(double v) {
      skipProbability = v;
      return this;
    }

    public Builder skipEarlyShare(double v) {
      skipEarlyShare = v;
      return this;
    }

    public Builder skipEarlySeconds(double v) {
      skipEarlySeconds = v;
      return this;
    }

    public Builder seekProbability(double v) {
      seekProbability = v;
      return this;
    }

    public Builder seekForwardShare(double v) {
      seekForwardShare = v;
      return this;
    }

    public Builder sessionGapMeanSeconds(double v) {
      sessionGapMeanSeconds = v;
      return this;
    }

    /** {@link Double#NaN} turns the repeat model off (the default). */
    public Builder repeatShare(double v) {
      repeatShare = v;
      return this;
    }

    public Builder repeatChoice(RepeatChoice v) {
      repeatChoice = v;
      return this;
    }

    public Builder repeatWindowPlays(long v) {
      repeatWindowPlays = v;
      return this;
    }

    public Builder peakHour(double v) {
      peakHour = v;
      return this;
    }

    public Builder minMaxRatio(double v) {
      minMaxRatio = v;
      return this;
    }

    public Builder secondHarmonic(double v) {
      secondHarmonic = v;
      return this;
    }

    public Builder online(Distribution.Kind kind, double meanSeconds, double sigma) {
      onlineKind = kind;
      onlineMeanSeconds = meanSeconds;
      onlineSigma = sigma;
      return this;
    }

    public Builder offline(Distribution.Kind kind, double meanSeconds, double sigma) {
      offlineKind = kind;
      offlineMeanSeconds = meanSeconds;
      offlineSigma = sigma;
      return this;
    }

    public Builder cacheFraction(double v) {
      cacheFraction = v;
      return this;
    }

    public Builder cacheMinBytes(long v) {
      cacheMinBytes = v;
      return this;
    }

    public Builder cacheMaxBytes(long v) {
      cacheMaxBytes = v;
      return this;
    }

    public Builder freeDiskMedianBytes(double v) {
      freeDiskMedianBytes = v;
      return this;
    }

    public Builder referenceCatalogueTracks(long v) {
      referenceCatalogueTracks = v;
      return this;
    }

    public Builder freeDiskSigma(double v) {
      freeDiskSigma = v;
      return this;
    }
  }
}
