package dev.chorus.node;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;

/**
 * Events of a {@link ChorusNode}, for an application's logs or UI. Every method has a no-op
 * default. Called on the node's internal threads: return quickly and never throw.
 */
public interface NodeListener {
  /** Ignores everything. */
  NodeListener NONE = new NodeListener() {};

  /**
   * An opened track became ready to play ({@link TrackStream#awaitReady}, or the first read);
   * the latency is from {@code open} to that moment.
   */
  default void playbackStarted(TrackId trackId, long startLatencyNanos) {}

  /** Playback caught up with the download and had to wait (a stutter). */
  default void stutter(TrackId trackId, long positionBytes) {}

  /** Every chunk of a track is held. */
  default void trackComplete(TrackId trackId, long fromCache, long fromPeers, long fromCdn) {}

  /** A peer sent data that failed verification and was banned. */
  default void peerBanned(NodeId peer) {}

  /** The tracker connection came up or went down. */
  default void trackerConnection(boolean connected) {}

  /** A storage error turned caching off; the node keeps streaming. */
  default void cachingDisabled(Exception cause) {}
}
