package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.TrackId;
import java.util.List;

/**
 * Which whole tracks a cache keeps — the one rule shared by the node's chunk stores and the
 * simulator's peer caches, so that the simulator's cache hit rates are the product's:
 *
 * <ul>
 *   <li>Tracks are ordered by last use. A track enters as the most recently used one when its
 *       first bytes are added; {@link #touch} moves a held track to the front again (a play).</li>
 *   <li>A track is admitted only if it {@link #fits} beside the track being played. One that
 *       does not is not cached at all, rather than evicting everything and still overflowing.</li>
 *   <li>When the bytes held exceed the capacity, the least recently used tracks go first, until
 *       they fit — never the track being written and never the track being played (a player is
 *       reading it).</li>
 * </ul>
 *
 * Implementations are pure (no I/O, no clock, not thread-safe; one owner drives them): the node's
 * {@link LruTrackPolicy}, and a compact primitive-array form in the simulator for a million peers.
 * Both pass {@code TrackCachePolicyContract}.
 */
public interface TrackCachePolicy {
  boolean holds(TrackId track);

  /** Makes a held track the most recently used; returns false (and changes nothing) if not held. */
  boolean touch(TrackId track);

  /** Adds bytes of a track (negative to release some), entering it as most recently used if new. */
  void addBytes(TrackId track, long bytes);

  /** Forgets a track; returns the bytes it held (0 if not held). */
  long remove(TrackId track);

  long usedBytes();

  /** The held tracks, least recently used first. */
  List<TrackId> tracksByAge();

  /**
   * Whether a track of {@code trackBytes} may be admitted into {@code capacityBytes} beside the
   * {@code playing} track (null when nothing plays; not counted when it is the track itself).
   */
  boolean fits(TrackId track, long trackBytes, long capacityBytes, TrackId playing);

  /**
   * The tracks to evict, least recently used first, so that what is held fits
   * {@code capacityBytes}; never {@code written} nor {@code playing} (either may be null). Removes
   * nothing: the caller deletes them and then calls {@link #remove}.
   */
  List<TrackId> evictionsFor(long capacityBytes, TrackId written, TrackId playing);
}
