package dev.chorus.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The authenticated identity of the remote end of a secure channel: its static Noise public key,
 * proven by the handshake, and the node id derived from it. Immutable.
 */
public final class PeerIdentity {
  private final byte[] staticKey;
  private final NodeId nodeId;

  private PeerIdentity(byte[] staticKey) {
    this.staticKey = staticKey;
    this.nodeId = NodeId.ofStaticKey(staticKey);
  }

  /** The identity of the holder of {@code staticKey} (copied). */
  public static PeerIdentity ofStaticKey(byte[] staticKey) {
    return new PeerIdentity(staticKey.clone());
  }

  public byte[] staticKey() {
    return staticKey.clone();
  }

  public String staticKeyHex() {
    return HexFormat.of().formatHex(staticKey);
  }

  public NodeId nodeId() {
    return nodeId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerIdentity && Arrays.equals(staticKey, ((PeerIdentity) o).staticKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(staticKey);
  }

  @Override
  public String toString() {
    return "PeerIdentity[" + nodeId + "]";
  }
}
