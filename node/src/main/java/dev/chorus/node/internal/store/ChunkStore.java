package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.ManifestException;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The node's chunk cache: manifests and verified chunks, keyed by track id and chunk index, bounded
 * by a byte capacity with least-recently-used eviction of whole tracks.
 *
 * <p>Every chunk is checked against its track's manifest when it is stored, and a chunk found on
 * disk when the store was opened is checked again when it is read (once: after that this process
 * trusts it, as it trusts the chunks it stored itself); a stored chunk that no longer verifies is
 * deleted and reported as absent. Storage errors
 * (a full disk, a RocksDB failure) never reach the caller: the store stops caching (writes return
 * {@code false}), keeps serving what it can, and tells its {@link ChunkStoreListener}.
 *
 * <p>Implementations are thread-safe.
 */
public interface ChunkStore extends AutoCloseable {

  /**
   * Stores a manifest (a no-op if the track's manifest is already stored) and marks the track as
   * most recently used. Returns {@code false} if the store is not caching, or if the whole track
   * would not fit beside the track being played ({@link TrackCachePolicy#fits}): such a track is
   * played without being cached.
   */
  boolean putManifest(TrackManifest manifest);

  /** The stored manifest of a track. */
  Optional<TrackManifest> manifest(TrackId trackId);

  /**
   * Verifies {@code data} as chunk {@code index} of the track's stored manifest and stores it.
   * Returns {@code true} if the chunk is now held, {@code false} if the store is not caching.
   *
   * @throws NoManifestException if the track's manifest is not stored
   * @throws ManifestException if the chunk does not verify (wrong index, length or hash)
   */
  boolean putChunk(TrackId trackId, int index, byte[] data)
      throws NoManifestException, ManifestException;

  /**
   * {@link #putChunk(TrackId, int, byte[])} of the remaining bytes of {@code data}; leaves the
   * buffer's position unchanged.
   */
  default boolean putChunk(TrackId trackId, int index, ByteBuffer data)
      throws NoManifestException, ManifestException {
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    return putChunk(trackId, index, bytes);
  }

  /**
   * The chunk, verified against the manifest (or trusted, see above); empty if absent or found
   * corrupt (then deleted).
   */
  Optional<byte[]> chunk(TrackId trackId, int index);

  /** Whether the chunk is held (without reading or verifying it). */
  boolean has(TrackId trackId, int index);

  /** A copy of the set of held chunk indexes of a track; empty if the track is unknown. */
  BitSet holding(TrackId trackId);

  /** Whether every chunk of the track is held. */
  boolean isComplete(TrackId trackId);

  /** The tracks with a stored manifest, least recently used first. */
  List<TrackId> tracks();

  /** Marks a track as most recently used (on play); unknown tracks are ignored. */
  void touch(TrackId trackId);

  /** Deletes a track's manifest and chunks; {@code false} if it was not stored. */
  boolean removeTrack(TrackId trackId);

  /**
   * Names the track the player is reading (null: none), which eviction spares, as it spares the
   * track being written (see {@link TrackCachePolicy}).
   */
  void playing(TrackId trackId);

  /** Bytes held: stored manifests plus stored chunks. */
  long usedBytes();

  /** The configured capacity in bytes. */
  long capacityBytes();

  /** {@code false} once a storage error has turned caching off. */
  boolean isCaching();

  /** Releases the store; later calls fail with {@link IllegalStateException}. */
  @Override
  void close();
}
