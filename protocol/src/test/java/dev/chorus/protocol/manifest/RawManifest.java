package dev.chorus.protocol.manifest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A second, independent writer of the byte layout in {@code protocol/docs/manifest.md}, taking raw
 * field values so that tests can write any manifest, valid or not. Signs with Bouncy Castle
 * directly, not through the code under test.
 */
final class RawManifest {
  static final byte[] RFC8032_SECRET =
      hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

  byte[] magic = "CHM1".getBytes(StandardCharsets.US_ASCII);
  byte[] publicKey;
  byte[] secretKey;
  int mimeLength = -1; // -1: the real length
  byte[] mime = "audio/ogg; codecs=opus".getBytes(StandardCharsets.US_ASCII);
  int originLength = -1;
  byte[] origin = "tracks/0f/0f1e2d.opus".getBytes(StandardCharsets.UTF_8);
  long durationMillis = 2_500;
  long bitsPerSecond = 128_000;
  long sizeBytes;
  long chunkBytes = 16_384;
  long chunkCount = -1; // -1: ceil(size / chunkBytes)
  byte[] hashes;
  byte[] signature; // null: sign the body with secretKey
  byte[] trailing = new byte[0];

  /** A valid manifest of {@code content}, signed by {@code secretKey}. */
  static RawManifest of(byte[] content, int chunkBytes, byte[] secretKey) {
    RawManifest m = new RawManifest();
    m.secretKey = secretKey.clone();
    m.publicKey = new byte[32];
    Ed25519.generatePublicKey(secretKey, 0, m.publicKey, 0);
    m.sizeBytes = content.length;
    m.chunkBytes = chunkBytes;
    ByteArrayOutputStream hashes = new ByteArrayOutputStream();
    for (int off = 0; off < content.length; off += chunkBytes) {
      hashes.writeBytes(sha256(Arrays.copyOfRange(content, off, Math.min(content.length, off + chunkBytes))));
    }
    m.hashes = hashes.toByteArray();
    return m;
  }

  /** A valid manifest of {@code length} seeded-random bytes in 16 KiB chunks. */
  static RawManifest sample(int length) {
    return of(content(length, length), 16_384, RFC8032_SECRET);
  }

  static byte[] content(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  byte[] body() {
    ByteBuffer out = ByteBuffer.allocate(
        magic.length + publicKey.length + 4 + mime.length + origin.length + 36 + hashes.length);
    out.put(magic).put(publicKey);
    out.putShort((short) (mimeLength < 0 ? mime.length : mimeLength)).put(mime);
    out.putShort((short) (originLength < 0 ? origin.length : originLength)).put(origin);
    out.putLong(durationMillis).putInt((int) bitsPerSecond).putLong(sizeBytes);
    long count = chunkCount >= 0 ? chunkCount : (sizeBytes + chunkBytes - 1) / chunkBytes;
    out.putInt((int) chunkBytes).putInt((int) count).put(hashes);
    return Arrays.copyOf(out.array(), out.position());
  }

  byte[] encode() {
    byte[] body = body();
    byte[] sig = signature;
    if (sig == null) {
      sig = new byte[64];
      byte[] msg = concat("chorus/manifest/v1".getBytes(StandardCharsets.US_ASCII), body);
      Ed25519.sign(secretKey, 0, msg, 0, msg.length, sig, 0);
    }
    return concat(body, sig, trailing);
  }

  /** SHA-256("chorus/track-id/v1" || body), computed here as the doc says. */
  TrackId trackId() {
    return TrackId.fromBytes(sha256(concat("chorus/track-id/v1".getBytes(StandardCharsets.US_ASCII), body())));
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }
}
