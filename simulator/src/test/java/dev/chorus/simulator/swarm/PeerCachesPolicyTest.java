package dev.chorus.simulator.swarm;

import dev.chorus.node.internal.store.TrackCachePolicy;
import dev.chorus.node.internal.store.TrackCachePolicyContract;
import dev.chorus.protocol.manifest.TrackId;
import java.util.function.ToLongFunction;

/** The simulator's compact peer caches follow the node's cache rule: the same contract suite. */
class PeerCachesPolicyTest extends TrackCachePolicyContract {
  @Override
  protected TrackCachePolicy newPolicy(ToLongFunction<TrackId> sizes) {
    PeerCaches caches = new PeerCaches(new long[] {0, 1_000_000}, t -> sizes.applyAsLong(track(t)));
    return caches.policyOf(1, t -> t.bytes()[0] & 0xff, TrackCachePolicyContract::track);
  }
}
