package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.TrackId;
import java.util.List;

/**
 * Events of a {@link ChunkStore}. Called on the thread that caused the event, after the store's
 * state has changed; implementations must be quick and must not throw. No-op by default.
 */
public interface ChunkStoreListener {
  /** A listener that ignores everything. */
  ChunkStoreListener NO_OP = new ChunkStoreListener() {};

  /** Whole tracks were evicted to stay under the capacity (announce them as withdrawn). */
  default void tracksEvicted(List<TrackId> trackIds) {}

  /** A stored chunk failed verification on read and was deleted. */
  default void corruptChunkDeleted(TrackId trackId, int index) {}

  /** A storage error turned caching off; the node keeps streaming without caching. */
  default void cachingDisabled(Exception cause) {}
}
