package dev.chorus.node;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable, validated parameters of the {@link SwarmCore}. Defaults follow the Spotify papers
 * where they are known (see {@code node/README.md}, "Behaviour defaults", for where each value
 * comes from); every one can be changed through the {@link Builder}, which names the offending key
 * when a value is out of range.
 */
public final class SwarmConfig {
  private final int maxRunChunks;
  private final long initialCdnWindowNanos;
  private final long cdnReadAheadNanos;
  private final long prefetchWindowNanos;
  private final long urgentWindowNanos;
  private final long requestStallNanos;
  private final long minRequestAgeNanos;
  private final long initialPeerBytesPerSecond;
  private final long fastPeerBytesPerSecond;
  private final int maxRequestsPerPeer;
  private final int maxCdnFetches;
  private final int cdnRunChunks;
  private final int neighbourSoftLimit;
  private final int neighbourHardLimit;
  private final int uploadSlots;
  private final int uploadQueueLimit;
  private final int overlayHopLimit;
  private final int overlayMaxAnswers;
  private final int lookupMaxPeers;
  private final long lookupRetryNanos;
  private final long discoveryGraceNanos;
  private final int connectsPerTrack;
  private final long usefulnessHalfLifeNanos;
  private final long banNanos;
  private final long startBufferNanos;
  private final int startRateMarginPercent;
  private final long startRateWindowNanos;

  private SwarmConfig(Builder b) {
    maxRunChunks = b.maxRunChunks;
    initialCdnWindowNanos = b.initialCdnWindow.toNanos();
    cdnReadAheadNanos = b.cdnReadAhead.toNanos();
    prefetchWindowNanos = b.prefetchWindow.toNanos();
    urgentWindowNanos = b.urgentWindow.toNanos();
    requestStallNanos = b.requestStall.toNanos();
    minRequestAgeNanos = b.minRequestAge.toNanos();
    initialPeerBytesPerSecond = b.initialPeerBytesPerSecond;
    fastPeerBytesPerSecond = b.fastPeerBytesPerSecond;
    maxRequestsPerPeer = b.maxRequestsPerPeer;
    maxCdnFetches = b.maxCdnFetches;
    cdnRunChunks = b.cdnRunChunks;
    neighbourSoftLimit = b.neighbourSoftLimit;
    neighbourHardLimit = b.neighbourHardLimit;
    uploadSlots = b.uploadSlots;
    uploadQueueLimit = b.uploadQueueLimit;
    overlayHopLimit = b.overlayHopLimit;
    overlayMaxAnswers = b.overlayMaxAnswers;
    lookupMaxPeers = b.lookupMaxPeers;
    lookupRetryNanos = b.lookupRetry.toNanos();
    discoveryGraceNanos = b.discoveryGrace.toNanos();
    connectsPerTrack = b.connectsPerTrack;
    usefulnessHalfLifeNanos = b.usefulnessHalfLife.toNanos();
    banNanos = b.banDuration.toNanos();
    startBufferNanos = b.startBuffer.toNanos();
    startRateMarginPercent = b.startRateMarginPercent;
    startRateWindowNanos = b.startRateWindow.toNanos();
  }

  /** The defaults. */
  public static SwarmConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Longest run of chunks in one peer request (the wire allows 1..this). Default 64. */
  public int maxRunChunks() {
    return maxRunChunks;
  }

  /** Audio fetched from the CDN at playback start, in parallel with the peer lookup. Default 15 s. */
  public long initialCdnWindowNanos() {
    return initialCdnWindowNanos;
  }

  /** How far ahead of the playhead CDN reads may go while peers hold the track. Default 15 s. */
  public long cdnReadAheadNanos() {
    return cdnReadAheadNanos;
  }

  /** The next track is prefetched when this much or less of the current one remains. Default 30 s. */
  public long prefetchWindowNanos() {
    return prefetchWindowNanos;
  }

  /** A chunk due within this time is urgent and goes to the CDN if no peer will make it. Default 3 s. */
  public long urgentWindowNanos() {
    return urgentWindowNanos;
  }

  /** A peer request with no chunk for this long is re-sent elsewhere. Default 2 s. */
  public long requestStallNanos() {
    return requestStallNanos;
  }

  /** A request is not judged slow before it is this old. Default 500 ms. */
  public long minRequestAgeNanos() {
    return minRequestAgeNanos;
  }

  /** Assumed rate of a peer nothing has been received from yet. Default 1 MB/s. */
  public long initialPeerBytesPerSecond() {
    return initialPeerBytesPerSecond;
  }

  /**
   * A connected holder measured at this rate or faster is a "fast peer": playback then starts from
   * it without the initial CDN request. Default 2 MB/s.
   */
  public long fastPeerBytesPerSecond() {
    return fastPeerBytesPerSecond;
  }

  /** Outstanding requests per peer. Default 4. */
  public int maxRequestsPerPeer() {
    return maxRequestsPerPeer;
  }

  /** Concurrent CDN range reads. Default 2. */
  public int maxCdnFetches() {
    return maxCdnFetches;
  }

