package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.limits.WireLimits;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.TrackerPeer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.BitSet;
import java.util.Objects;

/**
 * A peer the tracker says holds a track: who it is (its static key, to pin when connecting), where
 * the tracker saw it, its coordinate, and which chunks it announced. Immutable.
 */
public final class TrackerPeerInfo {
  private final NodeId nodeId;
  private final byte[] staticKey;
  private final InetSocketAddress address;
  private final VivaldiCoordinate coordinate;
  private final BitSet chunks; // null when complete

  private TrackerPeerInfo(NodeId nodeId, byte[] staticKey, InetSocketAddress address,
      VivaldiCoordinate coordinate, BitSet chunks) {
    this.nodeId = nodeId;
    this.staticKey = staticKey;
    this.address = address;
    this.coordinate = coordinate;
    this.chunks = chunks;
  }

  /**
   * Reads a wire peer, or returns null if it is unusable: a key that is not 32 bytes, a node id that
   * is not the key's hash, an IP that is not 4 or 16 bytes, a port outside 1..65535, or a bitmap
   * longer than {@link Holding#MAX_CHUNKS} chunks.
   */
  static TrackerPeerInfo fromWire(TrackerPeer peer) {
    byte[] key = peer.getStaticKey().toByteArray();
    if (key.length != TrackerEndpoint.KEY_BYTES) {
      return null;
    }
    NodeId id = NodeId.ofStaticKey(key);
    if (!peer.getNodeId().isEmpty() && !id.equals(safeNodeId(peer.getNodeId().toByteArray()))) {
      return null;
    }
    byte[] ip = peer.getAddress().getIp().toByteArray();
    int port = peer.getAddress().getPort();
    // Port 0: the peer accepts no connections and is reached by reversal (ConnectionPlan).
    if ((ip.length != 4 && ip.length != 16) || port < 0 || port > 65535) {
      return null;
    }
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      return null; // cannot happen for 4 or 16 bytes
    }
    BitSet chunks = null;
    if (peer.getChunks().getHoldingCase() == ChunkSet.HoldingCase.BITMAP) {
      if (peer.getChunks().getBitmap().size() > WireLimits.MAX_CHUNK_BITMAP_BYTES) {
        return null;
      }
      chunks = BitSet.valueOf(peer.getChunks().getBitmap().asReadOnlyByteBuffer());
    }
    return new TrackerPeerInfo(id, key, address, VivaldiCoordinate.fromWireOrOrigin(peer.getCoordinate()), chunks);
  }

  private static NodeId safeNodeId(byte[] bytes) {
    return bytes.length == NodeId.BYTES ? NodeId.fromBytes(bytes) : null;
  }

  public NodeId nodeId() {
    return nodeId;
  }

  /** The peer's static Noise public key (a copy): pin it when connecting. */
  public byte[] staticKey() {
    return staticKey.clone();
  }

  /** The peer's IP as the tracker observed it, and the port it listens on. */
  public InetSocketAddress address() {
    return address;
  }

  public VivaldiCoordinate coordinate() {
    return coordinate;
  }

  /** True if the peer announced every chunk of the track. */
  public boolean isComplete() {
    return chunks == null;
  }

  /** The chunks the peer announced (a copy); empty when {@link #isComplete()}. */
  public BitSet chunks() {
    return chunks == null ? new BitSet() : (BitSet) chunks.clone();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TrackerPeerInfo)) {
      return false;
    }
    TrackerPeerInfo p = (TrackerPeerInfo) o;
    return nodeId.equals(p.nodeId) && address.equals(p.address) && coordinate.equals(p.coordinate)
        && Objects.equals(chunks, p.chunks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodeId, address);
  }

  @Override
  public String toString() {
    return "TrackerPeerInfo[" + nodeId + " at " + address + ", "
        + (chunks == null ? "complete" : chunks.cardinality() + " chunks") + "]";
  }
}
