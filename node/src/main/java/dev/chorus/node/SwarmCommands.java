package dev.chorus.node;

import dev.chorus.node.internal.originclient.ChunkOrigin;
import dev.chorus.node.internal.core.PeerContact;
import dev.chorus.node.internal.core.PeerHolding;
import dev.chorus.node.internal.core.Source;
import dev.chorus.node.internal.core.SwarmActions;
import dev.chorus.node.internal.core.TrackLayout;
import dev.chorus.node.internal.peer.PeerConnections;
import dev.chorus.node.internal.peer.PeerLink;
import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.node.internal.trackerclient.TrackerConnection;
import dev.chorus.node.internal.trackerclient.TrackerPeerInfo;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.Priority;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the core's commands with the peer network, the tracker and the origin, and reports
 * every outcome back to the core as a later event through the {@link CoreLoop} — never from inside
 * the call. Called on the core's thread; nothing here blocks it: network sends are queued, origin
 * and tracker calls are asynchronous, and serving a peer runs on the {@code io} executor, which
 * may block on RocksDB and on a slow peer's socket.
 */
final class SwarmCommands implements SwarmActions {
  private static final Logger log = LoggerFactory.getLogger(SwarmCommands.class);
  /** Chunks handed to the event loop at once when serving a run. */
  private static final int SERVE_BATCH = 8;

  /** How long a reversed connection may take to arrive: the tracker's relay, then the holder's dial and handshake. */
  static final java.time.Duration REVERSAL_TIMEOUT = java.time.Duration.ofSeconds(10);
  /**
   * How long each side of a punch keeps dialling after the agreed start: a SYN the other router
   * dropped is retransmitted after 1 s, then 3 s, so this covers the first retransmissions.
   */
  static final java.time.Duration PUNCH_WINDOW = java.time.Duration.ofSeconds(5);
  /** How long a punched connection may take: the tracker's relay, the start delay, the window and a handshake. */
  static final java.time.Duration PUNCH_TIMEOUT = java.time.Duration.ofSeconds(20);

  private final CoreLoop loop;
  private final PeerConnections peers;
  private final TrackerConnection tracker;
  private final ChunkOrigin origin;
  private final ChunkStore store;
  private final ReceivedChunks received;
  private final ExecutorService io;
  private final NodeStatsRecorder stats;
  private final NodeListener listener;
  private final NodeId selfId;
  private final byte[] selfKey;
  private final Supplier<dev.chorus.protocol.VivaldiCoordinate> coordinate;
  private final Map<Long, CompletableFuture<?>> cdnReads = new ConcurrentHashMap<>();
  private final Map<String, Future<?>> serving = new ConcurrentHashMap<>();
  private final Writability writability;
  private final StoreHoldings holdings;
  private volatile boolean closed;

  /**
   * @param tracker null for a node without a tracker (lookups then go unanswered; the core's
   *     discovery works with the overlay alone)
   */
  SwarmCommands(CoreLoop loop, PeerConnections peers, TrackerConnection tracker, ChunkOrigin origin,
      ChunkStore store, ReceivedChunks received, ExecutorService io, NodeStatsRecorder stats,
      NodeListener listener, byte[] selfKey, Writability writability) {
    this.loop = loop;
    this.peers = peers;
    this.tracker = tracker;
    this.origin = origin;
    this.store = store;
    this.received = received;
    this.io = io;
    this.stats = stats;
    this.listener = listener;
    this.selfKey = selfKey.clone();
    this.selfId = NodeId.ofStaticKey(this.selfKey);
    this.coordinate = loop::coordinate;
    this.writability = writability;
    this.holdings = new StoreHoldings(store);
  }

  void close() {
    closed = true;
    writability.signal();
  }

  // ---- manifests and discovery ---------------------------------------------------------------

