package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the tracker knows about one connected peer: its authenticated identity, the address it
 * was observed at (never one it claimed), its Vivaldi coordinate and its region tag. Immutable.
 */
public final class PeerInfo {
  /** Region tags are short operator-defined names such as "eu-west". */
  public static final int MAX_REGION_LENGTH = 32;

  private final NodeId nodeId;
  private final byte[] staticKey;
  private final byte[] ip;
  private final int port;
  private final VivaldiCoordinate coordinate;
  private final String region;

  private PeerInfo(byte[] staticKey, byte[] ip, int port, VivaldiCoordinate coordinate, String region) {
    this.staticKey = staticKey;
    this.nodeId = NodeId.ofStaticKey(staticKey);
    this.ip = ip;
    this.port = port;
    this.coordinate = coordinate;
    this.region = region;
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
