package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import java.util.Arrays;
import java.util.Objects;

/**
 * How to reach a peer: its id, its static key (pinned when connecting), its address as raw IP
 * bytes and port, and its network coordinate. Plain values, so that the pure core needs no
 * {@code java.net}; the shell turns them into socket addresses.
 */
public final class PeerContact {
  private final NodeId id;
  private final byte[] staticKey;
  private final byte[] ip;
  private final int port;
  private final VivaldiCoordinate coordinate;

  public PeerContact(NodeId id, byte[] staticKey, byte[] ip, int port, VivaldiCoordinate coordinate) {
    this.id = Objects.requireNonNull(id, "id");
    this.staticKey = staticKey.clone();
    this.ip = ip.clone();
    this.port = port;
    this.coordinate = Objects.requireNonNull(coordinate, "coordinate");
  }

  public NodeId id() {
    return id;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerContact c && id.equals(c.id) && port == c.port && Arrays.equals(ip, c.ip);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "PeerContact[" + id + " port " + port + "]";
  }
}
