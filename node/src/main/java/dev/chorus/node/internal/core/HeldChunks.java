package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
import java.util.BitSet;

/**
 * The core's read-only view of the local cache: which chunks of a track are held. A node answers
 * from its chunk store's in-memory bitmaps; the simulator from its cache model. Must not block.
 */
@FunctionalInterface
public interface HeldChunks {
  /** The held chunk indexes of a track (a copy the core may keep); empty when none. */
  BitSet held(TrackId trackId);

  /** Whether any chunk of the track is held; override where that is cheaper than a copy. */
  default boolean holdsAny(TrackId trackId) {
    return !held(trackId).isEmpty();
  }
}
