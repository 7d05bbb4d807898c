package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import java.util.List;

/**
 * The commands the {@link SwarmCore} hands out. A node's runtime carries them out with Netty, the
 * tracker client and the CDN client; the simulator with its network model; tests record them.
 * Methods are called on the core's thread and must not block: the runtime only queues the work
 * and reports the outcome back to the core as an event.
 */
public interface SwarmActions {

  /** Get the track's manifest (from the cache or the CDN); answer with {@link SwarmCore#layoutKnown}. */
  void fetchManifest(TrackId trackId);

  /** Ask the tracker who holds the track; answer with {@link SwarmCore#peersFound}. */
  void lookup(TrackId trackId, int maxPeers);

  /** Connect to a peer; answer with {@link SwarmCore#peerConnected} or {@link SwarmCore#connectFailed}. */
  void connect(PeerContact contact);

  /**
   * Connect to a peer that, like this node, accepts no connections, by hole punching through the
   * tracker ({@code ConnectionPlan.PUNCH}); answered as {@link #connect}. A shell that models the
   * connection rule itself (the simulator) may treat it as a connect.
   */
  default void punch(PeerContact contact) {
    connect(contact);
  }

  /** Close the connection to a peer ({@code reason} NONE for an ordinary close). */
  void disconnect(NodeId peer, ErrorCode reason);

  /**
   * The peer sent bad data: disconnect it if it is connected, and refuse it for a while (the core
   * itself remembers the ban for {@link SwarmConfig#banNanos()} and will not dial the peer). Called
   * also for a peer that has already disconnected.
   */
  void ban(NodeId peer, ErrorCode reason);

  /** Send a ChunkRequest for chunks [first, first + count). */
  void requestChunks(NodeId peer, long requestId, TrackId trackId, int first, int count, Priority priority);

  /** Send a Cancel. */
  void cancelRequest(NodeId peer, long requestId);

  /**
   * Read chunks [first, first + count) from the CDN; report every chunk with {@link
   * SwarmCore#cdnChunkArrived} and the end with {@link SwarmCore#cdnFetchDone}.
   */
  void fetchFromCdn(long fetchId, TrackId trackId, int first, int count);

  /** Abandon a CDN read; no further events for it are expected. */
  void cancelCdn(long fetchId);

  /**
   * Serve chunks [first, first + count) of a peer's request (its upload slot is granted): send
   * what the cache holds as ChunkData, the rest as ChunkMissing, then report {@link
   * SwarmCore#uploadDone}.
   */
  void serveChunks(NodeId peer, long requestId, TrackId trackId, int first, int count);

  /** Stop serving a request (cancelled by the peer or the peer left); no uploadDone is expected. */
  void stopServing(NodeId peer, long requestId);

  /** Refuse a peer's request with a ChunkMissing of the whole run and {@code reason}. */
  void refuseRequest(NodeId peer, long requestId, int first, int count, ErrorCode reason);

  /** Send a PeerQuery. */
  void sendQuery(NodeId peer, long queryId, TrackId trackId, int hopsLeft);

  /**
   * Send a PeerQueryAnswer. {@code includeSelf} adds this node itself (it holds the track); the
   * shell describes it with its own key and the address the asker already knows.
   */
  void answerQuery(NodeId peer, long queryId, TrackId trackId, boolean includeSelf, List<PeerHolding> holders);

  /**
   * Tell the tracker what this node now holds of these tracks: the shell sends each one's current
   * holding (complete, or the bitmap of chunks held), and withdraws any it no longer holds part of.
   */
  void announce(List<TrackId> trackIds);

  /** Tell the tracker this node holds nothing of these tracks any more. */
  void withdraw(List<TrackId> trackIds);

  /** Send a neighbour a Have with this node's current holding of the track. */
  void sendHave(NodeId peer, TrackId trackId);
}
