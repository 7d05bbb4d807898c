package dev.chorus.protocol.manifest;

import dev.chorus.protocol.manifest.ManifestException.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The canonical binary form of a manifest (see {@code protocol/docs/manifest.md}):
 *
 * <pre>
 * body     = magic "CHM1" | publisher key (32) | u16 mime length | mime (ASCII)
 *          | u16 origin key length | origin key (UTF-8) | u64 duration ms | u32 bits/s
 *          | u64 size | u32 chunk size | u32 chunk count | chunk count x SHA-256 (32)
 * manifest = body | Ed25519 signature (64) of "chorus/manifest/v1" | body
 * track id = SHA-256("chorus/track-id/v1" | body)
 * </pre>
 *
 * <p>Integers are unsigned big-endian. Every field has exactly one valid encoding, so equal
 * manifests are equal bytes and the parser accepts only what the encoder writes.
 */
final class ManifestCodec {
  static final byte[] MAGIC = {'C', 'H', 'M', '1'};
  static final byte[] SIGNATURE_DOMAIN = "chorus/manifest/v1".getBytes(StandardCharsets.US_ASCII);
  static final byte[] TRACK_ID_DOMAIN = "chorus/track-id/v1".getBytes(StandardCharsets.US_ASCII);

  static final int HASH_BYTES = 32;
  static final int SIGNATURE_BYTES = 64;
  static final int MAX_MIME_TYPE_BYTES = 127;
  static final int MAX_ORIGIN_KEY_BYTES = 1024;
  static final int MIN_CHUNK_BYTES = 1024;
  static final int MAX_CHUNK_BYTES = 1024 * 1024;
  static final int DEFAULT_CHUNK_BYTES = 16 * 1024;

  /** Bytes of the body that every manifest has: all but the two strings and the hashes. */
  static final int FIXED_BODY_BYTES = 4 + PublisherKey.BYTES + 2 + 2 + 8 + 4 + 8 + 4 + 4;

  private ManifestCodec() {}

  /** Null if {@code chunkBytes} is a chunk size the format allows, else what is wrong. */
  static String chunkSizeProblem(long chunkBytes) {
    if (chunkBytes < MIN_CHUNK_BYTES
        || chunkBytes > MAX_CHUNK_BYTES
        || Long.bitCount(chunkBytes) != 1) {
      return "chunk size must be a power of two from " + MIN_CHUNK_BYTES + " to " + MAX_CHUNK_BYTES
          + " bytes, got " + chunkBytes;
    }
    return null;
  }

  /** ceil(sizeBytes / chunkBytes) for sizeBytes >= 1, without overflow. */
  static long chunkCountFor(long sizeBytes, int chunkBytes) {
    return (sizeBytes - 1) / chunkBytes + 1;
  }

  /**
   * Writes a body. The caller has checked that the strings fit their u16 lengths; everything else
   * is checked by parsing the result, so that the parser is the one definition of "valid".
   */
  static byte[] encodeBody(
      PublisherKey publisher,
      byte[] mimeType,
      byte[] originKey,
      long durationMillis,
      int bitsPerSecond,
      long sizeBytes,
      int chunkBytes,
      byte[] hashes,
      int hashesOffset,
      int chunkCount) {
    int length =
        Math.addExact(
            FIXED_BODY_BYTES + mimeType.length + originKey.length,
            Math.multiplyExact(chunkCount, HASH_BYTES));
    byte[] body = new byte[length];
    ByteBuffer out = ByteBuffer.wrap(body);
    out.put(MAGIC);
    publisher.writeTo(body, out.position());
    out.position(out.position() + PublisherKey.BYTES);
    out.putShort((short) mimeType.length).put(mimeType);
    out.putShort((short) originKey.length).put(originKey);
    out.putLong(durationMillis).putInt(bitsPerSecond).putLong(sizeBytes);
    out.putInt(chunkBytes).putInt(chunkCount);
    out.put(hashes, hashesOffset, chunkCount * HASH_BYTES);
    return body;
  }

