package dev.chorus.tracker;

import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.tracker.index.LookupPolicy;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a tracker server is told at start: identity, address, limits. Immutable; built and
 * validated once by {@link Builder#build()}, whose errors name the setting.
 */
public final class TrackerConfig {
  private final NoiseKeyPair keyPair;
  private final InetSocketAddress listenAddress;
  /** The tracker's default index budget: 512 MiB accounted, for a JVM heap of 1 GB or more. */
  public static final long DEFAULT_MAX_INDEX_BYTES = 512L << 20;

  private final PeerIndexConfig index;
  private final int maxFrameBytes;
  private final int maxTracksPerAnnounce;
  private final int defaultPeersPerLookup;
  private final int maxPeersPerLookup;
  private final double announcesPerSecond;
  private final int announceBurst;
  private final double lookupsPerSecond;
  private final int lookupBurst;
  private final int rateLimitedBeforeDisconnect;
  private final int maxConnectionsPerIp;
  private final int violationsBeforeBan;
  private final Duration violationWindow;
  private final Duration banDuration;
  private final Duration idleTimeout;
  private final Duration handshakeTimeout;
  private final Duration shutdownGrace;
  private final int ioThreads;
  private final Transport transport;
  private final double rttBucketMillis;
  private final Duration expireInterval;
  private final Duration statsInterval;
  private final Set<String> telemetryRegions;
  private final TraversalConfig traversal;

  /** Most regions that get their own label in the playback metrics. */
  public static final int MAX_TELEMETRY_REGIONS = 32;
  /** Label of the playback figures of nodes that announced no region. */
  public static final String NO_REGION_LABEL = "none";
  /** Label of the playback figures of nodes whose region is not in {@link #telemetryRegions()}. */
  public static final String OTHER_REGION_LABEL = "other";
  private static final Pattern REGION_LABEL = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,31}");

  private TrackerConfig(Builder b) {
    keyPair = b.keyPair;
    listenAddress = b.listenAddress;
    index = b.index;
    maxFrameBytes = b.maxFrameBytes;
    maxTracksPerAnnounce = b.maxTracksPerAnnounce;
    defaultPeersPerLookup = b.defaultPeersPerLookup;
    maxPeersPerLookup = b.maxPeersPerLookup;
    announcesPerSecond = b.announcesPerSecond;
    announceBurst = b.announceBurst;
    lookupsPerSecond = b.lookupsPerSecond;
    lookupBurst = b.lookupBurst;
    rateLimitedBeforeDisconnect = b.rateLimitedBeforeDisconnect;
    maxConnectionsPerIp = b.maxConnectionsPerIp;
    violationsBeforeBan = b.violationsBeforeBan;
    violationWindow = b.violationWindow;
    banDuration = b.banDuration;
    idleTimeout = b.idleTimeout;
    handshakeTimeout = b.handshakeTimeout;
    shutdownGrace = b.shutdownGrace;
    ioThreads = b.ioThreads;
    transport = b.transport;
    rttBucketMillis = b.rttBucketMillis;
    expireInterval = b.expireInterval;
    statsInterval = b.statsInterval;
    telemetryRegions = b.telemetryRegions;
    traversal = b.traversal;
  }

  /** Reachability probes and connection reversal. */
  public TraversalConfig traversal() {
    return traversal;
  }

  public static Builder builder(NoiseKeyPair keyPair) {
    return new Builder(keyPair);
  }

  public NoiseKeyPair keyPair() {
    return keyPair;
  }

  public InetSocketAddress listenAddress() {
    return listenAddress;
  }

  /**
   * The settings to create the tracker's index with (default: {@link PeerIndexConfig}'s, with a
   * budget of {@link #DEFAULT_MAX_INDEX_BYTES}). The server itself takes the quota prefix from
   * here, for the connection cap per network.
   */
  public PeerIndexConfig index() {
    return index;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  public int maxTracksPerAnnounce() {
    return maxTracksPerAnnounce;
  }

  public int defaultPeersPerLookup() {
    return defaultPeersPerLookup;
  }

  public int maxPeersPerLookup() {
    return maxPeersPerLookup;
  }

  /** How lookups are answered and who is indexed, from this configuration's lookup settings. */
  public LookupPolicy lookupPolicy() {
    return LookupPolicy.of(defaultPeersPerLookup, maxPeersPerLookup, rttBucketMillis);
  }

  public double announcesPerSecond() {
    return announcesPerSecond;
  }

  public int announceBurst() {
    return announceBurst;
  }

  public double lookupsPerSecond() {
    return lookupsPerSecond;
  }

  public int lookupBurst() {
    return lookupBurst;
  }

  public int rateLimitedBeforeDisconnect() {
    return rateLimitedBeforeDisconnect;
  }

  public int maxConnectionsPerIp() {
    return maxConnectionsPerIp;
  }

  public int violationsBeforeBan() {
    return violationsBeforeBan;
  }

  public Duration violationWindow() {
    return violationWindow;
  }

  public Duration banDuration() {
    return banDuration;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  public int ioThreads() {
    return ioThreads;
  }

  /** The sockets' Netty transport: NIO unless chosen ({@link Transport}). */
  public Transport transport() {
    return transport;
  }

  public double rttBucketMillis() {
    return rttBucketMillis;
  }

  /** How often entries past their TTL are removed from the index (default 1 minute). */
  public Duration expireInterval() {
    return expireInterval;
  }

  /** How often the index sizes shown in metrics are refreshed (default 15 s). */
  public Duration statsInterval() {
    return statsInterval;
  }

  /**
   * The regions whose nodes' playback figures are labelled with their region (default none). The
   * set is what bounds the metrics' cardinality: a node names its region itself.
   */
  public Set<String> telemetryRegions() {
    return telemetryRegions;
  }

  /** The metrics label for a node that announced {@code region} ("" for none). */
  public String telemetryRegionLabel(String region) {
    if (region.isEmpty()) {
      return NO_REGION_LABEL;
    }
    return telemetryRegions.contains(region) ? region : OTHER_REGION_LABEL;
  }

  /** Builder with the documented defaults (tracker/README.md). */
  public static final class Builder {
    private final NoiseKeyPair keyPair;
    private InetSocketAddress listenAddress = new InetSocketAddress("0.0.0.0", 7070);
    private PeerIndexConfig index = PeerIndexConfig.builder().maxIndexBytes(DEFAULT_MAX_INDEX_BYTES).build();
    private int maxFrameBytes = FrameFormat.DEFAULT_MAX_MESSAGE_BYTES;
    private int maxTracksPerAnnounce = 1000;
    private int defaultPeersPerLookup = 10;
    private int maxPeersPerLookup = 50;
    private double announcesPerSecond = 10;
    private int announceBurst = 50;
    private double lookupsPerSecond = 20;
    private int lookupBurst = 100;
    private int rateLimitedBeforeDisconnect = 100;
    private int maxConnectionsPerIp = 64;
    private int violationsBeforeBan = 5;
    private Duration violationWindow = Duration.ofMinutes(10);
    private Duration banDuration = Duration.ofMinutes(15);
    private Duration idleTimeout = Duration.ofMinutes(10);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private Transport transport = Transport.NIO;
    private double rttBucketMillis = 5;
    private Duration expireInterval = Duration.ofMinutes(1);
    private Duration statsInterval = Duration.ofSeconds(15);
    private Set<String> telemetryRegions = Set.of();
    private TraversalConfig traversal = TraversalConfig.defaults();

    private Builder(NoiseKeyPair keyPair) {
      this.keyPair = Objects.requireNonNull(keyPair, "keyPair");
    }

    public Builder listenAddress(InetSocketAddress listenAddress) {
      this.listenAddress = Objects.requireNonNull(listenAddress, "listenAddress");
      return this;
    }

    public Builder index(PeerIndexConfig index) {
      this.index = Objects.requireNonNull(index, "index");
      return this;
    }

    public Builder maxFrameBytes(int v) {
      maxFrameBytes = v;
      return this;
    }

    public Builder maxTracksPerAnnounce(int v) {
      maxTracksPerAnnounce = v;
      return this;
    }

    public Builder defaultPeersPerLookup(int v) {
      defaultPeersPerLookup = v;
      return this;
    }

    public Builder maxPeersPerLookup(int v) {
      maxPeersPerLookup = v;
      return this;
    }

    public Builder announceRate(double perSecond, int burst) {
      announcesPerSecond = perSecond;
      announceBurst = burst;
      return this;
    }

    public Builder lookupRate(double perSecond, int burst) {
      lookupsPerSecond = perSecond;
      lookupBurst = burst;
      return this;
    }

    public Builder rateLimitedBeforeDisconnect(int v) {
      rateLimitedBeforeDisconnect = v;
      return this;
    }

    public Builder maxConnectionsPerIp(int v) {
      maxConnectionsPerIp = v;
      return this;
    }

    public Builder violationsBeforeBan(int v) {
      violationsBeforeBan = v;
      return this;
    }

    public Builder violationWindow(Duration v) {
      violationWindow = Objects.requireNonNull(v, "violationWindow");
      return this;
    }

    public Builder banDuration(Duration v) {
      banDuration = Objects.requireNonNull(v, "banDuration");
      return this;
    }

    public Builder idleTimeout(Duration v) {
      idleTimeout = Objects.requireNonNull(v, "idleTimeout");
      return this;
    }

    public Builder handshakeTimeout(Duration v) {
      handshakeTimeout = Objects.requireNonNull(v, "handshakeTimeout");
      return this;
    }

    public Builder shutdownGrace(Duration v) {
      shutdownGrace = Objects.requireNonNull(v, "shutdownGrace");
      return this;
    }

    /** The sockets' transport ({@link Transport#named} reads the CLI's names); must run here. */
    public Builder transport(Transport v) {
      transport = Objects.requireNonNull(v, "transport");
      return this;
    }

    public Builder ioThreads(int v) {
      ioThreads = v;
      return this;
    }

    public Builder rttBucketMillis(double v) {
      rttBucketMillis = v;
      return this;
    }

    public Builder expireInterval(Duration v) {
      expireInterval = Objects.requireNonNull(v, "expireInterval");
      return this;
    }

    public Builder statsInterval(Duration v) {
      statsInterval = Objects.requireNonNull(v, "statsInterval");
      return this;
    }

    public Builder telemetryRegions(Set<String> v) {
      telemetryRegions = Set.copyOf(Objects.requireNonNull(v, "telemetryRegions"));
      return this;
    }

    public Builder traversal(TraversalConfig v) {
      traversal = Objects.requireNonNull(v, "traversal");
      return this;
    }

    public TrackerConfig build() {
      range("telemetryRegions (count)", telemetryRegions.size(), 0, MAX_TELEMETRY_REGIONS);
      for (String r : telemetryRegions) {
        if (!REGION_LABEL.matcher(r).matches() || r.equals(NO_REGION_LABEL) || r.equals(OTHER_REGION_LABEL)) {
          throw new IllegalArgumentException("telemetryRegions: \"" + r + "\" is not a region tag: 1..32 of a-z 0-9 _ . -,"
              + " starting with a letter or digit, and not \"" + NO_REGION_LABEL + "\" or \"" + OTHER_REGION_LABEL + "\"");
        }
      }
      range("maxFrameBytes", maxFrameBytes, 1024, FrameFormat.MAX_CONFIGURABLE_MESSAGE_BYTES);
      range("maxTracksPerAnnounce", maxTracksPerAnnounce, 1, 100_000);
      range("maxPeersPerLookup", maxPeersPerLookup, 1, LookupPolicy.MAX_PEERS_LIMIT);
      range("defaultPeersPerLookup", defaultPeersPerLookup, 1, maxPeersPerLookup);
      positive("announcesPerSecond", announcesPerSecond);
      range("announceBurst", announceBurst, 1, 1_000_000);
      positive("lookupsPerSecond", lookupsPerSecond);
      range("lookupBurst", lookupBurst, 1, 1_000_000);
      range("rateLimitedBeforeDisconnect", rateLimitedBeforeDisconnect, 1, Integer.MAX_VALUE);
      range("maxConnectionsPerIp", maxConnectionsPerIp, 1, 1_000_000);
      range("violationsBeforeBan", violationsBeforeBan, 1, 1000);
      positive("violationWindow", violationWindow);
      positive("banDuration", banDuration);
      positive("idleTimeout", idleTimeout);
      positive("handshakeTimeout", handshakeTimeout);
      if (shutdownGrace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must be >= 0, was " + shutdownGrace);
      }
      range("ioThreads", ioThreads, 1, 256);
      transport.requireAvailable();
      if (expireInterval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("expireInterval must be at least 10 ms, was " + expireInterval);
      }
      if (statsInterval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("statsInterval must be at least 10 ms, was " + statsInterval);
      }
      if (!(rttBucketMillis >= 0.001 && rttBucketMillis <= 1_000_000)) {
        throw new IllegalArgumentException("rttBucketMillis must be 0.001..1000000, was " + rttBucketMillis);
      }
      return new TrackerConfig(this);
    }

    private static void range(String name, long v, long min, long max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + v);
      }
    }

    private static void positive(String name, double v) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(name + " must be a positive number, was " + v);
      }
    }

    private static void positive(String name, Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + v);
      }
    }
  }
}
