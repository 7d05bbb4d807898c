package dev.chorus.protocol.manifest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A track's id: {@code SHA-256("chorus/track-id/v1" || manifest body)}, 32 bytes. Because it is a
 * hash of everything the publisher signed (publisher key included), knowing the id is enough to
 * check any copy of the manifest, from any peer. Immutable.
 */
public final class TrackId implements Comparable<TrackId> {
  public static final int BYTES = 32;

  private static final HexFormat HEX = HexFormat.of();
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private final byte[] bytes;
  // Ids are hash-map keys on every hot path (the swarm core, the simulator): hash them once.
  private final int hash;

  private TrackId(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** Wraps 32 id bytes (copied). */
  public static TrackId fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException(
          "a track id is " + BYTES + " bytes (a SHA-256), got " + bytes.length);
    }
    return new TrackId(bytes.clone());
  }

  /** Parses 64 hex digits (either case), the form {@link #toHex()} writes. */
  public static TrackId fromHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != 2 * BYTES) {
      throw new IllegalArgumentException(
          "a track id is " + 2 * BYTES + " hex digits, got " + hex.length() + " characters");
    }
    for (int i = 0; i < hex.length(); i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        throw new IllegalArgumentException(
            "a track id is " + 2 * BYTES + " hex digits, found '" + hex.charAt(i)
                + "' at position " + i);
      }
    }
    return new TrackId(HEX.parseHex(hex));
  }

  /** Takes ownership of {@code digest}, which must be 32 bytes. */
  static TrackId wrap(byte[] digest) {
    assert digest.length == BYTES;
    return new TrackId(digest);
  }

  /** The 32 id bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * Bytes {@code 8*i .. 8*i+7} of the id as a big-endian long, {@code i} in 0..3: for hash tables
   * keyed by ids (the tracker's index) without copying the bytes.
   */
  public long word(int i) {
    Objects.checkIndex(i, BYTES / Long.BYTES);
    return (long) LONGS.get(bytes, i * Long.BYTES);
  }

  /** 64 lowercase hex digits. */
  public String toHex() {
    return HEX.formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrackId && Arrays.equals(bytes, ((TrackId) o).bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(TrackId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  /** The full hex form, so that a logged id can be pasted into a command. */
  @Override
  public String toString() {
    return toHex();
  }
}
