package dev.chorus.tracker.index;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.limits.WireLimits;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.TrackerPeer;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the tracker knows about one connected peer: its authenticated identity, the address it
 * was observed at (never one it claimed), its Vivaldi coordinate and its region tag. Immutable.
 */
public final class PeerInfo {
  /** Region tags are short operator-defined names such as "eu-west". */
  public static final int MAX_REGION_LENGTH = WireLimits.MAX_REGION_LENGTH;

  /*
   * Memory and the reply. The identity, address and coordinate live in one byte[]: fields 1-4 of
   * the wire's TrackerPeer (node_id, static_key, address, coordinate), serialized once when the
   * PeerInfo is made. A lookup reply copies it per peer (writeTrackerPeerFields) instead of
   * building messages, and the index keeps one array per peer instead of five objects (NodeId and
   * its bytes, key, ip, coordinate and its array): about 180 bytes per peer instead of 270. The
   * getters decode from it; they are off the hot paths.
   */
  static final int NODE_ID_OFFSET = 2;
  private static final int STATIC_KEY_OFFSET = NODE_ID_OFFSET + NodeId.BYTES + 2;
  static final int ADDRESS_OFFSET = STATIC_KEY_OFFSET + 32;
  /** The address field's tag and length byte, then the ip field's tag and length byte. */
  static final int IP_OFFSET = ADDRESS_OFFSET + 4;

