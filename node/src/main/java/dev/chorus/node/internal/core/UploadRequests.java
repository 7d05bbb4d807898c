package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;

/**
 * Peers' requests to this node: turns them into slots ({@link UploadSlots} decides who is served)
 * and the slot outcomes into commands (serve, refuse, stop serving). Uploading counts towards a
 * neighbour's usefulness at half the weight of downloading from it, so that a node keeps the
 * neighbours it gets data from.
 */
final class UploadRequests {
  private final SwarmConfig config;
  private final CommandGuard actions;
  private final SwarmListener listener;
  private final UploadSlots slots;
  private final Neighbourhood neighbours;

  UploadRequests(SwarmConfig config, CommandGuard actions, SwarmListener listener, UploadSlots slots,
      Neighbourhood neighbours) {
    this.config = config;
    this.actions = actions;
    this.listener = listener;
    this.slots = slots;
    this.neighbours = neighbours;
  }

  /** A peer asks for chunks [first, first + count): serve it now, queue it, or refuse it. */
  void received(NodeId peer, long requestId, TrackId trackId, int first, int count, Priority priority) {
    UploadSlots.Outcome out = slots.offer(peer, requestId, trackId, first, count, rank(priority));
    for (UploadSlots.Upload u : out.refuse()) {
      listener.uploadRefused(u.peer());
      actions.refuseRequest(u.peer(), u.requestId(), u.first(), u.count(), ErrorCode.UPLOAD_SLOTS_FULL);
    }
    start(out);
  }

  /** A peer withdrew a request. */
  void cancelled(NodeId peer, long requestId) {
    UploadSlots.Outcome out = slots.cancel(peer, requestId);
    if (out.cancelledWasServing()) {
      actions.stopServing(peer, requestId);
    }
    start(out);
  }

  /** Serving a request ended ({@code bytesSent} of chunk data went out). */
  void done(NodeId peer, long requestId, long bytesSent, long nowNanos) {
    Neighbour n = neighbours.get(peer);
    if (n != null) {
      n.credit(bytesSent / 2.0, nowNanos, config.usefulnessHalfLifeNanos());
    }
    start(slots.done(peer, requestId));
  }

  /** The peer is gone: its slot goes to the next waiter. */
  void peerGone(NodeId peer) {
    start(slots.removePeer(peer));
  }

  int activePeers() {
    return slots.activePeers();
  }

  private void start(UploadSlots.Outcome out) {
    for (UploadSlots.Upload u : out.serve()) {
      actions.serveChunks(u.peer(), u.requestId(), u.trackId(), u.first(), u.count());
    }
  }

  private static int rank(Priority p) {
    return switch (p) {
      case PLAYBACK -> 3;
      case PREFETCH -> 2;
      default -> 1;
    };
  }
}
