package dev.chorus.node;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.chorus.node.cdn.OriginClient;
import dev.chorus.node.core.PeerContact;
import dev.chorus.node.core.PeerHolding;
import dev.chorus.node.core.Source;
import dev.chorus.node.core.SwarmActions;
import dev.chorus.node.core.SwarmCore;
import dev.chorus.node.core.SwarmListener;
import dev.chorus.node.core.TrackLayout;
import dev.chorus.node.peer.PeerLink;
import dev.chorus.node.peer.PeerNetwork;
import dev.chorus.node.peer.PeerNetworkListener;
import dev.chorus.node.store.ChunkStore;
import dev.chorus.node.store.ChunkStoreListener;
import dev.chorus.node.store.NoManifestException;
import dev.chorus.node.tracker.Holding;
import dev.chorus.node.tracker.HoldingsSource;
import dev.chorus.node.tracker.TrackerClient;
import dev.chorus.node.tracker.TrackerClientListener;
import dev.chorus.node.tracker.TrackerPeerInfo;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.ManifestException;
import dev.chorus.protocol.manifest.ManifestVerifier;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkMissing;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Have;
import dev.chorus.protocol.wire.OverlayPeer;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.PeerQuery;
import dev.chorus.protocol.wire.PeerQueryAnswer;
import dev.chorus.protocol.wire.Priority;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around one {@link SwarmCore}: carries out its commands with the peer network, the
 * tracker client, the origin client and the chunk store, and turns what those report into core
 * events.
 *
 * <p>Threads. The core lives on one thread ({@code coreLoop}); everything else hands it events
 * with {@link #post}. Received chunks are verified and stored on the Netty thread that read them
 * (hashing 16 KiB is cheaper than a thread hop); chunks are served from the cache on the {@code
 * io} executor, which may block on RocksDB and on a slow peer's socket. Readers of {@link
 * TrackStream}s block on {@code arrivals} until the chunk they need is verified.
 */
