package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.limits.WireLimits;
import dev.chorus.protocol.manifest.TrackId;
import java.util.BitSet;
import java.util.Objects;

/**
 * What the node holds of one track, as announced to the tracker: every chunk, or the chunks set
 * in a bitmap. Validated here against the tracker's rules, so that a bad entry fails where it is
 * made instead of getting the whole connection closed ({@code BAD_REQUEST}). Immutable.
 */
public final class Holding {
  /** Most chunks a track may have on the tracker (2 GiB at 16 KiB chunks). */
  public static final int MAX_CHUNKS = WireLimits.MAX_CHUNKS_PER_TRACK;

  private final TrackId track;
  private final int chunkCount;
  private final BitSet chunks; // null when complete

  private Holding(TrackId track, int chunkCount, BitSet chunks) {
    this.track = track;
    this.chunkCount = chunkCount;
    this.chunks = chunks;
  }

  /** Every chunk of {@code track}; {@code chunkCount} may be 0 if unknown. */
  public static Holding complete(TrackId track, int chunkCount) {
    WireLimits.checkChunkCount(chunkCount);
    return new Holding(Objects.requireNonNull(track, "track"), chunkCount, null);
  }

  /**
   * The chunks set in {@code chunks} (copied). A set holding all {@code chunkCount} chunks becomes
   * {@link #complete}.
   *
   * @throws IllegalArgumentException if {@code chunkCount} is not 1..{@link #MAX_CHUNKS} or a bit
   *     at or past {@code chunkCount} is set
   */
  public static Holding partial(TrackId track, int chunkCount, BitSet chunks) {
    Objects.requireNonNull(track, "track");
    Objects.requireNonNull(chunks, "chunks");
    WireLimits.checkChunkCount(chunkCount);
    if (chunkCount == 0) {
      throw new IllegalArgumentException("a partial holding of " + track + " needs the track's chunk count");
    }
    if (chunks.length() > chunkCount) {
      throw new IllegalArgumentException("holding of " + track + " sets chunk " + (chunks.length() - 1)
          + " of a track of " + chunkCount + " chunks");
    }
    if (chunks.cardinality() == chunkCount) {
      return new Holding(track, chunkCount, null);
    }
    return new Holding(track, chunkCount, (BitSet) chunks.clone());
  }

  public TrackId track() {
    return track;
  }

  public int chunkCount() {
    return chunkCount;
  }

  public boolean isComplete() {
    return chunks == null;
  }

  /** The chunks held (a copy); all of {@code [0, chunkCount)} when complete. */
  public BitSet chunks() {
    if (chunks == null) {
      BitSet all = new BitSet(chunkCount);
      all.set(0, chunkCount);
      return all;
    }
    return (BitSet) chunks.clone();
  }

  /** The bitmap as the wire carries it (LSB-first), or null when complete. */
  byte[] bitmap() {
    return chunks == null ? null : chunks.toByteArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Holding && track.equals(((Holding) o).track) && chunkCount == ((Holding) o).chunkCount
        && Objects.equals(chunks, ((Holding) o).chunks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(track, chunkCount, chunks);
  }

  @Override
  public String toString() {
    return "Holding[" + track + ", " + (chunks == null ? "complete" : chunks.cardinality() + "/" + chunkCount) + "]";
  }
}
