package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.limits.WireLimits;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the tracker knows about one connected peer: its authenticated identity, the address it
 * was observed at (never one it claimed), its Vivaldi coordinate and its region tag. Immutable.
 */
public final class PeerInfo {
  /** Region tags are short operator-defined names such as "eu-west". */
  public static final int MAX_REGION_LENGTH = WireLimits.MAX_REGION_LENGTH;

  private final NodeId nodeId;
  private final byte[] staticKey;
  private final byte[] ip;
  private final int port;
  private final VivaldiCoordinate coordinate;
  private final String region;
  // Derived copies, so that ranking reads this object only: one cache miss per candidate instead
  // of five dependent ones (NodeId, its bytes, ip, coordinate, its array). 40 bytes per peer.
  private static final int INLINE_DIMENSIONS = 4;
  private final long nodeIdHead;
  private final long packedPrefix;
  private final int regionHash;
  private final int dimensions;
  private final float heightMs;
  private final float p0;
  private final float p1;
  private final float p2;
  private final float p3;

  private PeerInfo(byte[] staticKey, byte[] ip, int port, VivaldiCoordinate coordinate, String region) {
    this.staticKey = staticKey;
    this.nodeId = NodeId.ofStaticKey(staticKey);
    this.ip = ip;
    this.port = port;
    this.coordinate = coordinate;
    this.region = region;
    this.nodeIdHead = head(nodeId);
    this.packedPrefix = NetworkPrefix.pack(ip);
    this.regionHash = region.hashCode();
    this.dimensions = coordinate.dimensions();
    this.heightMs = coordinate.heightMs();
    this.p0 = coordinate.position(0);
    this.p1 = coordinate.position(1);
    this.p2 = dimensions > 2 ? coordinate.position(2) : 0f;
    this.p3 = dimensions > 3 ? coordinate.position(3) : 0f;
  }

  /** The first 8 bytes of a node id, big-endian: equal ids have equal heads. */
  static long head(NodeId id) {
    byte[] b = id.bytes();
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[i] & 0xffL);
    }
    return v;
  }

  /**
   * @param staticKey the peer's 32-byte static Noise key, as authenticated by the handshake
   * @param ip 4 or 16 bytes, as observed on the connection
   * @param port the peer's listen port, 0 if it accepts no incoming connections
   * @param region operator region tag, "" if none
   */
  public static PeerInfo of(byte[] staticKey, byte[] ip, int port, VivaldiCoordinate coordinate, String region) {
    if (staticKey.length != 32) {
      throw new IllegalArgumentException("staticKey must be 32 bytes, was " + staticKey.length);
    }
    if (ip.length != 4 && ip.length != 16) {
      throw new IllegalArgumentException("ip must be 4 or 16 bytes, was " + ip.length);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    Objects.requireNonNull(coordinate, "coordinate");
    if (region.length() > MAX_REGION_LENGTH) {
      throw new IllegalArgumentException("region must be at most " + MAX_REGION_LENGTH + " characters");
    }
    return new PeerInfo(staticKey.clone(), ip.clone(), port, coordinate, region);
  }

  public NodeId nodeId() {
    return nodeId;
  }

  public byte[] staticKey() {
    return staticKey.clone();
  }

  public byte[] ip() {
    return ip.clone();
  }

  /** The address itself, not a copy: callers in this package must not modify it. */
  byte[] ipBytesUnsafe() {
    return ip;
  }

  /** Whether {@code other} was observed at the same IP. */
  boolean sameIp(PeerInfo other) {
    return Arrays.equals(ip, other.ip);
  }

  public int port() {
    return port;
  }

  public VivaldiCoordinate coordinate() {
    return coordinate;
  }

  public String region() {
    return region;
  }

  /** The network prefix used for "same network" ranking: IPv4 /24, IPv6 /48. */
  public NetworkPrefix prefix() {
    return NetworkPrefix.of(ip);
  }

  /** {@link #prefix()} packed into a long (for ranking on the hot path). */
  long packedPrefix() {
    return packedPrefix;
  }

  /** {@link #head} of {@link #nodeId()} (for ranking on the hot path). */
  long nodeIdHead() {
    return nodeIdHead;
  }

  /** {@code region().hashCode()} (for ranking on the hot path). */
  int regionHash() {
    return regionHash;
  }

  /**
   * Exactly {@code from.predictedRttMillis(coordinate())}, reading this object only (unless both
   * coordinates have more than four dimensions).
   */
  double predictedRttMillisFrom(VivaldiCoordinate from) {
    int n = Math.min(dimensions, from.dimensions());
    if (n > INLINE_DIMENSIONS) {
      return from.predictedRttMillis(coordinate);
    }
    // Same operations in the same order as VivaldiCoordinate: float differences, double sums.
    double d = from.position(0) - p0;
    double sum = d * d;
    d = from.position(1) - p1;
    sum += d * d;
    if (n > 2) {
      d = from.position(2) - p2;
      sum += d * d;
      if (n > 3) {
        d = from.position(3) - p3;
        sum += d * d;
      }
    }
    return Math.sqrt(sum) + from.heightMs() + heightMs;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PeerInfo)) {
      return false;
    }
    PeerInfo p = (PeerInfo) o;
    return Arrays.equals(staticKey, p.staticKey) && Arrays.equals(ip, p.ip) && port == p.port
        && coordinate.equals(p.coordinate) && region.equals(p.region);
  }

  @Override
  public int hashCode() {
    return nodeId.hashCode();
  }

  @Override
  public String toString() {
    return "PeerInfo[" + nodeId + " " + prefix() + " port " + port + (region.isEmpty() ? "" : " " + region) + "]";
  }
}