  @Override
  public void fetchManifest(TrackId trackId) {
    TrackManifest known = received.manifest(trackId);
    if (known == null) {
      known = store.manifest(trackId).orElse(null);
    }
    if (known != null) {
      manifestKnown(known);
      return;
    }
    origin.fetchManifest(trackId).whenComplete((m, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        log.warn("manifest of track {}: {}", trackId, cause.getMessage());
        received.manifestFailed(trackId, cause instanceof Exception e ? e : new IOException(String.valueOf(cause), cause));
        return;
      }
      if (!received.trusts(m)) {
        received.manifestFailed(trackId, new IOException("its publisher " + m.publisher() + " is not trusted"));
        return;
      }
      store.putManifest(m);
      manifestKnown(m);
    });
  }

  private void manifestKnown(TrackManifest m) {
    received.manifestKnown(m);
    TrackLayout layout = TrackLayout.of(m);
    loop.post(core -> core.layoutKnown(layout, loop.now()));
  }

  @Override
  public void lookup(TrackId trackId, int maxPeers) {
    if (tracker == null) {
      return;
    }
    tracker.lookup(trackId, null, maxPeers).whenComplete((found, error) -> {
      if (error != null) {
        log.debug("tracker lookup of {} failed: {}", trackId, error.getMessage());
        loop.post(core -> core.lookupFailed(trackId, loop.now()));
        return;
      }
      List<PeerHolding> holders = new ArrayList<>();
      for (TrackerPeerInfo p : found) {
        if (p.nodeId().equals(selfId)) {
          continue;
        }
        PeerContact c = new PeerContact(p.nodeId(), p.staticKey(), p.address().getAddress().getAddress(),
            p.address().getPort(), p.coordinate());
        holders.add(p.isComplete() ? PeerHolding.complete(c) : PeerHolding.partial(c, p.chunks()));
      }
      loop.post(core -> core.peersFound(trackId, holders, loop.now()));
    });
  }

  // ---- connections ---------------------------------------------------------------------------

  @Override
  public void connect(PeerContact contact) {
    if (!Reachability.acceptsIncoming(contact.port())) {
      if (tracker == null) {
        loop.post(core -> core.connectFailed(contact.id(), loop.now())); // only a tracker relays a reversal
      } else {
        reverse(contact);
      }
      return;
    }
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByAddress(contact.ip()), contact.port());
    } catch (UnknownHostException e) {
      loop.post(core -> core.connectFailed(contact.id(), loop.now()));
      return;
    }
    peers.connect(address, contact.staticKey()).whenComplete((link, error) -> {
      if (error != null) {
        log.debug("connecting to {} at {} failed: {}", contact.id(), address, error.getMessage());
        loop.post(core -> core.connectFailed(contact.id(), loop.now()));
      }
    });
  }

  /**
   * The contact accepts no connections (the tracker returned it because this node can reverse,
   * ConnectionPlan.REVERSAL): ask the tracker to have it connect to us, and take its connection,
   * once its handshake proves the contact's key, as the link.
   */
  private void reverse(PeerContact contact) {
    NodeId id = contact.id();
    peers.awaitIncoming(id, REVERSAL_TIMEOUT, refused -> tracker.requestReversal(id, e -> refused.accept(e.getMessage())))
        .whenComplete((link, error) -> {
          if (error != null) {
            log.debug("reversal from {} failed: {}", id, error.getMessage());
            stats.reversal(false);
            loop.post(core -> core.connectFailed(id, loop.now()));
          } else {
            stats.reversal(true);
          }
        });
  }

  /**
   * Neither side accepts connections (ConnectionPlan.PUNCH): ask the tracker to have both dial
   * each other. Our own dials start when the tracker's PunchWith reaches us (ChorusNode's punch
   * handler); the connection that comes of either side's dials, once its handshake proves the
   * contact's key, is the link.
   */
  @Override
  public void punch(PeerContact contact) {
    NodeId id = contact.id();
    if (tracker == null) {
      loop.post(core -> core.connectFailed(id, loop.now()));
      return;
    }
    log.debug("asking the tracker to coordinate a punch with {}", id);
    peers.awaitPunched(id, PUNCH_TIMEOUT, refused -> tracker.requestPunch(id, e -> refused.accept(e.getMessage())))
        .whenComplete((link, error) -> {
          if (error != null) {
            log.info("punch with {} failed: {}; falling back to other holders and the CDN", id, error.getMessage());
            stats.punch(false);
            loop.post(core -> core.connectFailed(id, loop.now()));
          } else {
            log.info("punch with {} connected", id);
            stats.punch(true);
          }
        });
  }

  @Override
  public void disconnect(NodeId peer, ErrorCode reason) {
    String detail = reason == ErrorCode.BANNED ? "banned by this node for a while" : "evicted: neighbour limit";
    peers.link(peer).ifPresent(link -> link.close(reason, detail));
  }

  @Override
  public void ban(NodeId peer, ErrorCode reason) {
    peers.ban(peer, reason, "sent a chunk that failed verification");
    stats.banned();
    listener.peerBanned(peer);
  }

  // ---- our requests --------------------------------------------------------------------------

  @Override
  public void requestChunks(NodeId peer, long requestId, TrackId trackId, int first, int count, Priority priority) {
    received.expect(requestId, peer, trackId);
    Optional<PeerLink> link = peers.link(peer);
    if (link.isEmpty() || !link.get().send(PeerWire.request(requestId, trackId, first, count, priority))) {
      received.forget(requestId);
      loop.post(core -> core.chunkMissing(peer, requestId, first, count, ErrorCode.NONE, loop.now()));
    }
  }

  @Override
  public void cancelRequest(NodeId peer, long requestId) {
    received.forget(requestId);
    peers.link(peer).ifPresent(link -> link.send(PeerWire.cancel(requestId)));
  }

  @Override
  public void fetchFromCdn(long fetchId, TrackId trackId, int first, int count) {
    TrackManifest m = received.manifest(trackId);
    if (m == null) {
      loop.post(core -> core.cdnFetchDone(fetchId, false, loop.now()));
      return;
    }
    CompletableFuture<List<byte[]>> read = origin.fetchChunks(m, first, count);
    cdnReads.put(fetchId, read);
    read.whenComplete((chunks, error) -> {
      if (cdnReads.remove(fetchId) == null) {
        return; // cancelled: the core expects nothing more of it
      }
      if (error != null) {
        log.warn("CDN read of chunks {}..{} of {} failed: {}", first, first + count - 1, trackId,
            error.getMessage());
        loop.post(core -> core.cdnFetchDone(fetchId, false, loop.now()));
        return;
      }
      boolean ok = true;
      for (int i = 0; i < chunks.size(); i++) {
        int index = first + i;
        if (received.accept(trackId, index, chunks.get(i), Source.CDN)) {
          loop.post(core -> core.cdnChunkArrived(fetchId, index, loop.now()));
        } else {
          ok = false;
        }
      }
      boolean done = ok;
      loop.post(core -> core.cdnFetchDone(fetchId, done, loop.now()));
    });
  }

  @Override
  public void cancelCdn(long fetchId) {
    CompletableFuture<?> read = cdnReads.remove(fetchId);
    if (read != null) {
      read.cancel(true);
    }
  }

  // ---- serving peers -------------------------------------------------------------------------

  @Override
  public void serveChunks(NodeId peer, long requestId, TrackId trackId, int first, int count) {
    String key = peer.toHex() + "/" + requestId;
    serving.put(key, io.submit(() -> serve(peer, requestId, trackId, first, count, key)));
  }

  private void serve(NodeId peer, long requestId, TrackId trackId, int first, int count, String key) {
    long sent = 0;
    long counted = 0; // of sent, already in the per-peer traffic (counted batch by batch, live)
    try {
      PeerLink link = peers.link(peer).orElse(null);
      if (link == null) {
        return;
      }
      List<PeerMessage> batch = new ArrayList<>(SERVE_BATCH);
      for (int i = first; i < first + count; i++) {
        if (Thread.currentThread().isInterrupted() || !link.isOpen() || closed) {
          return;
        }
        byte[] data = received.read(trackId, i);
        if (data == null) {
          batch.add(PeerWire.missing(requestId, i, 1, ErrorCode.CHUNK_UNAVAILABLE));
        } else {
          batch.add(PeerWire.data(requestId, i, data));
          sent += data.length;
        }
        if (batch.size() == SERVE_BATCH || i == first + count - 1) {
          // One event-loop task per batch: far fewer wake-ups than a task per chunk.
          link.sendAll(batch);
          stats.peerTraffic().sent(peer, sent - counted);
          counted = sent;
          batch = new ArrayList<>(SERVE_BATCH);
          if (!link.isWritable()) {
            writability.await(link, () -> closed);
          }
        }
      }
    } finally {
      serving.remove(key);
      stats.uploaded(sent);
      long bytes = sent;
      loop.post(core -> core.uploadDone(peer, requestId, bytes, loop.now()));
    }
  }

  @Override
  public void stopServing(NodeId peer, long requestId) {
    Future<?> f = serving.remove(peer.toHex() + "/" + requestId);
    if (f != null) {
      f.cancel(true);
    }
  }

  @Override
  public void refuseRequest(NodeId peer, long requestId, int first, int count, ErrorCode reason) {
    peers.link(peer).ifPresent(link -> link.send(PeerWire.missing(requestId, first, count, reason)));
  }

  // ---- overlay -------------------------------------------------------------------------------

  @Override
  public void sendQuery(NodeId peer, long queryId, TrackId trackId, int hopsLeft) {
    peers.link(peer).ifPresent(link -> link.send(PeerWire.query(queryId, trackId, hopsLeft)));
  }

  @Override
  public void answerQuery(NodeId peer, long queryId, TrackId trackId, boolean includeSelf,
      List<PeerHolding> holders) {
    PeerLink link = peers.link(peer).orElse(null);
    if (link == null) {
      return;
    }
    Holding self = includeSelf ? holdingOf(trackId) : null; // the core keeps the answer within its cap
    link.send(PeerWire.answer(queryId, self, selfId, selfKey, coordinate.get(), holders));
  }

  // ---- holdings: the core decides what and when (HoldingsChanges); the store says what -------

  @Override
  public void announce(List<TrackId> trackIds) {
    if (tracker == null) {
      return;
    }
    List<Holding> held = new ArrayList<>(trackIds.size());
    List<TrackId> gone = new ArrayList<>();
    for (TrackId id : trackIds) {
      Holding h = holdingOf(id);
      if (h != null) {
        held.add(h);
      } else {
        gone.add(id); // kept only in memory, or evicted since: nothing to announce
      }
    }
    if (!held.isEmpty()) {
      tracker.announce(held);
    }
    if (!gone.isEmpty()) {
      tracker.withdraw(gone);
    }
  }

  @Override
  public void withdraw(List<TrackId> trackIds) {
    if (tracker != null) {
      tracker.withdraw(trackIds);
    }
  }

  @Override
  public void sendHave(NodeId peer, TrackId trackId) {
    Holding h = holdingOf(trackId);
    if (h != null) {
      peers.link(peer).ifPresent(link -> link.send(PeerWire.have(h)));
    }
  }

  private Holding holdingOf(TrackId id) {
    return holdings.of(id);
  }
}
