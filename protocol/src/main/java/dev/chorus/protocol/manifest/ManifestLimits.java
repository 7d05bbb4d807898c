package dev.chorus.protocol.manifest;

import dev.chorus.protocol.limits.WireLimits;

/**
 * The receiver's bounds on a manifest, checked while parsing and before anything is allocated for
 * the manifest's content. A manifest over any of them is rejected with {@link
 * ManifestException.Reason#TOO_LARGE}. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: 131,072 chunks (2 GiB at 16 KiB chunks), chunks up to 1 MiB, and an encoded size
 * of 4 MiB + 4 KiB, which is exactly room for 131,072 chunk hashes (4 MiB) plus the largest
 * possible header and the signature, so that the two default limits agree.
 */
public final class ManifestLimits {
  /** Default {@link #maxChunkCount()}: as many chunks as a track may have on the tracker. */
  public static final int DEFAULT_MAX_CHUNK_COUNT = WireLimits.MAX_CHUNKS_PER_TRACK;
  /** Default {@link #maxChunkBytes()}: the largest chunk size the format allows. */
  public static final int DEFAULT_MAX_CHUNK_BYTES = ManifestCodec.MAX_CHUNK_BYTES;
  /** Default {@link #maxEncodedBytes()}: 4 MiB of hashes plus 4 KiB for header and signature. */
  public static final int DEFAULT_MAX_ENCODED_BYTES = 4 * 1024 * 1024 + 4 * 1024;

  private static final ManifestLimits DEFAULTS = builder().build();

  private final int maxEncodedBytes;
  private final int maxChunkCount;
  private final int maxChunkBytes;

  private ManifestLimits(Builder b) {
    this.maxEncodedBytes = b.maxEncodedBytes;
    this.maxChunkCount = b.maxChunkCount;
    this.maxChunkBytes = b.maxChunkBytes;
  }

  /** The default limits. */
  public static ManifestLimits defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Largest accepted encoded manifest (body and signature), in bytes. */
  public int maxEncodedBytes() {
    return maxEncodedBytes;
  }

  /** Largest accepted number of chunks. */
  public int maxChunkCount() {
    return maxChunkCount;
  }

  /** Largest accepted chunk size, in bytes. */
  public int maxChunkBytes() {
    return maxChunkBytes;
  }

  @Override
  public String toString() {
    return "ManifestLimits[maxEncodedBytes=" + maxEncodedBytes + ", maxChunkCount=" + maxChunkCount
        + ", maxChunkBytes=" + maxChunkBytes + "]";
  }

  /** Builder of {@link ManifestLimits}; every setter checks its value and names it on error. */
  public static final class Builder {
    private int maxEncodedBytes = DEFAULT_MAX_ENCODED_BYTES;
    private int maxChunkCount = DEFAULT_MAX_CHUNK_COUNT;
    private int maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES;

    private Builder() {}

    /** At least 1. */
    public Builder maxEncodedBytes(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxEncodedBytes must be at least 1, got " + value);
      }
      this.maxEncodedBytes = value;
      return this;
    }

    /** At least 1. */
    public Builder maxChunkCount(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxChunkCount must be at least 1, got " + value);
      }
      this.maxChunkCount = value;
      return this;
    }

    /** A chunk size the format allows: a power of two from 1 KiB to 1 MiB. */
    public Builder maxChunkBytes(int value) {
      String problem = ManifestCodec.chunkSizeProblem(value);
      if (problem != null) {
        throw new IllegalArgumentException("maxChunkBytes: " + problem);
      }
      this.maxChunkBytes = value;
      return this;
    }

    public ManifestLimits build() {
      return new ManifestLimits(this);
    }
  }
}