  private final byte[] record;
  private final int port;
  private final String region;
  // Derived copies, so that ranking reads this object only: one cache miss per candidate.
  private static final int INLINE_DIMENSIONS = 4;
  private final int nodeIdHash;
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
    NodeId nodeId = NodeId.ofStaticKey(staticKey);
    this.record = TrackerPeer.newBuilder()
        .setNodeId(ByteString.copyFrom(nodeId.bytes()))
        .setStaticKey(ByteString.copyFrom(staticKey))
        .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(ip)).setPort(port))
        .setCoordinate(coordinate.toWire())
        .build()
        .toByteArray();
    this.port = port;
    this.region = region;
    this.nodeIdHash = nodeId.hashCode();
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

  /** From the stored form of a peer (no hashing, no parsing): see {@link PeerLayout}. */
  private PeerInfo(byte[] layout, int at, String region) {
    this.record = Arrays.copyOfRange(layout, at + PeerLayout.RECORD, at + PeerLayout.length(layout, at));
    this.port = PeerLayout.port(layout, at);
    this.region = region;
    this.nodeIdHash = PeerLayout.nodeIdHash(layout, at);
    this.nodeIdHead = PeerLayout.nodeIdHead(layout, at);
    this.packedPrefix = PeerLayout.packedPrefix(layout, at);
    this.regionHash = region.hashCode();
    this.dimensions = PeerLayout.dimensions(layout, at);
    this.heightMs = PeerLayout.heightMs(layout, at);
    this.p0 = PeerLayout.position(layout, at, 0);
    this.p1 = PeerLayout.position(layout, at, 1);
    this.p2 = dimensions > 2 ? PeerLayout.position(layout, at, 2) : 0f;
    this.p3 = dimensions > 3 ? PeerLayout.position(layout, at, 3) : 0f;
  }

  /** The peer whose layout ({@link PeerLayout}) is at {@code layout[at..]}, with {@code region}: equal to the one stored. */
  static PeerInfo fromLayout(byte[] layout, int at, String region) {
    return new PeerInfo(layout, at, region);
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

  /**
   * A peer rebuilt from what a shared index stored for it (the Redis backend): {@code record} is
   * what {@link #writeTrackerPeerFields} wrote for a peer made by {@link #of}, and the other
   * arguments are that peer's. Unlike {@link #of} it neither hashes the key (the record carries the
   * node id) nor serializes a record, so decoding a stored peer costs a few copies. It checks the
   * record's layout and bounds, not that its parts agree: only for values a tracker wrote.
   */
  public static PeerInfo ofTrackerPeerFields(byte[] record, int port, VivaldiCoordinate coordinate, String region) {
    int ipLength = record.length > IP_OFFSET ? record[IP_OFFSET - 1] : -1;
    if (record.length < IP_OFFSET + 4 || record[0] != 0x0a || record[1] != NodeId.BYTES
        || record[STATIC_KEY_OFFSET - 2] != 0x12 || record[STATIC_KEY_OFFSET - 1] != 32
        || record[ADDRESS_OFFSET] != 0x1a || (ipLength != 4 && ipLength != 16) || !endsWithCoordinate(record)) {
      throw new IllegalArgumentException("not a TrackerPeer record of a PeerInfo (" + record.length + " bytes)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    Objects.requireNonNull(coordinate, "coordinate");
    if (region.length() > MAX_REGION_LENGTH) {
      throw new IllegalArgumentException("region must be at most " + MAX_REGION_LENGTH + " characters");
    }
    return new PeerInfo(record.clone(), port, coordinate, region);
  }

  /** Whether the address field is followed by exactly one coordinate field (tag 4, length under 128). */
  private static boolean endsWithCoordinate(byte[] record) {
    int at = ADDRESS_OFFSET + 2 + (record[ADDRESS_OFFSET + 1] & 0xff);
    return at + 2 <= record.length && record[at] == 0x22 && record[at + 1] >= 0 && at + 2 + record[at + 1] == record.length;
  }

  private PeerInfo(byte[] record, int port, VivaldiCoordinate coordinate, String region) {
    this.record = record;
    this.port = port;
    this.region = region;
    int hash = 1;
    long head = 0;
    for (int i = NODE_ID_OFFSET; i < NODE_ID_OFFSET + NodeId.BYTES; i++) {
      hash = 31 * hash + record[i]; // Arrays.hashCode, as NodeId's
      if (i < NODE_ID_OFFSET + 8) {
        head = (head << 8) | (record[i] & 0xffL);
      }
    }
    this.nodeIdHash = hash;
    this.nodeIdHead = head;
    this.packedPrefix = NetworkPrefix.pack(ip());
    this.regionHash = region.hashCode();
    this.dimensions = coordinate.dimensions();
    this.heightMs = coordinate.heightMs();
    this.p0 = coordinate.position(0);
    this.p1 = coordinate.position(1);
    this.p2 = dimensions > 2 ? coordinate.position(2) : 0f;
    this.p3 = dimensions > 3 ? coordinate.position(3) : 0f;
  }

  public NodeId nodeId() {
    return NodeId.fromBytes(Arrays.copyOfRange(record, NODE_ID_OFFSET, NODE_ID_OFFSET + NodeId.BYTES));
  }

  /** {@code nodeId().hashCode()}, without making the NodeId. */
  int nodeIdHash() {
    return nodeIdHash;
  }

  /** Whether this peer's node id is the 32 bytes of {@code id} at {@code offset}. */
  boolean hasNodeId(byte[] id, int offset) {
    return Arrays.equals(record, NODE_ID_OFFSET, NODE_ID_OFFSET + NodeId.BYTES, id, offset, offset + NodeId.BYTES);
  }

  /** The record itself (see the class notes), not a copy: callers in this package must not modify it. */
  byte[] recordUnsafe() {
    return record;
  }

  public byte[] staticKey() {
    return Arrays.copyOfRange(record, STATIC_KEY_OFFSET, STATIC_KEY_OFFSET + 32);
  }

  public byte[] ip() {
    return Arrays.copyOfRange(record, IP_OFFSET, IP_OFFSET + ipLength());
  }

  private int ipLength() {
    return record[IP_OFFSET - 1];
  }

  /** Whether {@code other} was observed at the same IP. */
  boolean sameIp(PeerInfo other) {
    return Arrays.equals(record, IP_OFFSET, IP_OFFSET + ipLength(), other.record, IP_OFFSET, IP_OFFSET + other.ipLength());
  }

  public int port() {
    return port;
  }

  /** Decoded from the record: a new object each call. */
  public VivaldiCoordinate coordinate() {
    try {
      return VivaldiCoordinate.fromWireOrOrigin(TrackerPeer.parseFrom(record).getCoordinate());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a PeerInfo record that does not parse", e);
    }
  }

  public String region() {
    return region;
  }

  /**
   * Bytes of fields 1-4 of the wire's {@code TrackerPeer} for this peer (node_id, static_key,
   * address, coordinate), as {@link #writeTrackerPeerFields} writes them.
   */
  public int trackerPeerFieldsSize() {
    return record.length;
  }

  /**
   * Writes fields 1-4 of the wire's {@code TrackerPeer} for this peer, serialized when this
   * object was made: followed by field 5 ({@code chunks}) they are the whole message, exactly as
   * the generated builder would encode it.
   */
  public void writeTrackerPeerFields(CodedOutputStream out) throws IOException {
    out.writeRawBytes(record);
  }

  /** The network prefix used for "same network" ranking: IPv4 /24, IPv6 /48. */
  public NetworkPrefix prefix() {
    return NetworkPrefix.of(ip());
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
      return from.predictedRttMillis(coordinate());
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
    // The record holds the key, ip, port and coordinate; the node id is derived from the key.
    return Arrays.equals(record, p.record) && port == p.port && region.equals(p.region);
  }

  @Override
  public int hashCode() {
    return nodeIdHash;
  }

  @Override
  public String toString() {
    return "PeerInfo[" + nodeId() + " " + prefix() + " port " + port + (region.isEmpty() ? "" : " " + region) + "]";
  }
}