final class NodeRuntime implements SwarmActions, PeerNetworkListener, SwarmListener, HoldingsSource,
    ChunkStoreListener, TrackerClientListener {
  private static final Logger log = LoggerFactory.getLogger(NodeRuntime.class);
  private static final int BUFFERED_TRACKS = 4;
  /** Chunks handed to the event loop at once when serving a run. */
  private static final int SERVE_BATCH = 8;
  private static final long READ_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long MANIFEST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final NodeConfig config;
  private final ScheduledExecutorService coreLoop;
  private final ExecutorService io;
  private final LongSupplier clock;
  private final ChunkStore store;
  private final OriginClient origin;
  private final NodeStatsRecorder stats;
  private final PlayedBytesLedger ledger;
  private final NodeId selfId;
  private final byte[] selfKey;
  private final ThreadLocal<ManifestVerifier> manifestVerifiers;
  /** Single-threaded executors that verify and store received chunks, one chosen per peer. */
  private final ExecutorService[] verifiers;
  private SwarmCore core;
  private PeerNetwork network;
  private TrackerClient tracker;

  /** Manifests of tracks being played or fetched (the store may not be caching). */
  private final Map<TrackId, TrackManifest> manifests = new ConcurrentHashMap<>();
  /** Why a track's manifest could not be had (an {@code OriginException}, or an untrusted publisher). */
  private final Map<TrackId, Exception> manifestFailures = new ConcurrentHashMap<>();
  /** Verified chunks kept in memory when the store could not take them. */
  private final Map<TrackId, Map<Integer, byte[]>> buffered = new LinkedHashMap<>();
  /** Our outstanding peer requests: request id to track. */
  private final Map<Long, TrackId> outgoing = new ConcurrentHashMap<>();
  private final Map<Long, CompletableFuture<?>> cdnReads = new ConcurrentHashMap<>();
  private final Map<String, Future<?>> serving = new ConcurrentHashMap<>();
  private final Set<TrackId> dirty = ConcurrentHashMap.newKeySet();
  /** Peers caught sending bad data; their further messages are ignored until the ban lands. */
  private final Set<NodeId> condemned = ConcurrentHashMap.newKeySet();
  private final Map<TrackStream, StreamState> streams = new IdentityHashMap<>();
  private final Object arrivals = new Object();
  /** Incremented (under {@code arrivals}) whenever a chunk or manifest arrives. */
  private volatile long arrivalGeneration;
  private final Object writable = new Object();
  private volatile boolean closed;

  /**
   * Per-stream bookkeeping. A player reads ahead of what it plays, so the read position is not
   * the playhead; the playhead is modelled as real-time playback from the first byte (or the last
   * seek), paused while the reader waits for data, and never ahead of what was read. Deadlines
   * and stutters are computed from it.
   */
  private static final class StreamState {
    final TrackStream stream;
    final long openedAtNanos;
    final PlayedBytesLedger.Play play;
    final double bytesPerNano;
    long firstByteAtNanos = -1;
    long originNanos = -1;
    long originOffset;
    long stalledNanos;
    volatile long readPosition;

    StreamState(TrackStream stream, long openedAtNanos, PlayedBytesLedger.Play play) {
      this.stream = stream;
      this.openedAtNanos = openedAtNanos;
      this.play = play;
      TrackManifest m = stream.manifest();
      this.bytesPerNano = (double) m.sizeBytes() / (m.durationMillis() * 1_000_000.0);
    }

    synchronized long playhead(long now) {
      if (originNanos < 0) {
        return originOffset;
      }
      long played = originOffset + (long) ((now - originNanos - stalledNanos) * bytesPerNano);
      return Math.max(originOffset, Math.min(readPosition, played));
    }

    synchronized void restart(long offset, long now) {
      originOffset = offset;
      originNanos = firstByteAtNanos < 0 ? -1 : now;
      stalledNanos = 0;
      readPosition = offset;
    }

    synchronized void stalled(long nanos) {
      stalledNanos += nanos;
    }
  }

  private volatile StreamState current;

  NodeRuntime(NodeConfig config, ScheduledExecutorService coreLoop, ExecutorService io, LongSupplier clock,
      ChunkStore store, OriginClient origin, NodeStatsRecorder stats) {
    this.config = config;
    this.coreLoop = coreLoop;
    this.io = io;
    this.clock = clock;
    this.store = store;
    this.origin = origin;
    this.stats = stats;
    this.ledger = stats.ledger();
    this.selfKey = config.identity().publicKey();
    this.selfId = NodeId.ofStaticKey(selfKey);
    this.manifestVerifiers = ThreadLocal.withInitial(() -> ManifestVerifier.builder()
        .trustedPublishers(config.trustedPublishers()).build());
    String name = selfId.toHex().substring(0, 8);
    this.verifiers = new ExecutorService[2];
    for (int i = 0; i < verifiers.length; i++) {
      verifiers[i] = java.util.concurrent.Executors.newSingleThreadExecutor(
          new io.netty.util.concurrent.DefaultThreadFactory("chorus-verify-" + name + "-" + i, true));
    }
  }

  void attach(SwarmCore core, PeerNetwork network, TrackerClient tracker) {
    this.core = core;
    this.network = network;
    this.tracker = tracker;
  }

  NodeId selfId() {
    return selfId;
  }

  /** Runs an event on the core's thread. */
  void post(Runnable event) {
    if (closed) {
      return;
    }
    try {
      coreLoop.execute(() -> {
        try {
          event.run();
        } catch (RuntimeException e) {
          log.error("swarm core event failed; the node keeps running", e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  long now() {
    return clock.getAsLong();
  }

  void close() {
    closed = true;
    for (ExecutorService e : verifiers) {
      e.shutdownNow();
    }
    synchronized (arrivals) {
      arrivals.notifyAll();
    }
    synchronized (writable) {
      writable.notifyAll();
    }
  }

  // ---- the embedding API ---------------------------------------------------------------------

  TrackStream open(TrackId trackId) throws IOException {
    long opened = now();
    manifestFailures.remove(trackId);
    post(() -> core.play(trackId, now()));
    store.touch(trackId);
    TrackManifest manifest = awaitManifest(trackId);
    TrackStream stream = new TrackStream(trackId, manifest, this);
    StreamState st = new StreamState(stream, opened, ledger.open(trackId));
    synchronized (streams) {
      streams.put(stream, st);
    }
    current = st;
    return stream;
  }

  void prefetch(TrackId trackId) {
    post(() -> core.prefetch(trackId, now()));
  }

  void queueNext(TrackId trackId) {
    post(() -> core.queueNext(trackId, now()));
  }

  private TrackManifest awaitManifest(TrackId trackId) throws IOException {
    long deadline = now() + MANIFEST_TIMEOUT_NANOS;
    synchronized (arrivals) {
      while (true) {
        TrackManifest m = manifests.get(trackId);
        if (m != null) {
          return m;
        }
        Exception failure = manifestFailures.get(trackId);
        if (failure != null) {
          throw new IOException("cannot play track " + trackId.toHex() + ": " + failure.getMessage(), failure);
        }
        checkOpen();
        long left = deadline - now();
        if (left <= 0) {
          throw new IOException("no manifest for track " + trackId.toHex() + " within 30 s: "
              + "is the origin " + config.origins() + " reachable?");
        }
        waitOn(arrivals, left);
      }
    }
  }

  /** Blocks until chunk {@code index} of the stream's track is verified, and returns it. */
  byte[] awaitChunk(TrackStream stream, int index) throws IOException {
    TrackId id = stream.trackId();
    StreamState st = state(stream);
    byte[] data = readChunk(id, index);
    if (data != null) {
      return data;
    }
    long waitStart = now();
    boolean stutter = st != null && st.firstByteAtNanos >= 0 && st.playhead(waitStart) >= stream.position();
    long deadline = waitStart + READ_TIMEOUT_NANOS;
    while (true) {
      // Read (RocksDB, SHA-256) outside the monitor, so that arriving chunks are never held up;
      // the generation counter makes sure no arrival between the read and the wait is missed.
      long seen = arrivalGeneration;
      data = readChunk(id, index);
      if (data != null) {
        break;
      }
      checkOpen();
      long left = deadline - now();
      if (left <= 0) {
        throw new IOException("no data for chunk " + index + " of track " + id.toHex()
            + " within 60 s: no peer delivered it and the origin " + config.origins() + " did not answer");
      }
      synchronized (arrivals) {
        if (arrivalGeneration == seen) {
          waitOn(arrivals, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
      }
    }
    if (st != null && st.firstByteAtNanos >= 0) {
      long waited = now() - waitStart;
      if (stutter) {
        st.stalled(waited);
        stats.stutter();
        config.listener().stutter(id, stream.position());
      }
    }
    return data;
  }

  /** The stream handed bytes {@code [from, to)}, all of chunk {@code index}, to its reader. */
  void played(TrackStream stream, int index, long from, long to) {
    StreamState st = state(stream);
    if (st == null) {
      return;
    }
    st.play.delivered(index, from, to);
    st.readPosition = to;
    if (st.firstByteAtNanos < 0) {
      long now = now();
      synchronized (st) {
        st.firstByteAtNanos = now;
        st.originNanos = now;
      }
      long latency = now - st.openedAtNanos;
      stats.started(latency);
      config.listener().playbackStarted(stream.trackId(), latency);
    }
  }

  void seek(TrackStream stream, long offset) {
    StreamState st = state(stream);
    if (st != null) {
      st.restart(offset, now());
    }
    TrackId id = stream.trackId();
    post(() -> core.seek(id, offset, now()));
  }

  /** Tells the core where the current stream's playhead is. On the core thread. */
  void reportPlayhead() {
    StreamState st = current;
    if (st != null && st.firstByteAtNanos >= 0) {
      long now = now();
      core.seek(st.stream.trackId(), st.playhead(now), now);
    }
  }

  void closed(TrackStream stream) {
    synchronized (streams) {
      streams.remove(stream);
    }
    if (current != null && current.stream == stream) {
      current = null;
    }
  }

  private StreamState state(TrackStream stream) {
    synchronized (streams) {
      return streams.get(stream);
    }
  }

  private byte[] readChunk(TrackId id, int index) {
    Optional<byte[]> stored = store.chunk(id, index);
    if (stored.isPresent()) {
      return stored.get();
    }
    synchronized (buffered) {
      Map<Integer, byte[]> chunks = buffered.get(id);
      return chunks == null ? null : chunks.get(index);
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("the node is shut down");
    }
  }

  private static void waitOn(Object monitor, long nanos) throws IOException {
    try {
      TimeUnit.NANOSECONDS.timedWait(monitor, Math.max(1, nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for data");
    }
  }

  /** What the core may count as held: the cache plus chunks buffered in memory. */
  BitSet held(TrackId id) {
    BitSet b = store.holding(id);
    synchronized (buffered) {
      Map<Integer, byte[]> chunks = buffered.get(id);
      if (chunks != null) {
        chunks.keySet().forEach(b::set);
      }
    }
    return b;
  }

  // ---- chunks coming in ----------------------------------------------------------------------

  /**
   * Verifies and keeps a chunk that arrived from {@code source}; false if it does not verify. Any
   * thread. The ledger hears of it before a reader can see it, and takes it back if it is bad.
   */
  private boolean accept(TrackId id, int index, byte[] data, Source source) {
    TrackManifest m = manifests.get(id);
    if (m == null) {
      return false;
    }
    boolean counted = !holds(id, index) && ledger.fetched(id, index, data.length, source);
    boolean stored;
    try {
      stored = store.putChunk(id, index, data);
    } catch (ManifestException e) {
      return rejected(counted, id, index, data.length, source);
    } catch (NoManifestException e) {
      try {
        manifestVerifiers.get().verifyChunk(m, index, data);
      } catch (ManifestException bad) {
        return rejected(counted, id, index, data.length, source);
      }
      stored = false;
    }
    if (!stored) {
      synchronized (buffered) {
        buffered.computeIfAbsent(id, k -> new ConcurrentHashMap<>()).put(index, data);
        while (buffered.size() > BUFFERED_TRACKS) {
          buffered.remove(buffered.keySet().iterator().next());
        }
      }
    } else {
      dirty.add(id);
    }
    signalArrival();
    return true;
  }

  private boolean rejected(boolean counted, TrackId id, int index, int bytes, Source source) {
    if (counted) {
      ledger.rejected(id, index, bytes, source);
    }
    return false;
  }

  private boolean holds(TrackId id, int index) {
    if (store.has(id, index)) {
      return true;
    }
    synchronized (buffered) {
      Map<Integer, byte[]> chunks = buffered.get(id);
      return chunks != null && chunks.containsKey(index);
    }
  }

  private void signalArrival() {
    synchronized (arrivals) {
      arrivalGeneration++;
      arrivals.notifyAll();
    }
  }

  private void chunkData(PeerLink link, ChunkData msg) {
    long requestId = msg.getRequestId();
    TrackId id = outgoing.get(requestId);
    NodeId peer = link.nodeId();
    if (id == null) {
      return; // an answer to a request we gave up on and forgot: drop it
    }
    int index = msg.getIndex();
    if (condemned.contains(peer)) {
      return; // more data from a peer being banned: ignore it
    }
    byte[] data = msg.getData().toByteArray();
    // Hashing and storing run off the event loop, which goes on decrypting the next frames; one
    // executor per peer keeps that peer's chunks in order (the core expects a run in order).
    verifyExecutor(peer).execute(() -> {
      if (closed || condemned.contains(peer)) {
        return;
      }
      if (accept(id, index, data, Source.PEER)) {
        post(() -> core.chunkArrived(peer, requestId, id, index, now()));
      } else if (manifests.containsKey(id) && condemned.add(peer)) {
        log.warn("peer {} at {} sent a chunk that fails verification (track {}, chunk {}): banning it",
            peer, link.remoteAddress(), id, index);
        post(() -> core.badChunk(peer, requestId, index, now()));
      }
    });
  }

  private ExecutorService verifyExecutor(NodeId peer) {
    return verifiers[Math.floorMod(peer.hashCode(), verifiers.length)];
  }

  // ---- SwarmActions (on the core thread) -----------------------------------------------------

  @Override
  public void fetchManifest(TrackId trackId) {
    TrackManifest known = manifests.get(trackId);
    if (known == null) {
      known = store.manifest(trackId).orElse(null);
    }
    if (known != null) {
      manifestKnown(known);
      return;
    }
    origin.fetchManifest(trackId).whenComplete((m, error) -> {
      if (error != null) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error;
        log.warn("manifest of track {}: {}", trackId, cause.getMessage());
        manifestFailures.put(trackId, cause instanceof Exception e ? e : new IOException(String.valueOf(cause), cause));
        synchronized (arrivals) {
          arrivals.notifyAll();
        }
        return;
      }
      if (!config.trustedPublishers().isEmpty() && !config.trustedPublishers().contains(m.publisher())) {
        manifestFailures.put(trackId, new IOException("its publisher " + m.publisher() + " is not trusted"));
        synchronized (arrivals) {
          arrivals.notifyAll();
        }
        return;
      }
      store.putManifest(m);
      manifestKnown(m);
    });
  }

  private void manifestKnown(TrackManifest m) {
    manifests.put(m.trackId(), m);
    synchronized (arrivals) {
      arrivals.notifyAll();
    }
    TrackLayout layout = TrackLayout.of(m);
    post(() -> core.layoutKnown(layout, now()));
  }

  @Override
  public void lookup(TrackId trackId, int maxPeers) {
    if (tracker == null) {
      return;
    }
    tracker.lookup(trackId, null, maxPeers).whenComplete((peers, error) -> {
      if (error != null) {
        log.debug("tracker lookup of {} failed: {}", trackId, error.getMessage());
        post(() -> core.lookupFailed(trackId, now()));
        return;
      }
      List<PeerHolding> holders = new ArrayList<>();
      for (TrackerPeerInfo p : peers) {
        if (p.nodeId().equals(selfId)) {
          continue;
        }
        PeerContact c = new PeerContact(p.nodeId(), p.staticKey(), p.address().getAddress().getAddress(),
            p.address().getPort(), p.coordinate());
        holders.add(p.isComplete() ? PeerHolding.complete(c) : PeerHolding.partial(c, p.chunks()));
      }
      post(() -> core.peersFound(trackId, holders, now()));
    });
  }

  @Override
  public void connect(PeerContact contact) {
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByAddress(contact.ip()), contact.port());
    } catch (UnknownHostException e) {
      post(() -> core.connectFailed(contact.id(), now()));
      return;
    }
    network.connect(address, contact.staticKey()).whenComplete((link, error) -> {
      if (error != null) {
        log.debug("connecting to {} at {} failed: {}", contact.id(), address, error.getMessage());
        post(() -> core.connectFailed(contact.id(), now()));
      }
    });
  }

  @Override
  public void disconnect(NodeId peer, ErrorCode reason) {
    PeerLink link = network.link(peer).orElse(null);
    if (link != null) {
      link.close(reason, "evicted: neighbour limit");
    }
  }

  @Override
  public void ban(NodeId peer, ErrorCode reason) {
    network.ban(peer, reason, "sent a chunk that failed verification");
    stats.banned();
    config.listener().peerBanned(peer);
  }

  @Override
  public void requestChunks(NodeId peer, long requestId, TrackId trackId, int first, int count, Priority priority) {
    PeerLink link = network.link(peer).orElse(null);
    outgoing.put(requestId, trackId);
    boolean sent = link != null && link.send(PeerMessage.newBuilder().setChunkRequest(ChunkRequest.newBuilder()
        .setRequestId(requestId).setTrackId(ByteString.copyFrom(trackId.bytes())).setFirstIndex(first)
        .setCount(count).setPriority(priority)).build());
    if (!sent) {
      outgoing.remove(requestId);
      core.chunkMissing(peer, requestId, first, count, ErrorCode.NONE, now());
    }
  }

  @Override
  public void cancelRequest(NodeId peer, long requestId) {
    outgoing.remove(requestId);
    PeerLink link = network.link(peer).orElse(null);
    if (link != null) {
      link.send(PeerMessage.newBuilder().setCancel(
          dev.chorus.protocol.wire.Cancel.newBuilder().setRequestId(requestId)).build());
    }
  }

  @Override
  public void fetchFromCdn(long fetchId, TrackId trackId, int first, int count) {
    TrackManifest m = manifests.get(trackId);
    if (m == null) {
      post(() -> core.cdnFetchDone(fetchId, false, now()));
      return;
    }
    CompletableFuture<List<byte[]>> read = origin.fetchChunks(m, first, count);
    cdnReads.put(fetchId, read);
    read.whenComplete((chunks, error) -> {
      cdnReads.remove(fetchId);
      if (error != null) {
        if (!read.isCancelled()) {
          log.warn("CDN read of chunks {}..{} of {} failed: {}", first, first + count - 1, trackId,
              error.getMessage());
        }
        post(() -> core.cdnFetchDone(fetchId, false, now()));
        return;
      }
      boolean ok = true;
      for (int i = 0; i < chunks.size(); i++) {
        int index = first + i;
        if (accept(trackId, index, chunks.get(i), Source.CDN)) {
          post(() -> core.cdnChunkArrived(fetchId, index, now()));
        } else {
          ok = false;
        }
      }
      boolean done = ok;
      post(() -> core.cdnFetchDone(fetchId, done, now()));
    });
  }

  @Override
  public void cancelCdn(long fetchId) {
    CompletableFuture<?> read = cdnReads.remove(fetchId);
    if (read != null) {
      read.cancel(true);
    }
  }

  @Override
  public void serveChunks(NodeId peer, long requestId, TrackId trackId, int first, int count) {
    String key = peer.toHex() + "/" + requestId;
    serving.put(key, io.submit(() -> serve(peer, requestId, trackId, first, count, key)));
  }

  private void serve(NodeId peer, long requestId, TrackId trackId, int first, int count, String key) {
    long sent = 0;
    try {
      PeerLink link = network.link(peer).orElse(null);
      if (link == null) {
        return;
      }
      List<PeerMessage> batch = new ArrayList<>(SERVE_BATCH);
      for (int i = first; i < first + count; i++) {
        if (Thread.currentThread().isInterrupted() || !link.isOpen() || closed) {
          return;
        }
        byte[] data = readChunk(trackId, i);
        if (data == null) {
          batch.add(PeerMessage.newBuilder().setChunkMissing(ChunkMissing.newBuilder().setRequestId(requestId)
              .setFirstIndex(i).setCount(1).setReason(ErrorCode.CHUNK_UNAVAILABLE)).build());
        } else {
          // No copy: chunk arrays are never written after they are read or received.
          batch.add(PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(requestId)
              .setIndex(i).setData(UnsafeByteOperations.unsafeWrap(data))).build());
          sent += data.length;
        }
        if (batch.size() == SERVE_BATCH || i == first + count - 1) {
          // One event-loop task per batch: far fewer wake-ups than a task per chunk.
          link.sendAll(batch);
          batch = new ArrayList<>(SERVE_BATCH);
          if (!link.isWritable()) {
            awaitWritable(link);
          }
        }
      }
    } finally {
      serving.remove(key);
      stats.uploaded(sent);
      long bytes = sent;
      post(() -> core.uploadDone(peer, requestId, bytes, now()));
    }
  }

  private void awaitWritable(PeerLink link) {
    synchronized (writable) {
      while (!link.isWritable() && link.isOpen() && !closed) {
        try {
          writable.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
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
    PeerLink link = network.link(peer).orElse(null);
    if (link != null) {
      link.send(PeerMessage.newBuilder().setChunkMissing(ChunkMissing.newBuilder().setRequestId(requestId)
          .setFirstIndex(first).setCount(count).setReason(reason)).build());
    }
  }

  @Override
  public void sendQuery(NodeId peer, long queryId, TrackId trackId, int hopsLeft) {
    PeerLink link = network.link(peer).orElse(null);
    if (link != null) {
      link.send(PeerMessage.newBuilder().setPeerQuery(PeerQuery.newBuilder().setQueryId(queryId)
          .setTrackId(ByteString.copyFrom(trackId.bytes())).setHopsLeft(hopsLeft)).build());
    }
  }

  @Override
  public void answerQuery(NodeId peer, long queryId, TrackId trackId, boolean includeSelf,
      List<PeerHolding> holders) {
    PeerLink link = network.link(peer).orElse(null);
    if (link == null) {
      return;
    }
    PeerQueryAnswer.Builder answer = PeerQueryAnswer.newBuilder().setQueryId(queryId);
    Holding self = includeSelf && network.listenPort() > 0 ? holdingOf(trackId) : null;
    if (self != null) {
      ChunkSet chunks = self.isComplete() ? ChunkSet.newBuilder().setComplete(true).build()
          : ChunkSet.newBuilder().setBitmap(ByteString.copyFrom(self.chunks().toByteArray())).build();
      answer.addPeers(OverlayPeer.newBuilder().setNodeId(ByteString.copyFrom(selfId.bytes()))
          .setStaticKey(ByteString.copyFrom(selfKey)).setCoordinate(core.coordinate().toWire())
          .setChunks(chunks));
    }
    for (PeerHolding h : holders) {
      if (answer.getPeersCount() >= 10) {
        break;
      }
      PeerContact c = h.contact();
      ChunkSet chunks = h.isComplete() ? ChunkSet.newBuilder().setComplete(true).build()
          : ChunkSet.newBuilder().setBitmap(ByteString.copyFrom(h.chunks().toByteArray())).build();
      answer.addPeers(OverlayPeer.newBuilder().setNodeId(ByteString.copyFrom(c.id().bytes()))
          .setStaticKey(ByteString.copyFrom(c.staticKey()))
          .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(c.ip())).setPort(c.port()))
          .setCoordinate(c.coordinate().toWire()).setChunks(chunks));
    }
    link.send(PeerMessage.newBuilder().setPeerQueryAnswer(answer).build());
  }

  // ---- PeerNetworkListener (on Netty threads) ------------------------------------------------

  @Override
  public void connected(PeerLink link) {
    int port = link.remoteHello().getListenPort();
    PeerContact contact = new PeerContact(link.nodeId(), link.identity().staticKey(),
        link.remoteAddress().getAddress().getAddress(), port,
        VivaldiCoordinate.fromWireOrOrigin(link.remoteHello().getCoordinate()));
    post(() -> {
      if (!core.peerConnected(contact, now())) {
        link.close(ErrorCode.TOO_MANY_CONNECTIONS, "neighbour limit reached");
      }
    });
  }

  @Override
  public void disconnected(PeerLink link, ErrorCode reason) {
    NodeId peer = link.nodeId();
    condemned.remove(peer);
    post(() -> core.peerDisconnected(peer, now()));
  }

  @Override
  public void writabilityChanged(PeerLink link, boolean isWritable) {
    if (isWritable) {
      synchronized (writable) {
        writable.notifyAll();
      }
    }
  }

  @Override
  public void rttMeasured(PeerLink link, long rttNanos, VivaldiCoordinate remote) {
    NodeId peer = link.nodeId();
    post(() -> core.rttMeasured(peer, rttNanos, remote, now()));
  }

  @Override
  public void message(PeerLink link, PeerMessage message) {
    NodeId peer = link.nodeId();
    switch (message.getBodyCase()) {
      case CHUNK_DATA -> chunkData(link, message.getChunkData());
      case CHUNK_REQUEST -> {
        ChunkRequest r = message.getChunkRequest();
        TrackId id = TrackId.fromBytes(r.getTrackId().toByteArray());
        post(() -> core.requestReceived(peer, r.getRequestId(), id, r.getFirstIndex(), r.getCount(),
            r.getPriority(), now()));
      }
      case CANCEL -> {
        long requestId = message.getCancel().getRequestId();
        post(() -> core.cancelReceived(peer, requestId, now()));
      }
      case CHUNK_MISSING -> {
        ChunkMissing m = message.getChunkMissing();
        post(() -> core.chunkMissing(peer, m.getRequestId(), m.getFirstIndex(), m.getCount(), m.getReason(), now()));
      }
      case HAVE -> {
        Have h = message.getHave();
        TrackId id = TrackId.fromBytes(h.getTrackId().toByteArray());
        boolean complete = h.getChunks().getHoldingCase() == ChunkSet.HoldingCase.COMPLETE;
        BitSet bits = BitSet.valueOf(h.getChunks().getBitmap().toByteArray());
        post(() -> core.peerHas(peer, id, complete, bits, now()));
      }
      case PEER_QUERY -> {
        PeerQuery q = message.getPeerQuery();
        TrackId id = TrackId.fromBytes(q.getTrackId().toByteArray());
        post(() -> core.queryReceived(peer, q.getQueryId(), id, q.getHopsLeft(), now()));
      }
      case PEER_QUERY_ANSWER -> {
        PeerQueryAnswer a = message.getPeerQueryAnswer();
        List<PeerHolding> holders = holders(link, a);
        post(() -> core.queryAnswered(peer, a.getQueryId(), holders, now()));
      }
      default -> { }
    }
  }

  /** Overlay answers as contacts; an entry without an address is the sender itself. */
  private List<PeerHolding> holders(PeerLink link, PeerQueryAnswer answer) {
    List<PeerHolding> out = new ArrayList<>();
    for (OverlayPeer p : answer.getPeersList()) {
      byte[] key = p.getStaticKey().toByteArray();
      NodeId id = NodeId.ofStaticKey(key);
      if (!id.equals(NodeId.fromBytes(p.getNodeId().toByteArray())) || id.equals(selfId)) {
        continue; // an id that does not match its key is a lie; ourselves is no use
      }
      byte[] ip;
      int port;
      if (!p.hasAddress()) {
        if (!id.equals(link.nodeId())) {
          continue;
        }
        ip = link.remoteAddress().getAddress().getAddress();
        port = link.remoteHello().getListenPort();
      } else {
        ip = p.getAddress().getIp().toByteArray();
        port = p.getAddress().getPort();
      }
      if (port <= 0) {
        continue;
      }
      PeerContact c = new PeerContact(id, key, ip, port, VivaldiCoordinate.fromWireOrOrigin(p.getCoordinate()));
      boolean complete = p.getChunks().getHoldingCase() == ChunkSet.HoldingCase.COMPLETE;
      out.add(complete ? PeerHolding.complete(c)
          : PeerHolding.partial(c, BitSet.valueOf(p.getChunks().getBitmap().toByteArray())));
    }
    return out;
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
    dirty.add(trackId);
    log.debug("track {} complete", trackId);
  }

  // ---- announcing what we hold ---------------------------------------------------------------

  /** Sends deltas for tracks whose holding changed: to the tracker and as Have to neighbours. */
  void flushHoldings() {
    if (dirty.isEmpty()) {
      return;
    }
    List<Holding> changed = new ArrayList<>();
    for (TrackId id : new ArrayList<>(dirty)) {
      dirty.remove(id);
      Holding h = holdingOf(id);
      if (h != null) {
        changed.add(h);
      }
    }
    if (changed.isEmpty()) {
      return;
    }
    if (tracker != null) {
      tracker.announce(changed);
    }
    for (Holding h : changed) {
      ChunkSet chunks = h.isComplete() ? ChunkSet.newBuilder().setComplete(true).build()
          : ChunkSet.newBuilder().setBitmap(ByteString.copyFrom(h.chunks().toByteArray())).build();
      PeerMessage have = PeerMessage.newBuilder().setHave(Have.newBuilder()
          .setTrackId(ByteString.copyFrom(h.track().bytes())).setChunks(chunks)).build();
      for (PeerLink link : network.links()) {
        link.send(have);
      }
    }
  }

  private Holding holdingOf(TrackId id) {
    Optional<TrackManifest> m = store.manifest(id);
    if (m.isEmpty()) {
      return null;
    }
    int count = m.get().chunkCount();
    if (store.isComplete(id)) {
      return Holding.complete(id, count);
    }
    BitSet held = store.holding(id);
    return held.isEmpty() ? null : Holding.partial(id, count, held);
  }

  @Override
  public Collection<Holding> snapshot() {
    List<Holding> all = new ArrayList<>();
    for (TrackId id : store.tracks()) {
      Holding h = holdingOf(id);
      if (h != null) {
        all.add(h);
      }
    }
    return all;
  }

  @Override
  public VivaldiCoordinate coordinate() {
    SwarmCore c = core;
    return c == null ? VivaldiCoordinate.ORIGIN : c.coordinate();
  }

  // ---- TrackerClientListener (Netty thread) -------------------------------------------------

  @Override
  public void connected(InetSocketAddress trackerAddress) {
    log.info("connected to the tracker at {}", trackerAddress);
    config.listener().trackerConnection(true);
    post(() -> core.discoveryAvailable(now()));
  }

  @Override
  public void disconnected(ErrorCode reason, long retryInMillis) {
    if (retryInMillis >= 0) {
      log.info("tracker connection lost ({}); reconnecting in {} ms", reason, retryInMillis);
    }
    config.listener().trackerConnection(false);
  }

  // ---- ChunkStoreListener --------------------------------------------------------------------

  @Override
  public void tracksEvicted(List<TrackId> trackIds) {
    if (tracker != null) {
      tracker.withdraw(trackIds);
    }
  }

  @Override
  public void cachingDisabled(Exception cause) {
    log.error("the chunk cache failed and is off; the node keeps streaming without caching", cause);
    config.listener().cachingDisabled(cause);
  }
}
