package dev.chorus.protocol.limits;

/**
 * Bounds that both ends of the protocol hold to: the tracker refuses what exceeds them, a node
 * never sends it, and a manifest is parsed against the same track size by default. Defined once
 * here so that the two sides cannot drift apart.
 */
public final class WireLimits {
  /**
   * Most chunks a track may have: on the tracker (announced holdings, lookups) and, by default, in
   * a manifest. 2 GiB at 16 KiB chunks.
   */
  public static final int MAX_CHUNKS_PER_TRACK = 131_072;

  /** Bytes of a chunk bitmap (one bit a chunk, LSB-first) of a track of {@link #MAX_CHUNKS_PER_TRACK}. */
  public static final int MAX_CHUNK_BITMAP_BYTES = (MAX_CHUNKS_PER_TRACK + 7) / 8;

  /** Longest region tag a node announces, in characters. */
  public static final int MAX_REGION_LENGTH = 32;

  private WireLimits() {}

  /**
   * {@code chunkCount} if a track may have that many chunks (0 standing for "unknown").
   *
   * @throws IllegalArgumentException unless it is in {@code 0..}{@link #MAX_CHUNKS_PER_TRACK}
   */
  public static int checkChunkCount(int chunkCount) {
    if (chunkCount < 0 || chunkCount > MAX_CHUNKS_PER_TRACK) {
      throw new IllegalArgumentException(
          "chunkCount must be 0.." + MAX_CHUNKS_PER_TRACK + ", was " + chunkCount);
    }
    return chunkCount;
  }
}
