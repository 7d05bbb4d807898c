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

  /**
   * The gateway mapped the peer port ({@link NodeConfig#portMapping}): peers reach this node at
   * {@code externalAddress:externalPort}, which is what the tracker is told. Also called when a
   * renewal changed the address or port.
   *
   * @param protocol "pcp", "nat-pmp" or "upnp-igd"
   */
  default void portMapped(String protocol, String externalAddress, int externalPort) {}

  /**
   * The node has no port mapping: no gateway protocol gave one (tried again later), or the mapping
   * held was lost or removed on close. The node keeps running with its unmapped port.
   */
  default void portMappingLost(String reason) {}

  /**
   * The tracker did not index part of what the node announced ({@code LIMIT_EXCEEDED}): it is at
   * one of its limits (holdings per node or per network, its memory budget). {@code detail} is the
   * tracker's explanation, for logs. The node goes on serving and downloading, and offers the rest
   * again with its next regular full announce (node/README.md, "Tracker client").
   */
  default void trackerLimitReached(String detail) {}
}
