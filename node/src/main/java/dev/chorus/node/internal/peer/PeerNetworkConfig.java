package dev.chorus.node.internal.peer;

import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.noise.NoiseKeyPair;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a node's peer networking: who we are, where we listen, and the bounds on what we
 * accept. Immutable; built and validated once with {@link #builder}, whose errors name the setting.
 */
public final class PeerNetworkConfig {
  /** The capability of nodes that answer overlay {@code PeerQuery}s. */
  public static final String OVERLAY_QUERY = "overlay-query";
  /** Most capabilities a Hello may carry, ours or a peer's. */
  static final int MAX_CAPABILITIES = 32;
  /** Longest capability name, in UTF-8 bytes. */
  static final int MAX_CAPABILITY_BYTES = 64;

  private final NoiseKeyPair localKey;
  private final InetAddress bindAddress;
  private final int listenPort;
  private final boolean acceptIncoming;
  private final boolean punching;
  private final int maxConnections;
  private final long uploadBytesPerSecond;
  private final long downloadBytesPerSecond;
  private final int maxFrameBytes;
  private final int maxRunChunks;
  private final int maxChunkBytes;
  private final int maxQueryHops;
  private final Duration handshakeTimeout;
  private final Duration idleTimeout;
  private final Duration pingInterval;
  private final Duration banDuration;
  private final List<String> capabilities;

  private PeerNetworkConfig(Builder b) {
    this.localKey = b.localKey;
    this.bindAddress = b.bindAddress;
    this.listenPort = b.listenPort;
    this.acceptIncoming = b.acceptIncoming;
    this.punching = b.punching;
    this.maxConnections = b.maxConnections;
    this.uploadBytesPerSecond = b.uploadBytesPerSecond;
    this.downloadBytesPerSecond = b.downloadBytesPerSecond;
    this.maxFrameBytes = b.maxFrameBytes;
    this.maxRunChunks = b.maxRunChunks;
    this.maxChunkBytes = b.maxChunkBytes;
    this.maxQueryHops = b.maxQueryHops;
    this.handshakeTimeout = b.handshakeTimeout;
    this.idleTimeout = b.idleTimeout;
    this.pingInterval = b.pingInterval;
    this.banDuration = b.banDuration;
    this.capabilities = b.capabilities;
  }

  /** A builder with the defaults; {@code localKey} is the node's static Noise key (its identity). */
  public static Builder builder(NoiseKeyPair localKey) {
    return new Builder(localKey);
  }

  public NoiseKeyPair localKey() {
    return localKey;
  }

  public InetAddress bindAddress() {
    return bindAddress;
  }

  /** The port asked for; 0 = any free port ({@link PeerNetwork#listenPort()} says which). */
  public int listenPort() {
    return listenPort;
  }

  public InetSocketAddress listenAddress() {
    return new InetSocketAddress(bindAddress, listenPort);
  }

  /** False for a node that cannot be reached (NAT): no server, Hello.listen_port 0. */
  public boolean acceptIncoming() {
    return acceptIncoming;
  }

  /**
   * Whether the node may punch holes ({@link PeerNetwork#punch}): its server socket is then bound
   * with {@code SO_REUSEADDR} and {@code SO_REUSEPORT}, so that a punch can dial from the listen
   * port. Only with {@link #acceptIncoming()}.
   */
  public boolean punching() {
    return acceptIncoming && punching;
  }

  public int maxConnections() {
    return maxConnections;
  }

  /** Upload cap over all peer connections, in bytes per second on the wire; 0 = unlimited. */
  public long uploadBytesPerSecond() {
    return uploadBytesPerSecond;
  }

  /** Download cap over all peer connections, bytes per second; 0 = unlimited. */
  public long downloadBytesPerSecond() {
    return downloadBytesPerSecond;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  public int maxRunChunks() {
    return maxRunChunks;
  }

  public int maxChunkBytes() {
    return maxChunkBytes;
  }

  public int maxQueryHops() {
    return maxQueryHops;
  }

  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration pingInterval() {
    return pingInterval;
  }

  public Duration banDuration() {
    return banDuration;
  }

  /** Capabilities announced in our Hello. */
  public List<String> capabilities() {
    return capabilities;
  }

  @Override
  public String toString() {
    return "PeerNetworkConfig[listen=" + (acceptIncoming ? listenAddress() : "none")
        + ", maxConnections=" + maxConnections + ", uploadBytesPerSecond=" + uploadBytesPerSecond
        + ", maxFrameBytes=" + maxFrameBytes + ", maxRunChunks=" + maxRunChunks
        + ", maxChunkBytes=" + maxChunkBytes + ", maxQueryHops=" + maxQueryHops
        + ", handshakeTimeout=" + handshakeTimeout + ", idleTimeout=" + idleTimeout
        + ", pingInterval=" + pingInterval + ", banDuration=" + banDuration
        + ", capabilities=" + capabilities + "]";
  }

  /** Builder with the defaults documented on each setter; {@link #build()} validates. */
  public static final class Builder {
    private final NoiseKeyPair localKey;
    private InetAddress bindAddress = anyAddress();
    private int listenPort;
    private boolean acceptIncoming = true;
    private boolean punching;
    private int maxConnections = 60;
    private long uploadBytesPerSecond;
    private long downloadBytesPerSecond;
    private int maxFrameBytes = FrameFormat.DEFAULT_MAX_MESSAGE_BYTES;
    private int maxRunChunks = 64;
    private int maxChunkBytes = 1 << 20;
    private int maxQueryHops = 2;
    private Duration handshakeTimeout = Duration.ofSeconds(5);
    private Duration idleTimeout = Duration.ofSeconds(120);
    private Duration pingInterval = Duration.ofSeconds(10);
    private Duration banDuration = Duration.ofMinutes(10);
    private List<String> capabilities = List.of(OVERLAY_QUERY);

    private Builder(NoiseKeyPair localKey) {
      this.localKey = Objects.requireNonNull(localKey, "localKey");
    }

    private static InetAddress anyAddress() {
      try {
        return InetAddress.getByAddress(new byte[4]);
      } catch (java.net.UnknownHostException e) {
        throw new AssertionError("four bytes are an IPv4 address", e);
      }
    }

    /** Address to listen on (default 0.0.0.0). */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /** Port to listen on (default 0: any free port). */
    public Builder listenPort(int listenPort) {
      this.listenPort = listenPort;
      return this;
    }

    /** Whether to listen at all (default true); false for nodes behind a NAT. */
    public Builder acceptIncoming(boolean acceptIncoming) {
      this.acceptIncoming = acceptIncoming;
      return this;
    }

    /** See {@link PeerNetworkConfig#punching()} (default false). */
    public Builder punching(boolean punching) {
      this.punching = punching;
      return this;
    }

    /** Hard limit on peer connections, incoming and outgoing together (default 60). */
    public Builder maxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
      return this;
    }

    /** Upload cap over all peer connections, bytes per second (default 0 = unlimited). */
    public Builder uploadBytesPerSecond(long uploadBytesPerSecond) {
      this.uploadBytesPerSecond = uploadBytesPerSecond;
      return this;
    }

    /** Download cap over all peer connections, bytes per second (default 0 = unlimited). */
    public Builder downloadBytesPerSecond(long downloadBytesPerSecond) {
      this.downloadBytesPerSecond = downloadBytesPerSecond;
      return this;
    }

    /** Largest message frame accepted or sent (default 1 MiB, the protocol default). */
    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /** Longest run of chunks one ChunkRequest may name (default 64). */
    public Builder maxRunChunks(int maxRunChunks) {
      this.maxRunChunks = maxRunChunks;
      return this;
    }

    /** Largest ChunkData payload accepted (default 1 MiB). */
    public Builder maxChunkBytes(int maxChunkBytes) {
      this.maxChunkBytes = maxChunkBytes;
      return this;
    }

    /** Highest PeerQuery.hops_left accepted (default 2). */
    public Builder maxQueryHops(int maxQueryHops) {
      this.maxQueryHops = maxQueryHops;
      return this;
    }

    /** Time from TCP connect to a completed Noise handshake (default 5 s). */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
      return this;
    }

    /** A link on which nothing arrives this long is closed (default 120 s; pings keep it alive). */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
      return this;
    }

    /** How often each link is pinged for RTT and liveness (default 10 s). */
    public Builder pingInterval(Duration pingInterval) {
      this.pingInterval = Objects.requireNonNull(pingInterval, "pingInterval");
      return this;
    }

    /**
     * How long {@link PeerNetwork#ban} refuses a node, by key and by address (default 10 min; a
     * node sets it from {@code SwarmConfig.banDuration}).
     */
    public Builder banDuration(Duration banDuration) {
      this.banDuration = Objects.requireNonNull(banDuration, "banDuration");
      return this;
    }

    /** Capabilities announced in our Hello (default just {@value PeerNetworkConfig#OVERLAY_QUERY}). */
    public Builder capabilities(List<String> capabilities) {
      this.capabilities = List.copyOf(Objects.requireNonNull(capabilities, "capabilities"));
      return this;
    }

    public PeerNetworkConfig build() {
      range("listenPort", listenPort, 0, 65535);
      range("maxConnections", maxConnections, 1, 100_000);
      range("uploadBytesPerSecond", uploadBytesPerSecond, 0, Long.MAX_VALUE);
      range("downloadBytesPerSecond", downloadBytesPerSecond, 0, Long.MAX_VALUE);
      range("maxFrameBytes", maxFrameBytes, 1024, FrameFormat.MAX_CONFIGURABLE_MESSAGE_BYTES);
      range("maxRunChunks", maxRunChunks, 1, 1 << 16);
      range("maxChunkBytes", maxChunkBytes, 1, FrameFormat.MAX_CONFIGURABLE_MESSAGE_BYTES);
      range("maxQueryHops", maxQueryHops, 0, 16);
      positive("handshakeTimeout", handshakeTimeout);
      positive("idleTimeout", idleTimeout);
      positive("pingInterval", pingInterval);
      positive("banDuration", banDuration);
      if (pingInterval.compareTo(idleTimeout) >= 0) {
        throw new IllegalArgumentException("pingInterval must be shorter than idleTimeout (" + idleTimeout
            + "), or idle links are closed between pings; was " + pingInterval);
      }
      if (capabilities.size() > MAX_CAPABILITIES) {
        throw new IllegalArgumentException("capabilities: at most " + MAX_CAPABILITIES + ", got " + capabilities.size());
      }
      for (String c : capabilities) {
        int bytes = c.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_CAPABILITY_BYTES) {
          throw new IllegalArgumentException("capabilities: each is 1.." + MAX_CAPABILITY_BYTES
              + " bytes of UTF-8, got \"" + c + "\"");
        }
      }
      return new PeerNetworkConfig(this);
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
  }
}
