package dev.chorus.protocol.manifest;

import dev.chorus.protocol.manifest.ManifestException.Reason;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * Checks manifests received from anyone against a track id, and chunks against their manifest.
 *
 * <p>The chain of trust: a track id is the SHA-256 of the manifest body, so {@link #verify(TrackId,
 * byte[])} proves that the bytes are exactly the manifest the id names; the body contains the
 * publisher key and is signed with it, which proves who published it; and the body lists the
 * SHA-256 of every chunk, so {@link #verifyChunk} proves a chunk from any peer is the publisher's.
 *
 * <p><b>Not thread-safe</b>: an instance reuses one SHA-256 digest for chunks, which matters at
 * 16 KiB per chunk. Use one instance per thread (they are cheap) or confine it to the thread that
 * owns the core using it.
 */
public final class ManifestVerifier {
  private final ManifestLimits limits;
  private final Set<PublisherKey> trustedPublishers;
  private final MessageDigest chunkDigest = TrackManifest.sha256();
  private final byte[] digestOut = new byte[ManifestCodec.HASH_BYTES];

  private ManifestVerifier(ManifestLimits limits, Set<PublisherKey> trustedPublishers) {
    this.limits = limits;
    this.trustedPublishers = trustedPublishers;
  }

  /** A verifier with the default limits that accepts any publisher. */
  public static ManifestVerifier create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses {@code encoded} within the limits and checks, in this order, that it hashes to {@code
   * expectedId} ({@link Reason#WRONG_TRACK_ID}), that its publisher is trusted ({@link
   * Reason#UNTRUSTED_PUBLISHER}) and that the signature verifies ({@link Reason#BAD_SIGNATURE}).
   * Parsing fails with {@link Reason#TOO_LARGE} or {@link Reason#MALFORMED}.
   */
  public TrackManifest verify(TrackId expectedId, byte[] encoded) throws ManifestException {
    Objects.requireNonNull(expectedId, "expectedId");
    Objects.requireNonNull(encoded, "encoded");
    TrackManifest manifest = ManifestCodec.parse(encoded, limits);
    if (!manifest.trackId().equals(expectedId)) {
      throw new ManifestException(
          Reason.WRONG_TRACK_ID,
          "manifest is track " + manifest.trackId() + ", expected " + expectedId);
    }
    checkPublisher(manifest);
    return manifest;
  }

  /**
   * Like {@link #verify(TrackId, byte[])} for a manifest whose id is not known in advance (a new
   * track being published or announced): everything but the id is checked, and the id is then
   * {@link TrackManifest#trackId()}. Only the signature and the trusted set vouch for it, so use
   * this only where any (trusted) publisher may introduce new tracks.
   */
  public TrackManifest verifyWithoutId(byte[] encoded) throws ManifestException {
    Objects.requireNonNull(encoded, "encoded");
    TrackManifest manifest = ManifestCodec.parse(encoded, limits);
    checkPublisher(manifest);
    return manifest;
  }

  private void checkPublisher(TrackManifest manifest) throws ManifestException {
    if (!trustedPublishers.isEmpty() && !trustedPublishers.contains(manifest.publisher())) {
      throw new ManifestException(
          Reason.UNTRUSTED_PUBLISHER,
          "track " + manifest.trackId() + " is published by " + manifest.publisher().toText()
              + ", which is not a trusted publisher");
    }
    if (!manifest.signatureValid()) {
      throw new ManifestException(
          Reason.BAD_SIGNATURE,
          "track " + manifest.trackId() + ": the signature does not verify with publisher key "
              + manifest.publisher().toText());
    }
  }

  /**
   * Checks that {@code data} (its remaining bytes) is chunk {@code index} of {@code manifest}:
   * {@link Reason#CHUNK_INDEX_OUT_OF_RANGE}, {@link Reason#WRONG_CHUNK_LENGTH} or {@link
   * Reason#WRONG_CHUNK} if not. Leaves the buffer's position, limit and content as they were.
   */
  public void verifyChunk(TrackManifest manifest, int index, ByteBuffer data)
      throws ManifestException {
    checkIndexAndLength(manifest, index, data.remaining());
    int position = data.position();
    chunkDigest.update(data);
    data.position(position);
    checkDigest(manifest, index);
  }

  /** {@link #verifyChunk(TrackManifest, int, ByteBuffer)} of all of {@code data}. */
  public void verifyChunk(TrackManifest manifest, int index, byte[] data)
      throws ManifestException {
    checkIndexAndLength(manifest, index, data.length);
    chunkDigest.update(data);
    checkDigest(manifest, index);
  }

  private static void checkIndexAndLength(TrackManifest manifest, int index, int length)
      throws ManifestException {
    if (index < 0 || index >= manifest.chunkCount()) {
      throw new ManifestException(
          Reason.CHUNK_INDEX_OUT_OF_RANGE,
          "track " + manifest.trackId() + " has chunks 0 to " + (manifest.chunkCount() - 1)
              + ", got chunk " + index);
    }
    int expected = manifest.chunkLength(index);
    if (length != expected) {
      throw new ManifestException(
          Reason.WRONG_CHUNK_LENGTH,
          "track " + manifest.trackId() + " chunk " + index + " is " + expected + " bytes, got "
              + length);
    }
  }

  private void checkDigest(TrackManifest manifest, int index) throws ManifestException {
    try {
      chunkDigest.digest(digestOut, 0, digestOut.length);
    } catch (DigestException e) {
      throw new IllegalStateException(e); // the buffer is exactly a SHA-256 long
    }
    if (!manifest.chunkHashEquals(index, digestOut)) {
      throw new ManifestException(
          Reason.WRONG_CHUNK,
          "track " + manifest.trackId() + " chunk " + index
              + " does not match its SHA-256 in the manifest");
    }
  }

  /** Builder of {@link ManifestVerifier}. */
  public static final class Builder {
    private ManifestLimits limits = ManifestLimits.defaults();
    private Set<PublisherKey> trustedPublishers = Set.of();

    private Builder() {}

    /** The parsing limits; default {@link ManifestLimits#defaults()}. */
    public Builder limits(ManifestLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Accept only manifests signed by one of these keys. Empty (the default) accepts any
     * publisher: the track id already binds the publisher key, so pinning publishers matters only
     * for ids that come from an untrusted source, and for {@link #verifyWithoutId}.
     */
    public Builder trustedPublishers(Collection<PublisherKey> publishers) {
      this.trustedPublishers = Set.copyOf(publishers);
      return this;
    }

    public ManifestVerifier build() {
      return new ManifestVerifier(limits, trustedPublishers);
    }
  }
}
