package dev.chorus.protocol.manifest;

import static dev.chorus.protocol.manifest.ManifestCodec.HASH_BYTES;
import static dev.chorus.protocol.manifest.ManifestCodec.SIGNATURE_BYTES;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A publisher-signed track manifest: what the track is (MIME type, duration, bitrate), how it is
 * cut into chunks (size, chunk size, the SHA-256 of every chunk), where the origin keeps it, and
 * who published it. Its {@link #trackId()} is the hash of the signed content.
 *
 * <p>Every instance is well formed and correctly signed: it comes either from {@link #builder()}
 * (signed here) or from {@link ManifestVerifier} (signature checked). Immutable; chunk {@code i}
 * covers bytes {@code [chunkOffset(i), chunkOffset(i) + chunkLength(i))} of the track.
 */
public final class TrackManifest {
  /** The default chunk size: 16 KiB. */
  public static final int DEFAULT_CHUNK_BYTES = ManifestCodec.DEFAULT_CHUNK_BYTES;

  private final byte[] encoded;
  private final PublisherKey publisher;
  private final String mimeType;
  private final String originKey;
  private final long durationMillis;
  private final int bitsPerSecond;
  private final long sizeBytes;
  private final int chunkBytes;
  private final int chunkCount;
  private final int hashesOffset;
  private final TrackId trackId;

  /** Only {@link ManifestCodec#parse}: takes ownership of {@code encoded}, already validated. */
  TrackManifest(
      byte[] encoded,
      PublisherKey publisher,
      String mimeType,
      String originKey,
      long durationMillis,
      int bitsPerSecond,
      long sizeBytes,
      int chunkBytes,
      int chunkCount,
      int hashesOffset) {
    this.encoded = encoded;
    this.publisher = publisher;
    this.mimeType = mimeType;
    this.originKey = originKey;
    this.durationMillis = durationMillis;
    this.bitsPerSecond = bitsPerSecond;
    this.sizeBytes = sizeBytes;
    this.chunkBytes = chunkBytes;
    this.chunkCount = chunkCount;
    this.hashesOffset = hashesOffset;
    MessageDigest sha256 = sha256();
    sha256.update(ManifestCodec.TRACK_ID_DOMAIN);
    sha256.update(encoded, 0, bodyLength());
    this.trackId = TrackId.wrap(sha256.digest());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** SHA-256 of {@code "chorus/track-id/v1"} and the body: what names this track everywhere. */
  public TrackId trackId() {
    return trackId;
  }

  public PublisherKey publisher() {
    return publisher;
  }

  /** Codec as a MIME type, e.g. {@code audio/ogg; codecs=opus}. */
  public String mimeType() {
    return mimeType;
  }

  /** Where the origin (CDN/S3) keeps the file, e.g. {@code tracks/ab/abcdef.ogg}. */
  public String originKey() {
    return originKey;
  }

  public long durationMillis() {
    return durationMillis;
  }

  /** Average bitrate, bits per second. */
  public int bitsPerSecond() {
    return bitsPerSecond;
  }

  /** Size of the whole file, in bytes. */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** Length of every chunk but the last, in bytes. */
  public int chunkSizeBytes() {
    return chunkBytes;
  }

  public int chunkCount() {
    return chunkCount;
  }

  /** Offset of chunk {@code index} in the file. */
  public long chunkOffset(int index) {
    Objects.checkIndex(index, chunkCount);
    return (long) index * chunkBytes;
  }

  /** Length of chunk {@code index}: the chunk size, or what remains for the last chunk. */
  public int chunkLength(int index) {
    Objects.checkIndex(index, chunkCount);
    return index < chunkCount - 1 ? chunkBytes : (int) (sizeBytes - (long) index * chunkBytes);
  }

  /** The SHA-256 of chunk {@code index} (a copy). */
  public byte[] chunkHash(int index) {
    Objects.checkIndex(index, chunkCount);
    int from = hashOffset(index);
    return Arrays.copyOfRange(encoded, from, from + HASH_BYTES);
  }

  /** Whether {@code digest[0..32)} is the hash of chunk {@code index}, no copy. */
  boolean chunkHashEquals(int index, byte[] digest) {
    int from = hashOffset(index);
    return Arrays.equals(encoded, from, from + HASH_BYTES, digest, 0, HASH_BYTES);
  }

  /** The wire form: body and signature (a copy). */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** Length of {@link #encoded()}. */
  public int encodedLength() {
    return encoded.length;
  }

  int bodyLength() {
    return encoded.length - SIGNATURE_BYTES;
  }

  private int hashOffset(int index) {
    return hashesOffset + index * HASH_BYTES;
  }

  /** Whether the signature verifies with the publisher key in the body. */
  boolean signatureValid() {
    byte[] msg = signedMessage(encoded, bodyLength());
    return publisher.verify(encoded, bodyLength(), msg);
  }

  /** Encodes the parsed fields afresh (for canonical-form tests). */
  byte[] reencode() {
    byte[] body =
        ManifestCodec.encodeBody(
            publisher,
            mimeType.getBytes(StandardCharsets.US_ASCII),
            originKey.getBytes(StandardCharsets.UTF_8),
            durationMillis,
            bitsPerSecond,
            sizeBytes,
            chunkBytes,
            encoded,
            hashesOffset,
            chunkCount);
    byte[] out = Arrays.copyOf(body, body.length + SIGNATURE_BYTES);
    System.arraycopy(encoded, bodyLength(), out, body.length, SIGNATURE_BYTES);
    return out;
  }

  /** "chorus/manifest/v1" followed by {@code body[0..bodyLength)}. */
  static byte[] signedMessage(byte[] body, int bodyLength) {
    byte[] domain = ManifestCodec.SIGNATURE_DOMAIN;
    byte[] msg = Arrays.copyOf(domain, domain.length + bodyLength);
    System.arraycopy(body, 0, msg, domain.length, bodyLength);
    return msg;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /** Equal when the encoded bytes are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TrackManifest && Arrays.equals(encoded, ((TrackManifest) o).encoded);
  }

  @Override
  public int hashCode() {
    return trackId.hashCode();
  }

  @Override
  public String toString() {
    return "TrackManifest[id=" + trackId + ", mimeType=" + mimeType + ", sizeBytes=" + sizeBytes
        + ", chunks=" + chunkCount + "x" + chunkBytes + ", durationMillis=" + durationMillis
        + ", originKey=" + originKey + ", publisher=" + publisher.toText() + "]";
  }

  /**
   * Builds and signs a manifest. Set the MIME type, duration, bitrate and origin key, optionally
   * the chunk size (default 16 KiB) and the limits the result must fit (default {@link
   * ManifestLimits#defaults()}), then either {@link #publish(InputStream, PublisherKeyPair)} the
   * file's content, which computes size and chunk hashes, or give {@link #sizeBytes} and {@link
   * #chunkHashes} and {@link #sign}. Invalid values are reported as {@link
   * IllegalArgumentException} naming the field, missing ones as {@link IllegalStateException}.
   */
  public static final class Builder {
    private String mimeType;
    private String originKey;
    private Long durationMillis;
    private Integer bitsPerSecond;
    private int chunkBytes = DEFAULT_CHUNK_BYTES;
    private Long sizeBytes;
    private byte[] hashes;
    private int chunkCount;
    private ManifestLimits limits = ManifestLimits.defaults();

    private Builder() {}

    /** Printable ASCII, 1 to 127 bytes, e.g. {@code audio/ogg; codecs=opus}. */
    public Builder mimeType(String mimeType) {
      this.mimeType = Objects.requireNonNull(mimeType, "mimeType");
      return this;
    }

    /** The object key at the origin: UTF-8, 1 to 1024 bytes, no control characters. */
    public Builder originKey(String originKey) {
      this.originKey = Objects.requireNonNull(originKey, "originKey");
      return this;
    }

    /** At least 1. */
    public Builder durationMillis(long durationMillis) {
      this.durationMillis = durationMillis;
      return this;
    }

    /** Average bitrate in bits per second, at least 1. */
    public Builder bitsPerSecond(int bitsPerSecond) {
      this.bitsPerSecond = bitsPerSecond;
      return this;
    }

    /** A power of two from 1 KiB to 1 MiB; default 16 KiB. */
    public Builder chunkSizeBytes(int chunkBytes) {
      this.chunkBytes = chunkBytes;
      return this;
    }

    /** The limits the signed manifest must fit, so that receivers using them accept it. */
    public Builder limits(ManifestLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Size of the file in bytes, for {@link #sign}. */
    public Builder sizeBytes(long sizeBytes) {
      this.sizeBytes = sizeBytes;
      return this;
    }

    /** The SHA-256 of every chunk, in order (copied), for {@link #sign}. */
    public Builder chunkHashes(List<byte[]> chunkHashes) {
      byte[] all = new byte[Math.multiplyExact(chunkHashes.size(), HASH_BYTES)];
      for (int i = 0; i < chunkHashes.size(); i++) {
        byte[] h = chunkHashes.get(i);
        if (h.length != HASH_BYTES) {
          throw new IllegalArgumentException(
              "chunkHashes: hash " + i + " is " + h.length + " bytes, a SHA-256 is 32");
        }
        System.arraycopy(h, 0, all, i * HASH_BYTES, HASH_BYTES);
      }
      this.hashes = all;
      this.chunkCount = chunkHashes.size();
      return this;
    }

    /** Signs a manifest with the size and chunk hashes given to this builder. */
    public TrackManifest sign(PublisherKeyPair key) {
      if (sizeBytes == null) {
        throw new IllegalStateException("sizeBytes is not set");
      }
      if (hashes == null) {
        throw new IllegalStateException("chunkHashes is not set");
      }
      return sign(key, sizeBytes, hashes, chunkCount);
    }

    /**
     * Reads {@code content} to its end, one chunk at a time (the file is never held in memory),
     * and signs a manifest of its size and chunk hashes. Does not close {@code content}.
     */
    public TrackManifest publish(InputStream content, PublisherKeyPair key) throws IOException {
      Objects.requireNonNull(content, "content");
      Objects.requireNonNull(key, "key");
      checkChunkSize();
      MessageDigest sha256 = sha256();
      byte[] chunk = new byte[chunkBytes];
      byte[] all = new byte[64 * HASH_BYTES];
      int count = 0;
      long size = 0;
      while (true) {
        int n = content.readNBytes(chunk, 0, chunkBytes);
        if (n == 0) {
          break;
        }
        if (count == limits.maxChunkCount()) {
          throw new IllegalArgumentException(
              "content is more than " + limits.maxChunkCount() + " chunks of " + chunkBytes
                  + " bytes, the chunk count limit; use a larger chunkSizeBytes");
        }
        if ((long) (count + 1) * HASH_BYTES > limits.maxEncodedBytes()) {
          throw new IllegalArgumentException(
              "the hashes of more than " + count + " chunks of " + chunkBytes + " bytes exceed"
                  + " the manifest size limit of " + limits.maxEncodedBytes()
                  + " bytes; use a larger chunkSizeBytes");
        }
        if (all.length < (count + 1) * HASH_BYTES) {
          all = Arrays.copyOf(all, (int) Math.min(2L * all.length, limits.maxEncodedBytes()));
        }
        sha256.update(chunk, 0, n);
        try {
          sha256.digest(all, count * HASH_BYTES, HASH_BYTES);
        } catch (DigestException e) {
          throw new IllegalStateException(e);
        }
        count++;
        size += n;
        if (n < chunkBytes) {
          break; // readNBytes returns short only at the end of the stream
        }
      }
      if (count == 0) {
        throw new IllegalArgumentException("content is empty; a track has at least one byte");
      }
      return sign(key, size, all, count);
    }

    /** {@link #publish(InputStream, PublisherKeyPair)} of a file already in memory. */
    public TrackManifest publish(byte[] content, PublisherKeyPair key) {
      try {
        return publish(new ByteArrayInputStream(content), key);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a ByteArrayInputStream does not throw
      }
    }

    private void checkChunkSize() {
      String problem = ManifestCodec.chunkSizeProblem(chunkBytes);
      if (problem != null) {
        throw new IllegalArgumentException("chunkSizeBytes: " + problem);
      }
      if (chunkBytes > limits.maxChunkBytes()) {
        throw new IllegalArgumentException(
            "chunkSizeBytes " + chunkBytes + " is above the limit " + limits.maxChunkBytes());
      }
    }

    private TrackManifest sign(PublisherKeyPair key, long size, byte[] hashes, int count) {
      Objects.requireNonNull(key, "key");
      if (mimeType == null) {
        throw new IllegalStateException("mimeType is not set");
      }
      if (originKey == null) {
        throw new IllegalStateException("originKey is not set");
      }
      if (durationMillis == null) {
        throw new IllegalStateException("durationMillis is not set");
      }
      if (bitsPerSecond == null) {
        throw new IllegalStateException("bitsPerSecond is not set");
      }
      if (durationMillis < 1) {
        throw new IllegalArgumentException("durationMillis must be at least 1, got " + durationMillis);
      }
      if (bitsPerSecond < 1) {
        throw new IllegalArgumentException("bitsPerSecond must be at least 1, got " + bitsPerSecond);
      }
      checkChunkSize();
      if (size < 1) {
        throw new IllegalArgumentException("sizeBytes must be at least 1, got " + size);
      }
      long expected = ManifestCodec.chunkCountFor(size, chunkBytes);
      if (count != expected) {
        throw new IllegalArgumentException(
            "chunkHashes: " + size + " bytes at chunk size " + chunkBytes + " are " + expected
                + " chunks, got " + count + " hashes");
      }
      byte[] mime = encodeString("mimeType", mimeType, ManifestCodec.MAX_MIME_TYPE_BYTES);
      byte[] origin = encodeString("originKey", originKey, ManifestCodec.MAX_ORIGIN_KEY_BYTES);
      byte[] body =
          ManifestCodec.encodeBody(
              key.publicKey(), mime, origin, durationMillis, bitsPerSecond, size,
              chunkBytes, hashes, 0, count);
      byte[] signature = key.sign(signedMessage(body, body.length));
      byte[] encoded = Arrays.copyOf(body, body.length + SIGNATURE_BYTES);
      System.arraycopy(signature, 0, encoded, body.length, SIGNATURE_BYTES);
      try {
        // The parser is the one definition of a valid manifest: what we sign, receivers accept.
        return ManifestCodec.parse(encoded, limits);
      } catch (ManifestException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }

    private static byte[] encodeString(String field, String value, int maxBytes) {
      byte[] bytes;
      try {
        ByteBuffer b =
            StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(value));
        bytes = Arrays.copyOf(b.array(), b.limit());
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException(field + " is not valid Unicode (unpaired surrogate)", e);
      }
      if (bytes.length < 1 || bytes.length > maxBytes) {
        throw new IllegalArgumentException(
            field + " must be 1 to " + maxBytes + " bytes in UTF-8, got " + bytes.length);
      }
      return bytes;
    }
  }
}