  /** Chunks per CDN range read at most. Default 64 (1 MiB of 16 KiB chunks). */
  public int cdnRunChunks() {
    return cdnRunChunks;
  }

  /** Above this many neighbours the least useful one is disconnected. Default 50. */
  public int neighbourSoftLimit() {
    return neighbourSoftLimit;
  }

  /** Never more neighbours than this; further connections are refused. Default 60. */
  public int neighbourHardLimit() {
    return neighbourHardLimit;
  }

  /** Peers served at once. Default 4. */
  public int uploadSlots() {
    return uploadSlots;
  }

  /** Requests waiting for a slot; beyond this they are refused with UPLOAD_SLOTS_FULL. Default 16. */
  public int uploadQueueLimit() {
    return uploadQueueLimit;
  }

  /** Hop limit of overlay queries this node starts. Default 2. */
  public int overlayHopLimit() {
    return overlayHopLimit;
  }

  /** Peers in one overlay answer at most. Default 10. */
  public int overlayMaxAnswers() {
    return overlayMaxAnswers;
  }

  /** Peers asked of the tracker per lookup. Default 10. */
  public int lookupMaxPeers() {
    return lookupMaxPeers;
  }

  /** A download with no peer holding what it misses looks up again after this. Default 10 s. */
  public long lookupRetryNanos() {
    return lookupRetryNanos;
  }

  /**
   * How long a new download waits for discovery before deciding that no peer holds the track (and
   * lifting the CDN read-ahead limit). Default 2 s.
   */
  public long discoveryGraceNanos() {
    return discoveryGraceNanos;
  }

  /** Holders of a track connected to at most, per download. Default 4. */
  public int connectsPerTrack() {
    return connectsPerTrack;
  }

  /** Half-life of a neighbour's usefulness score. Default 60 s. */
  public long usefulnessHalfLifeNanos() {
    return usefulnessHalfLifeNanos;
  }

  /**
   * How long a peer that sent a chunk failing verification stays banned: the core neither dials
   * it nor accepts it as a neighbour, and the node's peer network refuses its key and address.
   * Default 10 min.
   */
  public long banNanos() {
    return banNanos;
  }

  /** Builder with the defaults; {@link #build()} validates. */
  /**
   * Audio buffered from the playhead before a play starts or resumes after running dry (less near
   * the end of the track); see {@code StartPolicy}. Default 1 s.
   */
  public long startBufferNanos() {
    return startBufferNanos;
  }

  /** Share of the measured download rate the start decision does not count on, in percent. Default 25. */
  public int startRateMarginPercent() {
    return startRateMarginPercent;
  }

  /** How far back the start decision measures the play's download rate. Default 5 s. */
  public long startRateWindowNanos() {
    return startRateWindowNanos;
  }

  public static final class Builder {
    private int maxRunChunks = 64;
    private Duration initialCdnWindow = Duration.ofSeconds(15);
    private Duration cdnReadAhead = Duration.ofSeconds(15);
    private Duration prefetchWindow = Duration.ofSeconds(30);
    private Duration urgentWindow = Duration.ofSeconds(3);
    private Duration requestStall = Duration.ofSeconds(2);
    private Duration minRequestAge = Duration.ofMillis(500);
    private long initialPeerBytesPerSecond = 1_000_000;
    private long fastPeerBytesPerSecond = 2_000_000;
    private int maxRequestsPerPeer = 4;
    private int maxCdnFetches = 2;
    private int cdnRunChunks = 64;
    private int neighbourSoftLimit = 50;
    private int neighbourHardLimit = 60;
    private int uploadSlots = 4;
    private int uploadQueueLimit = 16;
    private int overlayHopLimit = 2;
    private int overlayMaxAnswers = 10;
    private int lookupMaxPeers = 10;
    private Duration lookupRetry = Duration.ofSeconds(10);
    private Duration discoveryGrace = Duration.ofSeconds(2);
    private int connectsPerTrack = 4;
    private Duration usefulnessHalfLife = Duration.ofSeconds(60);
    private Duration banDuration = Duration.ofMinutes(10);
    private Duration startBuffer = Duration.ofSeconds(1);
    private int startRateMarginPercent = 25;
    private Duration startRateWindow = Duration.ofSeconds(5);

    private Builder() {}

    public Builder maxRunChunks(int v) {
      maxRunChunks = v;
      return this;
    }

    public Builder initialCdnWindow(Duration v) {
      initialCdnWindow = Objects.requireNonNull(v, "initialCdnWindow");
      return this;
    }

    public Builder cdnReadAhead(Duration v) {
      cdnReadAhead = Objects.requireNonNull(v, "cdnReadAhead");
      return this;
    }

    public Builder prefetchWindow(Duration v) {
      prefetchWindow = Objects.requireNonNull(v, "prefetchWindow");
      return this;
    }

    public Builder urgentWindow(Duration v) {
      urgentWindow = Objects.requireNonNull(v, "urgentWindow");
      return this;
    }

    public Builder requestStall(Duration v) {
      requestStall = Objects.requireNonNull(v, "requestStall");
      return this;
    }

