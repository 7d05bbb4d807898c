package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.manifest.TrackId;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
}
