package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the node's runtime needs of the tracker: the narrow side of {@link TrackerClient}, so that
 * the runtime can be tested against a scripted fake.
 */
public interface TrackerConnection {
  /** Announces that the node now holds these. */
  void announce(Collection<Holding> holdings);

  /** Announces that the node no longer holds these tracks. */
  void withdraw(Collection<TrackId> tracks);

  /** Who holds {@code track}; see {@link TrackerClient#lookup(TrackId, BitSet, int)}. */
  CompletableFuture<List<TrackerPeerInfo>> lookup(TrackId track, BitSet wanted, int maxPeers);

  /**
   * Asks the tracker to have {@code holder} connect to this node (connection reversal). Nothing
   * answers success: the holder's connection is the answer. {@code refused} is called (on a
   * network thread) if the tracker refuses or cannot be asked.
   */
  default void requestReversal(NodeId holder, Consumer<TrackerException> refused) {
    refused.accept(new TrackerException(TrackerException.Reason.NOT_CONNECTED, ErrorCode.NONE,
        "this tracker connection relays no reversals"));
  }

  /**
   * Asks the tracker to have {@code holder} and this node dial each other (hole punching). The
   * tracker's {@code PunchWith} goes to both sides (this node's reaches the punch handler); nothing
   * else answers success. {@code refused} is called (on a network thread) if the tracker refuses
   * or cannot be asked.
   */
  default void requestPunch(NodeId holder, Consumer<TrackerException> refused) {
    refused.accept(new TrackerException(TrackerException.Reason.NOT_CONNECTED, ErrorCode.NONE,
        "this tracker connection coordinates no punches"));
  }
}
