package dev.chorus.tracker.index;

import dev.chorus.protocol.limits.WireLimits;
import dev.chorus.protocol.manifest.TrackId;
import java.util.Arrays;
import java.util.Objects;

/**
 * The chunks one peer holds of one track: all of them, or those set in a bitmap (bit i, LSB-first
 * within each byte, set when chunk i is held). Immutable.
 */
public final class Holding {
  /** A track has at most this many chunks on the tracker (2 GiB at 16 KiB chunks). */
  public static final int MAX_CHUNKS = WireLimits.MAX_CHUNKS_PER_TRACK;

  private final TrackId track;
  private final int chunkCount;
  private final byte[] bitmap; // null when complete

  private Holding(TrackId track, int chunkCount, byte[] bitmap) {
    this.track = track;
    this.chunkCount = chunkCount;
    this.bitmap = bitmap;
  }

  /** The peer holds every chunk of {@code track}. {@code chunkCount} may be 0 if unknown. */
  public static Holding complete(TrackId track, int chunkCount) {
    WireLimits.checkChunkCount(chunkCount);
    return new Holding(Objects.requireNonNull(track, "track"), chunkCount, null);
  }

  /**
   * The peer holds the chunks set in {@code bitmap} (copied; trailing zero bytes are trimmed).
   *
   * @throws IllegalArgumentException if the bitmap is longer than ⌈chunkCount/8⌉ bytes or sets a
   *     bit at or past chunkCount
   */
  public static Holding partial(TrackId track, int chunkCount, byte[] bitmap) {
    WireLimits.checkChunkCount(chunkCount);
    if (chunkCount == 0) {
      throw new IllegalArgumentException("a partial holding needs the track's chunk count");
    }
    int maxBytes = (chunkCount + 7) / 8;
    int length = bitmap.length;
    while (length > 0 && bitmap[length - 1] == 0) {
      length--;
    }
    if (length > maxBytes) {
      throw new IllegalArgumentException("bitmap of " + bitmap.length + " bytes for " + chunkCount + " chunks");
    }
    if (length == maxBytes && chunkCount % 8 != 0 && (bitmap[length - 1] & 0xff) >>> (chunkCount % 8) != 0) {
      throw new IllegalArgumentException("bitmap sets chunks at or past chunk count " + chunkCount);
    }
    return new Holding(Objects.requireNonNull(track, "track"), chunkCount, Arrays.copyOf(bitmap, length));
  }

  public TrackId track() {
    return track;
  }

  public int chunkCount() {
    return chunkCount;
  }

  public boolean isComplete() {
    return bitmap == null;
  }

  /** The bitmap (copy), or null when complete. */
  public byte[] bitmap() {
    return bitmap == null ? null : bitmap.clone();
  }

  /** Bytes of the bitmap as kept (trailing zeros trimmed), 0 when complete. */
  public int bitmapLength() {
    return bitmap == null ? 0 : bitmap.length;
  }

  /** True if chunk {@code index} is held. */
  public boolean has(int index) {
    if (bitmap == null) {
      return index >= 0 && (chunkCount == 0 || index < chunkCount);
    }
    int b = index >>> 3;
    return index >= 0 && b < bitmap.length && (bitmap[b] & (1 << (index & 7))) != 0;
  }

  /** How many of the chunks set in {@code wanted} this holding has (wanted null = all count as wanted). */
  public int countHeld(byte[] wanted) {
    if (wanted == null) {
      return bitmap == null ? Math.max(chunkCount, 1) : bitCount(bitmap);
    }
    int n = 0;
    for (int i = 0; i < wanted.length; i++) {
      int mine = bitmap == null ? 0xff : (i < bitmap.length ? bitmap[i] & 0xff : 0);
      n += Integer.bitCount(mine & wanted[i] & 0xff);
    }
    return n;
  }

  private static int bitCount(byte[] bits) {
    int n = 0;
    for (byte b : bits) {
      n += Integer.bitCount(b & 0xff);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Holding)) {
      return false;
    }
    Holding h = (Holding) o;
    return track.equals(h.track) && chunkCount == h.chunkCount && Arrays.equals(bitmap, h.bitmap);
  }

  @Override
  public int hashCode() {
    return track.hashCode() * 31 + Arrays.hashCode(bitmap);
  }

  @Override
  public String toString() {
    return "Holding[" + track + (bitmap == null ? " complete" : " " + bitCount(bitmap) + "/" + chunkCount) + "]";
  }
}
