package dev.chorus.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A node's id: the SHA-256 of its static Noise public key. Whoever completes a Noise handshake
 * with that key is that node, so the id cannot be claimed by anyone else. Immutable.
 */
public final class NodeId implements Comparable<NodeId> {
  public static final int BYTES = 32;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final byte[] bytes;
  // Ids are hash-map keys on every hot path (the swarm core, the simulator): hash them once.
  private final int hash;

  private NodeId(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** The id of the node whose static public key is {@code staticPublicKey}. */
  public static NodeId ofStaticKey(byte[] staticPublicKey) {
    try {
      return new NodeId(MessageDigest.getInstance("SHA-256").digest(staticPublicKey));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** Wraps 32 id bytes (copied). */
  public static NodeId fromBytes(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("a node id is 32 bytes, got " + bytes.length);
    }
    return new NodeId(bytes.clone());
  }

  /** Parses 64 hex digits. */
  public static NodeId fromHex(String hex) {
    if (hex.length() != 2 * BYTES) {
      throw new IllegalArgumentException("a node id is 64 hex digits, got " + hex.length() + " characters");
    }
    return new NodeId(HexFormat.of().parseHex(hex));
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * Bytes {@code 8*i .. 8*i+7} of the id as a big-endian long, {@code i} in 0..3: for code that
   * maps ids to indexes on every message (the simulator) without copying the bytes.
   */
  public long word(int i) {
    Objects.checkIndex(i, BYTES / Long.BYTES);
    return (long) LONGS.get(bytes, i * Long.BYTES);
  }

  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeId other && hash == other.hash && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(NodeId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  /** The first 8 bytes in hex: enough to tell nodes apart in logs. */
  @Override
  public String toString() {
    return toHex().substring(0, 16);
  }
}
