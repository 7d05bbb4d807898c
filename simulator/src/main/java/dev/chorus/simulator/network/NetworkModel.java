package dev.chorus.simulator.network;

import java.util.SplittableRandom;

/**
 * The whole network of a run: {@code peers} peers (hosts {@code 0..peers-1}) and the CDN (host
 * {@code peers}), their capacities in a {@link FlowNetwork}, their {@link Latency} and their
 * {@link Nat} flags. Built from a validated {@link Config} and one random stream, which is split
 * into independent streams for bandwidth, latency and NAT in that order, so that changing one
 * concern's parameters does not reshuffle the others.
 */
public final class NetworkModel {

  /** Network parameters; every key and default is in docs/network-model.md. */
  public static final class Config {
    final int peers;
    final BandwidthDistribution bandwidth;
    final double natShare;
    final double mappableShare;
    final double punchableShare;
    final double cdnUplink;
    final double cdnDownlink;
    final int maxRegionFlows;
    final Latency.Config latency;
    final double cdnRequestMs;
    final long tcpInitialWindowBytes;
    final double crashPerHour;
    final double slowPerHour;
    final double slowSeconds;
    final double slowStallMs;
    final double failureDetectSeconds;

    private Config(Builder b) {
      cdnRequestMs = b.cdnRequestMs;
      tcpInitialWindowBytes = b.tcpInitialWindowBytes;
      crashPerHour = b.crashPerHour;
      slowPerHour = b.slowPerHour;
      slowSeconds = b.slowSeconds;
      slowStallMs = b.slowStallMs;
      failureDetectSeconds = b.failureDetectSeconds;
      peers = b.peers;
      bandwidth = b.bandwidth;
      natShare = b.natShare;
      mappableShare = b.mappableShare;
      punchableShare = b.punchableShare;
      cdnUplink = b.cdnUplink;
      cdnDownlink = b.cdnDownlink;
      maxRegionFlows = b.maxRegionFlows;
      latency = b.latency;
    }

    public static Builder builder(int peers) {
      return new Builder(peers);
    }

    public int peers() {
      return peers;
    }

    // Read by scenario files, which list every effective value in a run's manifest.

    public BandwidthDistribution bandwidth() {
      return bandwidth;
    }

    public double natShare() {
      return natShare;
    }

    /** Share of the peers behind NAT whose router grants a port mapping (UPnP-IGD, NAT-PMP, PCP). */
    public double mappableShare() {
      return mappableShare;
    }

    /**
     * Share of the routers of peers behind NAT that let a TCP simultaneous open through: they
     * keep the source port and drop (not reset) unsolicited connections. An assumption of the
     * scenario; see docs/network-model.md.
     */
    public double punchableShare() {
      return punchableShare;
    }

    /** Bytes/s; {@code +Infinity} when unbounded. */
    public double cdnUplink() {
      return cdnUplink;
    }

    /** Bytes/s; {@code +Infinity} when unbounded. */
    public double cdnDownlink() {
      return cdnDownlink;
    }

    public int maxRegionFlows() {
      return maxRegionFlows;
    }

    public Latency.Config latency() {
      return latency;
    }

    /** {@code network.cdnRequestMs}: the CDN's time to answer a request, before its first byte. */
    public double cdnRequestMs() {
      return cdnRequestMs;
    }

    /** {@code network.tcp.initialWindowBytes}: slow start's initial window (0: no slow start). */
    public long tcpInitialWindowBytes() {
      return tcpInitialWindowBytes;
    }

    public SlowStart slowStart() {
      return new SlowStart(tcpInitialWindowBytes);
    }

    /** {@code network.failures.*}: peers that crash or turn slow while online. */
    public PeerFailures failures() {
      return new PeerFailures(crashPerHour, slowPerHour, slowSeconds, slowStallMs,
          failureDetectSeconds);
    }

    @Override
    public String toString() {
      return "network.peers=" + peers + ", network.bandwidth=" + bandwidth
          + ", network.natShare=" + natShare + ", network.mappableShare=" + mappableShare + ", network.cdnUplink=" + cdnUplink
          + " B/s, network.cdnDownlink=" + cdnDownlink + " B/s, network.maxRegionFlows="
          + maxRegionFlows + ", network.latency: " + latency;
    }
  }

  /** Builder for {@link Config}. */
  public static final class Builder {
    private final int peers;
    private BandwidthDistribution bandwidth =
        BandwidthDistribution.parse("network.bandwidth", BandwidthDistribution.DEFAULT_SPEC);
    private double natShare = 0.35;
    private double mappableShare = 0;
    private double punchableShare = 0;
    private double cdnUplink = Double.POSITIVE_INFINITY;
    private double cdnDownlink = Double.POSITIVE_INFINITY;
    private int maxRegionFlows = FlowNetwork.DEFAULT_MAX_REGION_FLOWS;
    private Latency.Config latency = Latency.Config.builder().build();
    private double cdnRequestMs = 10;
    private long tcpInitialWindowBytes = 14_600;
    private double crashPerHour = 0;
    private double slowPerHour = 0;
    private double slowSeconds = 60;
    private double slowStallMs = 2000;
    private double failureDetectSeconds = 10;

    private Builder(int peers) {
      this.peers = peers;
    }

    public Builder bandwidth(BandwidthDistribution d) {
      this.bandwidth = d;
      return this;
    }

    /** Parses a bandwidth spec; errors name {@code network.bandwidth}. */
    public Builder bandwidth(String spec) {
      this.bandwidth = BandwidthDistribution.parse("network.bandwidth", spec);
      return this;
    }

    /** Share of peers that accept no incoming connection (default 0.35). */
    public Builder mappableShare(double share) {
      this.mappableShare = share;
      return this;
    }

