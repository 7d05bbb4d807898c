package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.limits.WireLimits;
import dev.chorus.protocol.noise.NoiseKeyPair;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a node's {@link TrackerClient}. Immutable; built with {@link #builder} and checked
 * once in {@link Builder#build()}, whose errors name the setting.
 *
 * <p>The defaults match the tracker's (tracker/README.md): at most 1000 tracks per announce, 20
 * lookups per second with bursts of 100, and a full re-announce every 5 minutes, well within the
 * tracker's idle timeout (10 min) and entry TTL (30 min).
 */
public final class TrackerClientConfig {
  /** Longest region tag the tracker accepts. */
  public static final int MAX_REGION_LENGTH = WireLimits.MAX_REGION_LENGTH;

  private final TrackerEndpoint tracker;
  private final NoiseKeyPair keyPair;
  private final int listenPort;
  private final String region;
  private final java.net.InetAddress localAddress;
  private final int maxTracksPerAnnounce;
  private final Duration lookupTimeout;
  private final int maxPeersPerLookup;
  private final double lookupsPerSecond;
  private final int lookupBurst;
  private final Duration reconnectInitialBackoff;
  private final Duration reconnectMaxBackoff;
  private final Duration connectTimeout;
  private final Duration deltaDelay;
  private final Duration refreshInterval;
  private final Duration telemetryInterval;
  private final boolean traversal;
  private final boolean punching;

  private TrackerClientConfig(Builder b, TrackerEndpoint tracker) {
    this.tracker = tracker;
    this.keyPair = b.keyPair;
    this.listenPort = b.listenPort;
    this.region = b.region;
    this.localAddress = b.localAddress;
    this.maxTracksPerAnnounce = b.maxTracksPerAnnounce;
    this.lookupTimeout = b.lookupTimeout;
    this.maxPeersPerLookup = b.maxPeersPerLookup;
    this.lookupsPerSecond = b.lookupsPerSecond;
    this.lookupBurst = b.lookupBurst;
    this.reconnectInitialBackoff = b.reconnectInitialBackoff;
    this.reconnectMaxBackoff = b.reconnectMaxBackoff;
    this.connectTimeout = b.connectTimeout;
    this.deltaDelay = b.deltaDelay;
    this.refreshInterval = b.refreshInterval;
    this.telemetryInterval = b.telemetryInterval;
    this.traversal = b.traversal;
    this.punching = b.punching;
  }

  /** A builder for a node with static key {@code keyPair}; {@link Builder#tracker} is required. */
  public static Builder builder(NoiseKeyPair keyPair) {
    return new Builder(keyPair);
  }

  /** The tracker's address and the static key it must prove it holds. */
  public TrackerEndpoint tracker() {
    return tracker;
  }

  /** The node's static Noise key: its identity. */
  public NoiseKeyPair keyPair() {
    return keyPair;
  }

  /** The port other nodes can reach this one on; 0 = accepts no incoming connections. */
  public int listenPort() {
    return listenPort;
  }

  /**
   * The address the connection to the tracker is made from, or null for the system's choice. A node
   * bound to one address of a multi-homed host dials from it, so that the tracker hands out the
   * address the node listens on.
   */
  public java.net.InetAddress localAddress() {
    return localAddress;
  }

  /** Operator-defined region tag, empty for none. */
  public String region() {
    return region;
  }

  public int maxTracksPerAnnounce() {
    return maxTracksPerAnnounce;
  }

  public Duration lookupTimeout() {
    return lookupTimeout;
  }

  /** Peers asked for by a lookup that does not say how many. */
  public int maxPeersPerLookup() {
    return maxPeersPerLookup;
  }

  public double lookupsPerSecond() {
    return lookupsPerSecond;
  }

  public int lookupBurst() {
    return lookupBurst;
  }

  public Duration reconnectInitialBackoff() {
    return reconnectInitialBackoff;
  }

  public Duration reconnectMaxBackoff() {
    return reconnectMaxBackoff;
  }

  /** Bounds the TCP connect and, separately, the Noise handshake. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long announce and withdraw deltas are gathered before they are sent in one message. */
  public Duration deltaDelay() {
    return deltaDelay;
  }

  /** How often the whole cache is announced again on a live connection; zero = never. */
  public Duration refreshInterval() {
    return refreshInterval;
  }

  /**
   * How often a playback report goes to a tracker that accepts them (default 1 minute); zero = never
   * (the node's {@code --no-telemetry}). The tracker accepts about one per 10 s.
   */
  /**
   * Whether the node takes part in NAT traversal: it lists the capability in its Hello, so the
   * tracker probes it, indexes it even when unreachable, relays reversals to it and accepts its
   * reversal requests. Default true.
   */
  public boolean traversal() {
    return traversal;
  }

  /**
   * Whether the node also takes part in hole punching (only with {@link #traversal()}): it lists
   * the punch capability, so that the tracker may pair it with another unreachable node. Default true.
   */
  public boolean punching() {
    return traversal && punching;
  }

  public Duration telemetryInterval() {
    return telemetryInterval;
  }

  /** Builder with the defaults above. */
  public static final class Builder {
    private final NoiseKeyPair keyPair;
    private TrackerEndpoint tracker;
    private String trackerText;
    private int listenPort;
    private String region = "";
    private java.net.InetAddress localAddress;
    private int maxTracksPerAnnounce = 1000;
    private Duration lookupTimeout = Duration.ofSeconds(5);
    private int maxPeersPerLookup = 10;
    private double lookupsPerSecond = 20;
    private int lookupBurst = 100;
    private Duration reconnectInitialBackoff = Duration.ofMillis(500);
    private Duration reconnectMaxBackoff = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration deltaDelay = Duration.ofSeconds(1);
    private Duration refreshInterval = Duration.ofMinutes(5);
    private Duration telemetryInterval = Duration.ofMinutes(1);
    private boolean traversal = true;
    private boolean punching = true;

    private Builder(NoiseKeyPair keyPair) {
      this.keyPair = Objects.requireNonNull(keyPair, "keyPair");
    }

    /** The tracker (required). */
    public Builder tracker(TrackerEndpoint tracker) {
      this.tracker = Objects.requireNonNull(tracker, "tracker");
      this.trackerText = null;
      return this;
    }

    /** The tracker in its text form {@code <64 hex key>@host:port}, parsed in {@link #build()}. */
    public Builder tracker(String keyAtHostPort) {
      this.trackerText = Objects.requireNonNull(keyAtHostPort, "tracker");
      this.tracker = null;
      return this;
    }

    /** 0 (default) when the node accepts no incoming connections; the tracker then does not hand it out. */
    public Builder listenPort(int listenPort) {
      this.listenPort = listenPort;
      return this;
    }

    /** Region tag (at most 32 characters); empty (default) for none. */
    /** See {@link TrackerClientConfig#localAddress()}; null (the default) or a wildcard address: the system's choice. */
    public Builder localAddress(java.net.InetAddress localAddress) {
      this.localAddress = localAddress == null || localAddress.isAnyLocalAddress() ? null : localAddress;
      return this;
    }

    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** Tracks per announce or withdraw message (default 1000, the tracker's cap); bigger sets are split. */
    public Builder maxTracksPerAnnounce(int maxTracksPerAnnounce) {
      this.maxTracksPerAnnounce = maxTracksPerAnnounce;
      return this;
    }

    /** How long a lookup waits for its answer (default 5 s). */
    public Builder lookupTimeout(Duration lookupTimeout) {
      this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
      return this;
    }

    /** Peers a lookup asks for when the caller does not say (default 10). */
    public Builder maxPeersPerLookup(int maxPeersPerLookup) {
      this.maxPeersPerLookup = maxPeersPerLookup;
      return this;
    }

    /**
     * Local lookup rate limit (default 20/s, bursts of 100: the tracker's). Lookups over it fail at
     * once ({@link TrackerException.Reason#LIMITED}) instead of earning the connection a
     * {@code RATE_LIMITED} disconnect.
     */
    public Builder lookupRate(double perSecond, int burst) {
      this.lookupsPerSecond = perSecond;
      this.lookupBurst = burst;
      return this;
    }

    /** Reconnect backoff: full jitter over an exponential cap from {@code initial} to {@code max} (500 ms, 30 s). */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      this.reconnectInitialBackoff = Objects.requireNonNull(initial, "reconnectInitialBackoff");
      this.reconnectMaxBackoff = Objects.requireNonNull(max, "reconnectMaxBackoff");
      return this;
    }

    /** Bound on the TCP connect and on the Noise handshake (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
      return this;
    }

    /** How long deltas are gathered before sending (default 1 s); zero sends at once. */
    public Builder deltaDelay(Duration deltaDelay) {
      this.deltaDelay = Objects.requireNonNull(deltaDelay, "deltaDelay");
      return this;
    }

    /** Full re-announce period on a live connection (default 5 min); zero = never. */
    public Builder refreshInterval(Duration refreshInterval) {
      this.refreshInterval = Objects.requireNonNull(refreshInterval, "refreshInterval");
      return this;
    }

    /** Playback report period (default 1 min; 100 ms .. 1 h); zero = send none. */
    public Builder traversal(boolean traversal) {
      this.traversal = traversal;
      return this;
    }

    /** See {@link TrackerClientConfig#punching()}. */
    public Builder punching(boolean punching) {
      this.punching = punching;
      return this;
    }

    public Builder telemetryInterval(Duration telemetryInterval) {
      this.telemetryInterval = Objects.requireNonNull(telemetryInterval, "telemetryInterval");
      return this;
    }

    public TrackerClientConfig build() {
      TrackerEndpoint endpoint = tracker;
      if (endpoint == null && trackerText == null) {
        throw new IllegalArgumentException("tracker must be set (<64 hex key>@host:port)");
      }
      if (endpoint == null) {
        endpoint = TrackerEndpoint.parse(trackerText);
      }
      if (keyPair.publicKey().length != TrackerEndpoint.KEY_BYTES) {
        throw new IllegalArgumentException("keyPair must be an X25519 key pair, was " + keyPair.dh());
      }
      range("listenPort", listenPort, 0, 65535);
      if (region.length() > MAX_REGION_LENGTH) {
        throw new IllegalArgumentException("region must be at most " + MAX_REGION_LENGTH + " characters, was "
            + region.length());
      }
      range("maxTracksPerAnnounce", maxTracksPerAnnounce, 1, 100_000);
      positive("lookupTimeout", lookupTimeout);
      range("maxPeersPerLookup", maxPeersPerLookup, 1, 1000);
      if (!(lookupsPerSecond > 0) || Double.isInfinite(lookupsPerSecond)) {
        throw new IllegalArgumentException("lookupsPerSecond must be a positive number, was " + lookupsPerSecond);
      }
      range("lookupBurst", lookupBurst, 1, 1_000_000);
      positive("reconnectInitialBackoff", reconnectInitialBackoff);
      positive("reconnectMaxBackoff", reconnectMaxBackoff);
      if (reconnectMaxBackoff.compareTo(reconnectInitialBackoff) < 0) {
        throw new IllegalArgumentException("reconnectMaxBackoff (" + reconnectMaxBackoff
            + ") must not be below reconnectInitialBackoff (" + reconnectInitialBackoff + ")");
      }
      positive("connectTimeout", connectTimeout);
      notNegative("deltaDelay", deltaDelay);
      notNegative("refreshInterval", refreshInterval);
      if (!telemetryInterval.isZero()
          && (telemetryInterval.compareTo(Duration.ofMillis(100)) < 0 || telemetryInterval.compareTo(Duration.ofHours(1)) > 0)) {
        throw new IllegalArgumentException("telemetryInterval must be zero (off) or 100 ms .. 1 h, was " + telemetryInterval);
      }
      return new TrackerClientConfig(this, endpoint);
    }

    private static void range(String name, long v, long min, long max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + v);
      }
    }

    private static void positive(String name, Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + v);
      }
    }

    private static void notNegative(String name, Duration v) {
      if (v.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + v);
      }
    }
  }

  @Override
  public String toString() {
    return "TrackerClientConfig[tracker=" + tracker + ", listenPort=" + listenPort
        + (region.isEmpty() ? "" : ", region=" + region) + ", maxTracksPerAnnounce=" + maxTracksPerAnnounce
        + ", lookupTimeout=" + lookupTimeout + ", telemetryInterval=" + telemetryInterval + ", backoff=" + reconnectInitialBackoff + ".." + reconnectMaxBackoff + "]";
  }
}