  /**
   * Parses and validates an encoded manifest (body and signature), without checking the signature
   * or the track id. Checks the size limit before anything else and the declared chunk count
   * against the limits and the remaining input before touching the hashes; throws nothing but
   * {@link ManifestException} for any input. The result keeps a copy of {@code encoded}.
   */
  static TrackManifest parse(byte[] encoded, ManifestLimits limits) throws ManifestException {
    if (encoded.length > limits.maxEncodedBytes()) {
      throw new ManifestException(
          Reason.TOO_LARGE,
          "manifest is " + encoded.length + " bytes, the limit is " + limits.maxEncodedBytes());
    }
    Reader in = new Reader(encoded);

    in.need(MAGIC.length, "magic");
    for (byte b : MAGIC) {
      if (in.u8() != (b & 0xff)) {
        throw malformed("bad magic: not a Chorus v1 manifest (expected \"CHM1\")");
      }
    }

    in.need(PublisherKey.BYTES, "publisher key");
    PublisherKey publisher = PublisherKey.decode(encoded, in.pos);
    if (publisher == null) {
      throw malformed("publisher key is not a valid Ed25519 public key");
    }
    in.pos += PublisherKey.BYTES;

    String mimeType = in.string("mime type", MAX_MIME_TYPE_BYTES, true);
    String originKey = in.string("origin key", MAX_ORIGIN_KEY_BYTES, false);

    long durationMillis = in.u64("duration");
    if (durationMillis < 1) {
      throw malformed("duration must be 1 to 2^63-1 ms, got " + Long.toUnsignedString(durationMillis));
    }
    long bitsPerSecond = in.u32("bitrate");
    if (bitsPerSecond < 1 || bitsPerSecond > Integer.MAX_VALUE) {
      throw malformed("bitrate must be 1 to 2^31-1 bits/s, got " + bitsPerSecond);
    }
    long sizeBytes = in.u64("size");
    if (sizeBytes < 1) {
      throw malformed("size must be 1 to 2^63-1 bytes, got " + Long.toUnsignedString(sizeBytes));
    }
    long chunkBytes = in.u32("chunk size");
    String chunkProblem = chunkSizeProblem(chunkBytes);
    if (chunkProblem != null) {
      throw malformed(chunkProblem);
    }
    if (chunkBytes > limits.maxChunkBytes()) {
      throw new ManifestException(
          Reason.TOO_LARGE,
          "chunk size " + chunkBytes + " is above the limit " + limits.maxChunkBytes());
    }
    long chunkCount = in.u32("chunk count");
    if (chunkCount > limits.maxChunkCount()) {
      throw new ManifestException(
          Reason.TOO_LARGE,
          "manifest declares " + chunkCount + " chunks, the limit is " + limits.maxChunkCount());
    }
    long expectedCount = chunkCountFor(sizeBytes, (int) chunkBytes);
    if (chunkCount != expectedCount) {
      throw malformed(
          "chunk count " + chunkCount + " does not match size " + sizeBytes + " at chunk size "
              + chunkBytes + " (expected " + expectedCount + ")");
    }
    long tail = chunkCount * HASH_BYTES + SIGNATURE_BYTES;
    if (in.remaining() < tail) {
      throw malformed(
          "truncated: " + chunkCount + " chunk hashes and the signature need " + tail
              + " bytes, " + in.remaining() + " remain");
    }
    if (in.remaining() > tail) {
      throw malformed((in.remaining() - tail) + " trailing bytes after the signature");
    }
    return new TrackManifest(
        encoded.clone(),
        publisher,
        mimeType,
        originKey,
        durationMillis,
        (int) bitsPerSecond,
        sizeBytes,
        (int) chunkBytes,
        (int) chunkCount,
        in.pos);
  }

  private static ManifestException malformed(String message) {
    return new ManifestException(Reason.MALFORMED, message);
  }

  /** Bounds-checked big-endian reads; every read is preceded by a length check. */
  private static final class Reader {
    final byte[] in;
    int pos;

    Reader(byte[] in) {
      this.in = in;
    }

    int remaining() {
      return in.length - pos;
    }

    void need(long n, String field) throws ManifestException {
      if (remaining() < n) {
        throw malformed(
            "truncated in " + field + ": need " + n + " bytes at offset " + pos + ", "
                + remaining() + " remain");
      }
    }

    int u8() {
      return in[pos++] & 0xff;
    }

    int u16(String field) throws ManifestException {
      need(2, field);
      return (u8() << 8) | u8();
    }

    long u32(String field) throws ManifestException {
      need(4, field);
      long v = 0;
      for (int i = 0; i < 4; i++) {
        v = (v << 8) | u8();
      }
      return v;
    }

    /** The raw 64 bits; values with the top bit set come back negative and are rejected. */
    long u64(String field) throws ManifestException {
      need(8, field);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | u8();
      }
      return v;
    }

    /**
     * A u16-length-prefixed string of 1..max bytes: printable ASCII if {@code ascii}, else UTF-8
     * without malformed or overlong sequences, surrogates or control characters.
     */
    String string(String field, int max, boolean ascii) throws ManifestException {
      int length = u16(field + " length");
      if (length < 1 || length > max) {
        throw malformed(field + " must be 1 to " + max + " bytes, got " + length);
      }
      need(length, field);
      String s;
      if (ascii) {
        for (int i = pos; i < pos + length; i++) {
          if (in[i] < 0x20 || in[i] > 0x7e) {
            throw malformed(field + " must be printable ASCII, found byte " + (in[i] & 0xff)
                + " at offset " + i);
          }
        }
        s = new String(in, pos, length, StandardCharsets.US_ASCII);
      } else {
        try {
          CharBuffer chars =
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)
                  .decode(ByteBuffer.wrap(in, pos, length));
          s = chars.toString();
        } catch (CharacterCodingException e) {
          throw malformed(field + " is not valid UTF-8 (at offset " + pos + ")");
        }
        for (int i = 0; i < s.length(); i++) {
          if (Character.isISOControl(s.charAt(i))) {
            throw malformed(field + " contains control character U+"
                + String.format("%04X", (int) s.charAt(i)));
          }
        }
      }
      pos += length;
      return s;
    }
  }
}