    /** Share of the routers behind NAT that let a simultaneous open through (default 0). */
    public Builder punchableShare(double share) {
      this.punchableShare = share;
      return this;
    }

    public Builder natShare(double share) {
      this.natShare = share;
      return this;
    }

    /** The CDN's uplink in bytes/s (default unbounded: the receiver's downlink limits). */
    public Builder cdnUplink(double bytesPerSecond) {
      this.cdnUplink = bytesPerSecond;
      return this;
    }

    public Builder cdnDownlink(double bytesPerSecond) {
      this.cdnDownlink = bytesPerSecond;
      return this;
    }

    public Builder maxRegionFlows(int flows) {
      this.maxRegionFlows = flows;
      return this;
    }

    public Builder latency(Latency.Config c) {
      this.latency = c;
      return this;
    }

    /** The CDN's per-request time before the first byte (default 10 ms). */
    public Builder cdnRequestMs(double ms) {
      this.cdnRequestMs = ms;
      return this;
    }

    /** Slow start's initial window in bytes (default 14,600: ten segments, RFC 6928); 0: none. */
    public Builder tcpInitialWindowBytes(long bytes) {
      this.tcpInitialWindowBytes = bytes;
      return this;
    }

    public Builder crashPerHour(double v) {
      this.crashPerHour = v;
      return this;
    }

    public Builder slowPerHour(double v) {
      this.slowPerHour = v;
      return this;
    }

    public Builder slowSeconds(double v) {
      this.slowSeconds = v;
      return this;
    }

    public Builder slowStallMs(double v) {
      this.slowStallMs = v;
      return this;
    }

    public Builder failureDetectSeconds(double v) {
      this.failureDetectSeconds = v;
      return this;
    }

    public Config build() {
      if (peers < 1 || peers > Integer.MAX_VALUE / 2 - 1) {
        throw new IllegalArgumentException(
            "network.peers must be in [1, " + (Integer.MAX_VALUE / 2 - 1) + "], got " + peers);
      }
      if (bandwidth == null) {
        throw new IllegalArgumentException("network.bandwidth must be set");
      }
      if (!(mappableShare >= 0 && mappableShare <= 1)) {
        throw new IllegalArgumentException("network.mappableShare must be in [0, 1], got " + mappableShare);
      }
      if (!(punchableShare >= 0 && punchableShare <= 1)) {
        throw new IllegalArgumentException("network.punchableShare must be in [0, 1], got " + punchableShare);
      }
      if (!(natShare >= 0 && natShare <= 1)) {
        throw new IllegalArgumentException("network.natShare must be in [0, 1], got " + natShare);
      }
      if (!(cdnUplink > 0)) {
        throw new IllegalArgumentException(
            "network.cdnUplink must be > 0 bytes/s (or Infinity), got " + cdnUplink);
      }
      if (!(cdnDownlink > 0)) {
        throw new IllegalArgumentException(
            "network.cdnDownlink must be > 0 bytes/s (or Infinity), got " + cdnDownlink);
      }
      if (maxRegionFlows < 1) {
        throw new IllegalArgumentException(
            "network.maxRegionFlows must be at least 1, got " + maxRegionFlows);
      }
      if (latency == null) {
        throw new IllegalArgumentException("network.latency must be set");
      }
      if (!(cdnRequestMs >= 0 && cdnRequestMs <= 60_000)) {
        throw new IllegalArgumentException("network.cdnRequestMs must be in [0, 60000], got " + cdnRequestMs);
      }
      if (tcpInitialWindowBytes < 0 || tcpInitialWindowBytes > 1 << 30) {
        throw new IllegalArgumentException("network.tcp.initialWindowBytes must be in [0, 2^30], got "
            + tcpInitialWindowBytes);
      }
      try {
        new PeerFailures(crashPerHour, slowPerHour, slowSeconds, slowStallMs, failureDetectSeconds);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("network.failures.*: " + e.getMessage(), e);
      }
      return new Config(this);
    }
  }

  private final Config config;
  private final FlowNetwork flows;
  private final Latency latency;
  private final Nat nat;

  private NetworkModel(Config config, FlowNetwork flows, Latency latency, Nat nat) {
    this.config = config;
    this.flows = flows;
    this.latency = latency;
    this.nat = nat;
  }

  /** Draws every peer's capacities, position and NAT flag from {@code rnd}. */
  public static NetworkModel build(
      Config config, SplittableRandom rnd, FlowNetwork.Listener listener) {
    SplittableRandom bwRnd = rnd.split();
    SplittableRandom latRnd = rnd.split();
    SplittableRandom natRnd = rnd.split();
    int hosts = config.peers + 1;
    double[] up = new double[hosts];
    double[] down = new double[hosts];
    config.bandwidth.sample(bwRnd, up, down, 0, config.peers);
    up[config.peers] = config.cdnUplink;
    down[config.peers] = config.cdnDownlink;
    FlowNetwork fn = FlowNetwork.builder(hosts)
        .capacities(up, down)
        .maxRegionFlows(config.maxRegionFlows)
        .listener(listener)
        .build();
    Latency lat = Latency.generate(config.latency, config.peers, config.peers, latRnd);
    Nat nat = Nat.generate(hosts, config.peers, config.natShare, config.mappableShare, config.punchableShare, natRnd);
    return new NetworkModel(config, fn, lat, nat);
  }

  public Config config() {
    return config;
  }

  /** The CDN's host id (equal to the number of peers). */
  public int cdnHost() {
    return config.peers;
  }

  public int peers() {
    return config.peers;
  }

  public FlowNetwork flows() {
    return flows;
  }

  public Latency latency() {
    return latency;
  }

  public Nat nat() {
    return nat;
  }
}