    public Builder minRequestAge(Duration v) {
      minRequestAge = Objects.requireNonNull(v, "minRequestAge");
      return this;
    }

    public Builder initialPeerBytesPerSecond(long v) {
      initialPeerBytesPerSecond = v;
      return this;
    }

    public Builder fastPeerBytesPerSecond(long v) {
      fastPeerBytesPerSecond = v;
      return this;
    }

    public Builder maxRequestsPerPeer(int v) {
      maxRequestsPerPeer = v;
      return this;
    }

    public Builder maxCdnFetches(int v) {
      maxCdnFetches = v;
      return this;
    }

    public Builder cdnRunChunks(int v) {
      cdnRunChunks = v;
      return this;
    }

    public Builder neighbourSoftLimit(int v) {
      neighbourSoftLimit = v;
      return this;
    }

    public Builder neighbourHardLimit(int v) {
      neighbourHardLimit = v;
      return this;
    }

    public Builder uploadSlots(int v) {
      uploadSlots = v;
      return this;
    }

    public Builder uploadQueueLimit(int v) {
      uploadQueueLimit = v;
      return this;
    }

    public Builder overlayHopLimit(int v) {
      overlayHopLimit = v;
      return this;
    }

    public Builder overlayMaxAnswers(int v) {
      overlayMaxAnswers = v;
      return this;
    }

    public Builder lookupMaxPeers(int v) {
      lookupMaxPeers = v;
      return this;
    }

    public Builder lookupRetry(Duration v) {
      lookupRetry = Objects.requireNonNull(v, "lookupRetry");
      return this;
    }

    public Builder discoveryGrace(Duration v) {
      discoveryGrace = Objects.requireNonNull(v, "discoveryGrace");
      return this;
    }

    public Builder connectsPerTrack(int v) {
      connectsPerTrack = v;
      return this;
    }

    public Builder usefulnessHalfLife(Duration v) {
      usefulnessHalfLife = Objects.requireNonNull(v, "usefulnessHalfLife");
      return this;
    }

    public Builder banDuration(Duration v) {
      banDuration = Objects.requireNonNull(v, "banDuration");
      return this;
    }

    public Builder startBuffer(Duration v) {
      startBuffer = Objects.requireNonNull(v, "startBuffer");
      return this;
    }

    public Builder startRateMarginPercent(int v) {
      startRateMarginPercent = v;
      return this;
    }

    public Builder startRateWindow(Duration v) {
      startRateWindow = Objects.requireNonNull(v, "startRateWindow");
      return this;
    }

    public SwarmConfig build() {
      range("swarm.maxRunChunks", maxRunChunks, 1, 1024);
      positive("swarm.initialCdnWindow", initialCdnWindow);
      positive("swarm.cdnReadAhead", cdnReadAhead);
      positive("swarm.prefetchWindow", prefetchWindow);
      positive("swarm.urgentWindow", urgentWindow);
      positive("swarm.requestStall", requestStall);
      notNegative("swarm.minRequestAge", minRequestAge);
      range("swarm.initialPeerBytesPerSecond", initialPeerBytesPerSecond, 1, Long.MAX_VALUE);
      range("swarm.fastPeerBytesPerSecond", fastPeerBytesPerSecond, 1, Long.MAX_VALUE);
      range("swarm.maxRequestsPerPeer", maxRequestsPerPeer, 1, 1024);
      range("swarm.maxCdnFetches", maxCdnFetches, 1, 64);
      range("swarm.cdnRunChunks", cdnRunChunks, 1, 4096);
      range("swarm.neighbourSoftLimit", neighbourSoftLimit, 1, 100_000);
      range("swarm.neighbourHardLimit", neighbourHardLimit, neighbourSoftLimit, 100_000);
      range("swarm.uploadSlots", uploadSlots, 0, 1024);
      range("swarm.uploadQueueLimit", uploadQueueLimit, 0, 100_000);
      range("swarm.overlayHopLimit", overlayHopLimit, 0, 8);
      range("swarm.overlayMaxAnswers", overlayMaxAnswers, 1, 10);
      range("swarm.lookupMaxPeers", lookupMaxPeers, 1, 1000);
      positive("swarm.lookupRetry", lookupRetry);
      notNegative("swarm.discoveryGrace", discoveryGrace);
      range("swarm.connectsPerTrack", connectsPerTrack, 1, 1000);
      positive("swarm.usefulnessHalfLife", usefulnessHalfLife);
      positive("swarm.banDuration", banDuration);
      notNegative("swarm.startBuffer", startBuffer);
      range("swarm.startRateMarginPercent", startRateMarginPercent, 0, 99);
      positive("swarm.startRateWindow", startRateWindow);
      return new SwarmConfig(this);
    }

    private static void range(String key, long v, long min, long max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], was " + v);
      }
    }

    private static void positive(String key, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(key + " must be positive, was " + d);
      }
    }

    private static void notNegative(String key, Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException(key + " must not be negative, was " + d);
      }
    }
  }
}
