package dev.chorus.protocol.manifest;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A publisher's Ed25519 public key (32 bytes, RFC 8032 encoding). Only keys that are valid points
 * of the prime-order subgroup are accepted, so a {@code PublisherKey} can always verify.
 *
 * <p>Text form: {@code chorus-ed25519-pub:} followed by 64 lowercase hex digits. Parsing accepts
 * either case and ignores surrounding whitespace, so a key file with a trailing newline reads back.
 * Immutable.
 */
public final class PublisherKey {
  public static final int BYTES = Ed25519.PUBLIC_KEY_SIZE;
  /** Prefix of the text form of a public key. */
  public static final String TEXT_PREFIX = "chorus-ed25519-pub:";

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;
  private final Ed25519.PublicPoint point;

  private PublisherKey(byte[] bytes, Ed25519.PublicPoint point) {
    this.bytes = bytes;
    this.point = point;
  }

  /** Wraps a 32-byte encoded Ed25519 public key (copied). */
  public static PublisherKey fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException(
          "an Ed25519 public key is " + BYTES + " bytes, got " + bytes.length);
    }
    PublisherKey key = decode(bytes, 0);
    if (key == null) {
      throw new IllegalArgumentException("not a valid Ed25519 public key");
    }
    return key;
  }

  /** Parses the text form {@code chorus-ed25519-pub:<64 hex digits>}. */
  public static PublisherKey fromText(String text) {
    byte[] raw =
        parseText(text, TEXT_PREFIX, "publisher public key", PublisherKeyPair.TEXT_PREFIX);
    PublisherKey key = decode(raw, 0);
    if (key == null) {
      throw new IllegalArgumentException(
          "publisher public key: " + TEXT_PREFIX + "... is not a valid Ed25519 public key");
    }
    return key;
  }

  /** The key at {@code src[offset..offset+32)}, or null if it is not a valid public key. */
  static PublisherKey decode(byte[] src, int offset) {
    Ed25519.PublicPoint point = Ed25519.validatePublicKeyFullExport(src, offset);
    if (point == null) {
      return null;
    }
    return new PublisherKey(Arrays.copyOfRange(src, offset, offset + BYTES), point);
  }

  /** Shared by the public and the secret text forms; never echoes the input (it may be secret). */
  static byte[] parseText(String text, String prefix, String what, String otherPrefix) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    String expected = "expected a " + what + " of the form " + prefix + "<64 hex digits>";
    if (!s.startsWith(prefix)) {
      if (s.startsWith(otherPrefix)) {
        throw new IllegalArgumentException(
            expected + ", got one starting with " + otherPrefix + " (the other half of a key pair)");
      }
      throw new IllegalArgumentException(expected + ", got text without that prefix");
    }
    String hex = s.substring(prefix.length());
    if (hex.length() != 2 * BYTES) {
      throw new IllegalArgumentException(
          expected + ", got " + hex.length() + " characters after the prefix");
    }
    for (int i = 0; i < hex.length(); i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        throw new IllegalArgumentException(
            expected + ", got a non-hex character at position " + (prefix.length() + i));
      }
    }
    return HEX.parseHex(hex);
  }

  /** The 32 encoded key bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** {@code chorus-ed25519-pub:} and 64 lowercase hex digits. */
  public String toText() {
    return TEXT_PREFIX + HEX.formatHex(bytes);
  }

  /** Writes the 32 key bytes at {@code dst[offset]}. */
  void writeTo(byte[] dst, int offset) {
    System.arraycopy(bytes, 0, dst, offset, BYTES);
  }

  /** Whether {@code signature[sigOffset..+64)} is this key's Ed25519 signature of {@code msg}. */
  boolean verify(byte[] signature, int sigOffset, byte[] msg) {
    return Ed25519.verify(signature, sigOffset, point, msg, 0, msg.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublisherKey && Arrays.equals(bytes, ((PublisherKey) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toText();
  }
}
