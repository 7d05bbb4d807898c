package dev.chorus.node;

import dev.chorus.node.internal.core.SwarmListener;
import dev.chorus.node.internal.store.ChunkStoreListener;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.node.internal.trackerclient.HoldingsSource;
import dev.chorus.node.internal.trackerclient.TrackerClientListener;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes what the parts around the core report: the core's statistics to the node's counters and
 * logs; the store's evictions and the tracker connection to the core (as events on the {@link
 * CoreLoop}); the store's holdings and the core's coordinate to the tracker client's full
 * announces. Holds no state of its own.
 */
final class NodeEventRouter implements SwarmListener, ChunkStoreListener, TrackerClientListener,
    HoldingsSource {
  private static final Logger log = LoggerFactory.getLogger(NodeEventRouter.class);

  private final CoreLoop loop;
  private final NodeStatsRecorder stats;
  private final NodeListener listener;
  private final StoreHoldings holdings;

  NodeEventRouter(CoreLoop loop, NodeStatsRecorder stats, NodeListener listener, StoreHoldings holdings) {
    this.loop = loop;
    this.stats = stats;
    this.listener = listener;
    this.holdings = holdings;
  }

  // ---- SwarmListener (core thread) -----------------------------------------------------------

  @Override
  public void requestResent(NodeId peer, TrackId trackId, int chunks, boolean toCdn) {
    log.debug("request of {} chunks of {} from {} was too slow: re-sent to {}", chunks, trackId, peer,
        toCdn ? "the CDN" : "other peers");
  }

  @Override
  public void neighbourEvicted(NodeId peer) {
    log.debug("neighbour {} evicted (least useful, over the soft limit)", peer);
  }

  @Override
  public void trackComplete(TrackId trackId) {
    log.debug("track {} complete", trackId);
  }

  // ---- ChunkStoreListener (the store's threads) ----------------------------------------------

  @Override
  public void tracksEvicted(List<TrackId> trackIds) {
    List<TrackId> evicted = List.copyOf(trackIds);
    loop.post(core -> core.tracksDropped(evicted, loop.now()));
  }

  @Override
  public void cachingDisabled(Exception cause) {
    log.error("the chunk cache failed and is off; the node keeps streaming without caching", cause);
    listener.cachingDisabled(cause);
  }

  // ---- TrackerClientListener and HoldingsSource (Netty thread) -------------------------------

  @Override
  public void connected(InetSocketAddress trackerAddress) {
    log.info("connected to the tracker at {}", trackerAddress);
    listener.trackerConnection(true);
    loop.post(core -> core.discoveryAvailable(loop.now()));
  }

  @Override
  public void reachabilityReported(boolean reachable) {
    loop.post(core -> core.reachable(reachable));
  }


  @Override
  public void disconnected(ErrorCode reason, long retryInMillis) {
    if (retryInMillis >= 0) {
      log.info("tracker connection lost ({}); reconnecting in {} ms", reason, retryInMillis);
    }
    listener.trackerConnection(false);
  }

  @Override
  public void requestRefused(ErrorCode code, String detail) {
    if (code == ErrorCode.LIMIT_EXCEEDED) { // the tracker client has logged it, with what to do
      stats.trackerHoldingsRefused();
      listener.trackerLimitReached(detail);
    }
  }

  @Override
  public Collection<Holding> snapshot() {
    return holdings.all();
  }

  @Override
  public VivaldiCoordinate coordinate() {
    return loop.coordinate();
  }
}
