package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;

/**
 * What the core reports for statistics and logs. Every method has a no-op default; {@link #NONE}
 * ignores everything. Called on the core's thread; must not block.
 */
public interface SwarmListener {
  SwarmListener NONE = new SwarmListener() {};

  /** A chunk the playback or a prefetch needed is now held. */
  default void chunkAcquired(TrackId trackId, int index, int bytes, Source source) {}

  /** Every chunk of the track is held. */
  default void trackComplete(TrackId trackId) {}

  /** A peer request was given up and its chunks are fetched elsewhere. */
  default void requestResent(NodeId peer, TrackId trackId, int chunks, boolean toCdn) {}

  /** A peer was banned for sending data that failed verification. */
  default void peerBanned(NodeId peer) {}

  /** A neighbour was evicted to stay under the soft limit. */
  default void neighbourEvicted(NodeId peer) {}

  /** A request from a peer was refused because every upload slot was busy. */
  default void uploadRefused(NodeId peer) {}
}
