package dev.chorus.node;

import dev.chorus.node.internal.portmap.PortMappingConfig;
import dev.chorus.node.internal.s3.S3Access;
import dev.chorus.node.internal.s3.S3Location;
import dev.chorus.protocol.manifest.PublisherKey;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Immutable, validated configuration of a {@link ChorusNode}. Only the origin is required; every
 * other setting has a default that works on a desktop:
 *
 * <pre>{@code
 * NodeConfig config = NodeConfig.builder()
 *     .origin(URI.create("https://cdn.example.com/catalog/"))
 *     .tracker("3f5a...e1@tracker.example.com:7400")   // pinned key @ host:port
 *     .cacheDirectory(Path.of(home, ".chorus", "cache"))
 *     .build();
 * }</pre>
 *
 * <p>{@link Builder#build()} checks everything once and throws {@link IllegalArgumentException}
 * naming the offending key.
 */
public final class NodeConfig {
  private final List<URI> origins;
  private final String trackerHost;
  private final int trackerPort;
  private final byte[] trackerKey;
  private final Path cacheDirectory;
  private final long cacheCapacityBytes;
  private final NoiseKeyPair identity;
  private final String bindHost;
  private final int listenPort;
  private final boolean acceptIncoming;
  private final boolean reversal;
  private final boolean punching;
  private final Transport transport;
  private final long uploadBytesPerSecond;
  private final long downloadBytesPerSecond;
  private final List<PublisherKey> trustedPublishers;
  private final String region;
  private final boolean telemetry;
  private final Duration telemetryInterval;
  private final SwarmConfig swarm;
  private final MeterRegistry meterRegistry;
  private final NodeListener listener;
  private final Duration tickInterval;
  private final URI s3Endpoint;
  private final String s3Region;
  private final S3Access s3Access;
  private final PortMapping portMapping;
  private final PortMappingConfig portMappingConfig;

  /** Whether the node asks its gateway to forward a port to it ({@link Builder#portMapping}). */
  public enum PortMapping {
    /** Ask with PCP, NAT-PMP, then UPnP-IGD; announce the mapped port; remove it on close. */
    AUTO,
    /** Never talk to the gateway (the default). */
    OFF
  }

  private NodeConfig(Builder b, S3Access s3Access, PortMappingConfig portMappingConfig) {
    origins = List.copyOf(b.origins);
    trackerHost = b.trackerHost;
    trackerPort = b.trackerPort;
    trackerKey = b.trackerKey;
    cacheDirectory = b.cacheDirectory;
    cacheCapacityBytes = b.cacheCapacityBytes;
    identity = b.identity != null ? b.identity : NoiseKeyPair.generateX25519(new SecureRandom());
    bindHost = b.bindHost;
    listenPort = b.listenPort;
    acceptIncoming = b.acceptIncoming;
    reversal = b.reversal;
    punching = b.punching;
    transport = b.transport;
    uploadBytesPerSecond = b.uploadBytesPerSecond;
    downloadBytesPerSecond = b.downloadBytesPerSecond;
    trustedPublishers = List.copyOf(b.trustedPublishers);
    region = b.region;
    telemetry = b.telemetry;
    telemetryInterval = b.telemetryInterval;
    swarm = b.swarm;
    meterRegistry = b.meterRegistry;
    listener = b.listener;
    tickInterval = b.tickInterval;
    s3Endpoint = b.s3Endpoint;
    s3Region = b.s3Region;
    this.s3Access = s3Access;
    this.portMapping = b.portMapping;
    this.portMappingConfig = portMappingConfig;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Origin base URLs (CDN, public bucket, any HTTP server honouring Range) and private buckets
   * ({@code s3://bucket/prefix}, read with SigV4-signed requests), tried in order.
   */
  public List<URI> origins() {
    return origins;
  }

  /** The endpoint of an S3-compatible store for {@code s3://} origins; empty for AWS S3. */
  public Optional<URI> s3Endpoint() {
    return Optional.ofNullable(s3Endpoint);
  }

  /** The region of {@code s3://} origins; empty to take it from the AWS SDK's region chain. */
  public Optional<String> s3Region() {
    return Optional.ofNullable(s3Region);
  }

  /** How {@code s3://} origins are reached: endpoint, region, credentials. */
  S3Access s3Access() {
    return s3Access;
  }

  /** Whether a tracker is configured; without one, discovery is by overlay only. */
  public boolean hasTracker() {
    return trackerHost != null;
  }

  public String trackerHost() {
    return trackerHost;
  }

  public int trackerPort() {
    return trackerPort;
  }

  /** The tracker's pinned static key (32 bytes). */
  public byte[] trackerKey() {
    return trackerKey == null ? null : trackerKey.clone();
  }

  /** The RocksDB cache directory; empty for an in-memory cache. */
  public Optional<Path> cacheDirectory() {
    return Optional.ofNullable(cacheDirectory);
  }

  /** The cache capacity; 0 means the default (10% of free disk, 50 MB..10 GB; 256 MB in memory). */
  public long cacheCapacityBytes() {
    return cacheCapacityBytes;
  }

  /** The node's static Noise key: its identity. Generated at start unless given. */
  public NoiseKeyPair identity() {
    return identity;
  }

  public String bindHost() {
    return bindHost;
  }

  /** The peer port; 0 picks a free one. */
  public int listenPort() {
    return listenPort;
  }

  /** False for a node that accepts no incoming peer connections (behind NAT). */
  public boolean acceptIncoming() {
    return acceptIncoming;
  }

  /**
   * Whether the node takes part in connection reversal (default on): behind a NAT it is indexed
   * and dials out when a reachable peer asks through the tracker; when reachable it asks the
   * tracker to have unreachable holders connect to it. Off: as before traversal, an unreachable
   * node only downloads.
   */
  public boolean reversal() {
    return reversal;
  }

  /**
   * Whether the node takes part in hole punching (default on; only with {@link #reversal()} and
   * {@link #acceptIncoming()}): when the tracker finds its listen port unreachable, it and an
   * unreachable holder dial each other from their listen ports at the tracker's signal (a TCP
   * simultaneous open). The listen socket then shares its port ({@code SO_REUSEPORT}).
   */
  public boolean punching() {
    return reversal && acceptIncoming && punching;
  }

  /**
   * The Netty transport of the node's sockets (peers, tracker, the player's HTTP server): NIO
   * unless chosen ({@link Transport} says why).
   */
  public Transport transport() {
    return transport;
  }

  /** Upload cap in bytes per second; 0 for none. */
  public long uploadBytesPerSecond() {
    return uploadBytesPerSecond;
  }

  /** Download cap on peer traffic in bytes per second; 0 for none (CDN reads are not capped). */
  public long downloadBytesPerSecond() {
    return downloadBytesPerSecond;
  }

  /** Publishers whose manifests are accepted; empty accepts any correctly signed manifest. */
  public List<PublisherKey> trustedPublishers() {
    return trustedPublishers;
  }

  /** Optional region tag sent to the tracker. */
  public String region() {
    return region;
  }

  /**
   * Whether the node reports playback figures (bytes played by source, plays, stutters, start
   * latencies; nothing naming a track) to a tracker that accepts them, once a minute. Default true.
   */
  public boolean telemetry() {
    return telemetry;
  }

  /** How often playback reports go to the tracker when {@link #telemetry()} is on. Default 1 min. */
  public Duration telemetryInterval() {
    return telemetryInterval;
  }

  public SwarmConfig swarm() {
    return swarm;
  }

  /** Where metrics go; empty for none. */
  public Optional<MeterRegistry> meterRegistry() {
    return Optional.ofNullable(meterRegistry);
  }

  public NodeListener listener() {
    return listener;
  }

  /** Whether the node maps its peer port on the gateway. Default {@link PortMapping#OFF}. */
  public PortMapping portMapping() {
    return portMapping;
  }

  /** The gateway the port mapping asks; empty: the default route's. */
  public Optional<InetAddress> portMappingGateway() {
    return Optional.ofNullable(portMappingConfig.gateway());
  }

  /** Where and how the port mapping talks to the gateway. */
  PortMappingConfig portMappingConfig() {
    return portMappingConfig;
  }

  /** How often the swarm core's periodic work runs. Default 100 ms. */
  public Duration tickInterval() {
    return tickInterval;
  }

  @Override
  public String toString() {
    return "NodeConfig[origins=" + origins + ", tracker=" + (hasTracker() ? trackerHost + ":" + trackerPort : "none")
        + ", cache=" + (cacheDirectory == null ? "memory" : cacheDirectory) + ", listenPort=" + listenPort
        + (s3Endpoint == null ? "" : ", s3Endpoint=" + s3Endpoint) + "]";
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder {
    private final List<URI> origins = new ArrayList<>();
    private String trackerHost;
    private int trackerPort;
    private byte[] trackerKey;
    private Path cacheDirectory;
    private long cacheCapacityBytes;
    private NoiseKeyPair identity;
    private String bindHost = "0.0.0.0";
    private int listenPort;
    private boolean acceptIncoming = true;
    private boolean reversal = true;
    private boolean punching = true;
    private Transport transport = Transport.NIO;
    private long uploadBytesPerSecond;
    private long downloadBytesPerSecond;
    private final List<PublisherKey> trustedPublishers = new ArrayList<>();
    private String region = "";
    private boolean telemetry = true;
    private Duration telemetryInterval = Duration.ofMinutes(1);
    private SwarmConfig swarm = SwarmConfig.defaults();
    private MeterRegistry meterRegistry;
    private NodeListener listener = NodeListener.NONE;
    private Duration tickInterval = Duration.ofMillis(100);
    private URI s3Endpoint;
    private String s3Region;
    private AwsCredentialsProvider s3Credentials;
    private PortMapping portMapping = PortMapping.OFF;
    private InetAddress portMappingGateway;
    private PortMappingConfig portMappingConfig;

    private Builder() {}

    /**
     * {@link PortMapping#AUTO}: ask the home gateway (PCP, then NAT-PMP, then UPnP-IGD) to forward
     * a TCP port to the peer port, renew it, announce the mapped port to the tracker, and remove
     * it on close. Off by default: it opens a port on the user's router, which the application
     * (or the user, {@code chorus node --port-mapping auto}) should decide. Ignored when
     * {@link #acceptIncoming} is false.
     */
    public Builder portMapping(PortMapping mode) {
      this.portMapping = Objects.requireNonNull(mode, "portMapping");
      return this;
    }

    /** The gateway to ask (IPv4); unset to take the default route's (Linux: /proc/net/route). */
    public Builder portMappingGateway(InetAddress gateway) {
      this.portMappingGateway = Objects.requireNonNull(gateway, "portMappingGateway");
      return this;
    }

    /** Everything about reaching the gateway (tests point it at a scripted gateway on loopback). */
    Builder portMappingConfig(PortMappingConfig config) {
      this.portMappingConfig = Objects.requireNonNull(config, "portMappingConfig");
      return this;
    }

    /**
     * Adds an origin: an {@code http(s)://} base URL, or a bucket as {@code s3://bucket/prefix}
     * (see {@link #s3Endpoint}, {@link #s3Region}, {@link #s3Credentials}).
     */
    public Builder origin(URI base) {
      origins.add(Objects.requireNonNull(base, "origin"));
      return this;
    }

    /**
     * The endpoint of an S3-compatible store ({@code http(s)://host[:port]}) for {@code s3://}
     * origins, addressed path-style; unset for AWS S3.
     */
    public Builder s3Endpoint(URI endpoint) {
      this.s3Endpoint = Objects.requireNonNull(endpoint, "s3Endpoint");
      return this;
    }

    /** The region of {@code s3://} origins; unset to use the AWS SDK's region provider chain. */
    public Builder s3Region(String region) {
      this.s3Region = Objects.requireNonNull(region, "s3Region");
      return this;
    }

    /**
     * The credentials that sign requests to {@code s3://} origins; unset to use the AWS SDK's
     * default provider chain (environment, system properties, profile, container or instance
     * role). They are never logged nor shown.
     */
    public Builder s3Credentials(AwsCredentialsProvider credentials) {
      this.s3Credentials = Objects.requireNonNull(credentials, "s3Credentials");
      return this;
    }

    /** The tracker, pinned: {@code <64 hex digits of its key>@host:port}. */
    public Builder tracker(String keyAtHostPort) {
      Objects.requireNonNull(keyAtHostPort, "tracker");
      int at = keyAtHostPort.indexOf('@');
      int colon = keyAtHostPort.lastIndexOf(':');
      if (at != 64 || colon < at + 2 || colon == keyAtHostPort.length() - 1) {
        throw new IllegalArgumentException("tracker must look like <64 hex digits>@host:port, was '"
            + keyAtHostPort + "'");
      }
      byte[] key;
      try {
        key = HexFormat.of().parseHex(keyAtHostPort.substring(0, at).toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("tracker: the key before '@' is not hex: " + keyAtHostPort, e);
      }
      int port;
      try {
        port = Integer.parseInt(keyAtHostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("tracker: the port is not a number: " + keyAtHostPort, e);
      }
      String host = keyAtHostPort.substring(at + 1, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return tracker(host, port, key);
    }

    public Builder tracker(String host, int port, byte[] staticKey) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("tracker port must be in 1..65535, was " + port);
      }
      if (staticKey == null || staticKey.length != 32) {
        throw new IllegalArgumentException("tracker key must be 32 bytes");
      }
      this.trackerHost = Objects.requireNonNull(host, "tracker host");
      this.trackerPort = port;
      this.trackerKey = staticKey.clone();
      return this;
    }

    public Builder cacheDirectory(Path dir) {
      this.cacheDirectory = Objects.requireNonNull(dir, "cacheDirectory");
      return this;
    }

    public Builder cacheCapacityBytes(long bytes) {
      this.cacheCapacityBytes = bytes;
      return this;
    }

    public Builder identity(NoiseKeyPair key) {
      this.identity = Objects.requireNonNull(key, "identity");
      return this;
    }

    public Builder bindHost(String host) {
      this.bindHost = Objects.requireNonNull(host, "bindHost");
      return this;
    }

    public Builder listenPort(int port) {
      this.listenPort = port;
      return this;
    }

    /** See {@link NodeConfig#reversal()}. */
    public Builder reversal(boolean reversal) {
      this.reversal = reversal;
      return this;
    }

    /** See {@link NodeConfig#punching()}. */
    public Builder punching(boolean punching) {
      this.punching = punching;
      return this;
    }

    /** See {@link NodeConfig#transport()} ({@link Transport#named} reads the CLI's names); must run here. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    public Builder acceptIncoming(boolean accept) {
      this.acceptIncoming = accept;
      return this;
    }

    public Builder uploadBytesPerSecond(long rate) {
      this.uploadBytesPerSecond = rate;
      return this;
    }

    public Builder downloadBytesPerSecond(long rate) {
      this.downloadBytesPerSecond = rate;
      return this;
    }

    public Builder trustedPublisher(PublisherKey key) {
      trustedPublishers.add(Objects.requireNonNull(key, "trustedPublisher"));
      return this;
    }

    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** False: send the tracker no playback reports ({@code chorus node --no-telemetry}). */
    public Builder telemetry(boolean telemetry) {
      this.telemetry = telemetry;
      return this;
    }

    /**
     * How often to send playback reports (default 1 min; at least 10 s, since a tracker accepts
     * about one report per 10 s from a connection). A node also sends one when it closes, so
     * nothing played is left out.
     */
    public Builder telemetryInterval(Duration interval) {
      Objects.requireNonNull(interval, "telemetryInterval");
      if (interval.compareTo(Duration.ofSeconds(10)) < 0) {
        throw new IllegalArgumentException("telemetryInterval must be at least 10 s (a tracker accepts about one "
            + "report per 10 s), got " + interval);
      }
      this.telemetryInterval = interval;
      return this;
    }

    public Builder swarm(SwarmConfig swarm) {
      this.swarm = Objects.requireNonNull(swarm, "swarm");
      return this;
    }

    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    public Builder listener(NodeListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Builder tickInterval(Duration interval) {
      this.tickInterval = Objects.requireNonNull(interval, "tickInterval");
      return this;
    }

    public NodeConfig build() {
      if (origins.isEmpty()) {
        throw new IllegalArgumentException("origins: at least one origin base URL is required "
            + "(the CDN or HTTP server holding the published catalog)");
      }
      for (int i = 0; i < origins.size(); i++) {
        URI u = origins.get(i);
        if (S3Location.isS3(u)) {
          S3Location.parse("origins[" + i + "]", u.toString());
          continue;
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
          throw new IllegalArgumentException("origins[" + i + "] must be an http(s) URL with a host"
              + " or s3://bucket/prefix, was " + u);
        }
      }
      S3Access s3 = S3Access.builder().endpoint(s3Endpoint).region(s3Region).credentials(s3Credentials).build();
      if (cacheCapacityBytes < 0) {
        throw new IllegalArgumentException("cacheCapacityBytes must not be negative, was " + cacheCapacityBytes);
      }
      if (listenPort < 0 || listenPort > 65535) {
        throw new IllegalArgumentException("listenPort must be in 0..65535, was " + listenPort);
      }
      transport.requireAvailable();
      if (uploadBytesPerSecond < 0) {
        throw new IllegalArgumentException("uploadBytesPerSecond must not be negative, was " + uploadBytesPerSecond);
      }
      if (downloadBytesPerSecond < 0) {
        throw new IllegalArgumentException("downloadBytesPerSecond must not be negative, was " + downloadBytesPerSecond);
      }
      if (region.length() > 64) {
        throw new IllegalArgumentException("region must be at most 64 characters");
      }
      if (tickInterval.isNegative() || tickInterval.isZero() || tickInterval.toMillis() > 10_000) {
        throw new IllegalArgumentException("tickInterval must be in (0, 10 s], was " + tickInterval);
      }
      if (portMappingGateway != null && !(portMappingGateway instanceof Inet4Address)) {
        throw new IllegalArgumentException("portMappingGateway must be an IPv4 address, was "
            + portMappingGateway.getHostAddress());
      }
      PortMappingConfig mapping = portMappingConfig;
      if (mapping == null) {
        PortMappingConfig.Builder m = PortMappingConfig.builder();
        if (portMappingGateway != null) {
          m.gateway(portMappingGateway);
        }
        mapping = m.build();
      }
      return new NodeConfig(this, s3, mapping);
    }
  }
}
