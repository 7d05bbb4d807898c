package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.util.Objects;

/**
 * What the swarm core needs to know of a track: its size, chunking and duration. Taken from a
 * verified {@link TrackManifest} in a node, or made up by the simulator (which has no audio).
 */
public final class TrackLayout {
  private final TrackId trackId;
  private final long sizeBytes;
  private final int chunkBytes;
  private final int chunkCount;
  private final long durationNanos;

  private TrackLayout(TrackId trackId, long sizeBytes, int chunkBytes, long durationNanos) {
    this.trackId = Objects.requireNonNull(trackId, "trackId");
    if (sizeBytes <= 0 || chunkBytes <= 0 || durationNanos <= 0) {
      throw new IllegalArgumentException("size, chunk size and duration must be positive: "
          + sizeBytes + ", " + chunkBytes + ", " + durationNanos);
    }
    long count = (sizeBytes + chunkBytes - 1) / chunkBytes;
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many chunks: " + count);
    }
    this.sizeBytes = sizeBytes;
    this.chunkBytes = chunkBytes;
    this.chunkCount = (int) count;
    this.durationNanos = durationNanos;
  }

  public static TrackLayout of(TrackId trackId, long sizeBytes, int chunkBytes, long durationNanos) {
    return new TrackLayout(trackId, sizeBytes, chunkBytes, durationNanos);
  }

  public static TrackLayout of(TrackManifest manifest) {
    return new TrackLayout(manifest.trackId(), manifest.sizeBytes(), manifest.chunkSizeBytes(),
        manifest.durationMillis() * 1_000_000L);
  }

  public TrackId trackId() {
    return trackId;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public int chunkBytes() {
    return chunkBytes;
  }

  public int chunkCount() {
    return chunkCount;
  }

  public long durationNanos() {
    return durationNanos;
  }

  public long chunkOffset(int index) {
    return (long) index * chunkBytes;
  }

  public int chunkLength(int index) {
    return (int) Math.min(chunkBytes, sizeBytes - chunkOffset(index));
  }

  /** Bytes of chunks [first, first + count). */
  public long runBytes(int first, int count) {
    return Math.min(sizeBytes, chunkOffset(first + count)) - chunkOffset(first);
  }

  /** The chunk holding byte {@code offset} (clamped to the track). */
  public int chunkAt(long offset) {
    if (offset <= 0) {
      return 0;
    }
    return (int) Math.min(chunkCount - 1, offset / chunkBytes);
  }

  /** Playback time of {@code bytes} of this track, at its average rate. */
  public long nanosOf(long bytes) {
    return (long) ((double) bytes * durationNanos / sizeBytes);
  }

  /** Bytes played in {@code nanos}, at the average rate. */
  public long bytesOf(long nanos) {
    return (long) ((double) nanos * sizeBytes / durationNanos);
  }

  @Override
  public String toString() {
    return "TrackLayout[" + trackId + ", " + sizeBytes + " B, " + chunkCount + " x " + chunkBytes
        + " B, " + durationNanos / 1_000_000 + " ms]";
  }
}
