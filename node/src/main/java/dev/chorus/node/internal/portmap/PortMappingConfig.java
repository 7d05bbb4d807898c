package dev.chorus.node.internal.portmap;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Where the gateway is and how long to wait for it; validated once by {@link Builder#build()}. */
public final class PortMappingConfig {
  /** NAT-PMP and PCP servers listen on UDP 5351 (RFC 6886 §3.1, RFC 6887 §19.1). */
  public static final int GATEWAY_PORT = 5351;
  /** SSDP's multicast group and port. */
  public static final InetSocketAddress SSDP_MULTICAST = new InetSocketAddress(ipv4(239, 255, 255, 250), 1900);

  private final InetAddress gateway;
  private final int gatewayPort;
  private final InetSocketAddress ssdpTarget;
  private final Path routeTable;
  private final Duration udpInitialTimeout;
  private final int udpSends;
  private final Duration ssdpWait;
  private final Duration httpTimeout;
  private final int maxHttpBodyBytes;
  private final MappingPolicy policy;

  private PortMappingConfig(Builder b) {
    gateway = b.gateway;
    gatewayPort = b.gatewayPort;
    ssdpTarget = b.ssdpTarget;
    routeTable = b.routeTable;
    udpInitialTimeout = b.udpInitialTimeout;
    udpSends = b.udpSends;
    ssdpWait = b.ssdpWait;
    httpTimeout = b.httpTimeout;
    maxHttpBodyBytes = b.maxHttpBodyBytes;
    policy = b.policy;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The gateway; null to read the default route from {@link #routeTable()} at start. */
  public InetAddress gateway() {
    return gateway;
  }

  public int gatewayPort() {
    return gatewayPort;
  }

  public InetSocketAddress ssdpTarget() {
    return ssdpTarget;
  }

  public Path routeTable() {
    return routeTable;
  }

  public Duration udpInitialTimeout() {
    return udpInitialTimeout;
  }

  public int udpSends() {
    return udpSends;
  }

  public Duration ssdpWait() {
    return ssdpWait;
  }

  public Duration httpTimeout() {
    return httpTimeout;
  }

  public int maxHttpBodyBytes() {
    return maxHttpBodyBytes;
  }

  public MappingPolicy policy() {
    return policy;
  }

  @Override
  public String toString() {
    return "PortMappingConfig[gateway=" + (gateway == null ? "default route" : gateway.getHostAddress())
        + ", order=" + policy.order() + "]";
  }

  private static InetAddress ipv4(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Builder; defaults are those of a home LAN. */
  public static final class Builder {
    private InetAddress gateway;
    private int gatewayPort = GATEWAY_PORT;
    private InetSocketAddress ssdpTarget = SSDP_MULTICAST;
    private Path routeTable = Path.of("/proc/net/route");
    private Duration udpInitialTimeout = Duration.ofMillis(250);
    private int udpSends = 3;
    private Duration ssdpWait = Duration.ofSeconds(2);
    private Duration httpTimeout = Duration.ofSeconds(3);
    private int maxHttpBodyBytes = 64 * 1024;
    private MappingPolicy policy = MappingPolicy.defaults();

    private Builder() {}

    /** The gateway to ask (an IPv4 address); unset to take the default route's. */
    public Builder gateway(InetAddress address) {
      this.gateway = Objects.requireNonNull(address, "gateway");
      return this;
    }

    /** The NAT-PMP/PCP server port (5351; another one only for tests). */
    public Builder gatewayPort(int port) {
      this.gatewayPort = port;
      return this;
    }

    /** Where SSDP searches go (239.255.255.250:1900; a loopback port only for tests). */
    public Builder ssdpTarget(InetSocketAddress target) {
      this.ssdpTarget = Objects.requireNonNull(target, "ssdpTarget");
      return this;
    }

    public Builder routeTable(Path file) {
      this.routeTable = Objects.requireNonNull(file, "routeTable");
      return this;
    }

    public Builder udpInitialTimeout(Duration timeout) {
      this.udpInitialTimeout = Objects.requireNonNull(timeout, "udpInitialTimeout");
      return this;
    }

    public Builder udpSends(int sends) {
      this.udpSends = sends;
      return this;
    }

    public Builder ssdpWait(Duration wait) {
      this.ssdpWait = Objects.requireNonNull(wait, "ssdpWait");
      return this;
    }

    public Builder httpTimeout(Duration timeout) {
      this.httpTimeout = Objects.requireNonNull(timeout, "httpTimeout");
      return this;
    }

    public Builder maxHttpBodyBytes(int bytes) {
      this.maxHttpBodyBytes = bytes;
      return this;
    }

    public Builder policy(MappingPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public PortMappingConfig build() {
      if (gateway != null && !(gateway instanceof Inet4Address)) {
        throw new IllegalArgumentException("portMapping gateway must be an IPv4 address, was " + gateway);
      }
      if (gatewayPort < 1 || gatewayPort > 65_535) {
        throw new IllegalArgumentException("gatewayPort must be in 1..65535, was " + gatewayPort);
      }
      between("udpInitialTimeout", udpInitialTimeout, Duration.ofMillis(10), Duration.ofSeconds(10));
      between("ssdpWait", ssdpWait, Duration.ofMillis(10), Duration.ofSeconds(30));
      between("httpTimeout", httpTimeout, Duration.ofMillis(10), Duration.ofSeconds(60));
      if (udpSends < 1 || udpSends > 9) {
        throw new IllegalArgumentException("udpSends must be in 1..9 (RFC 6886 allows 9), was " + udpSends);
      }
      if (maxHttpBodyBytes < 1024 || maxHttpBodyBytes > 1024 * 1024) {
        throw new IllegalArgumentException("maxHttpBodyBytes must be in 1 KiB..1 MiB, was " + maxHttpBodyBytes);
      }
      return new PortMappingConfig(this);
    }

    private static void between(String name, Duration d, Duration min, Duration max) {
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(name + " must be in " + min.toMillis() + " ms.." + max.toMillis()
            + " ms, was " + d.toMillis() + " ms");
      }
    }
  }
}
