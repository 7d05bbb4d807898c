package dev.chorus.node;

import dev.chorus.node.internal.core.Source;
import dev.chorus.node.internal.peer.PeerLink;
import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.node.internal.store.NoManifestException;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.ManifestException;
import dev.chorus.protocol.manifest.ManifestVerifier;
import dev.chorus.protocol.manifest.PublisherKey;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.wire.ChunkData;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chunks and manifests coming in, and the readers waiting for them. A chunk from a peer is hashed
 * and stored off the Netty thread, on one of a few single-threaded verifiers chosen by the peer
 * (so one peer's chunks stay in order, as the core expects of a run); a chunk that fails
 * verification condemns its peer, whose further data is ignored until the core's ban lands. When
 * the store cannot take a verified chunk (no manifest stored, caching off) it is kept in memory for
 * the last few tracks, so playback goes on. Arrivals wake the readers blocked in {@link
 * #awaitArrival} (a verifier's run of peer chunks once, see {@link Verifier}).
 */
final class ReceivedChunks {
  private static final Logger log = LoggerFactory.getLogger(ReceivedChunks.class);
  private static final int BUFFERED_TRACKS = 4;
  /**
   * Bytes of the latest verified arrivals kept in memory, so that a player reading right behind
   * the download gets them without a store read (4 MiB: 256 chunks of 16 KiB, a quarter of a
   * second at 1 GB/s). A player further behind reads from the store.
   */
  static final long RECENT_BYTES = 4L << 20;

  private final ChunkStore store;
  private final CoreLoop loop;
  private final PlayedBytesLedger ledger;
  private final ChunkSources sources;
  private final PeerTraffic traffic;
  private final List<PublisherKey> trustedPublishers;
  private final ThreadLocal<ManifestVerifier> verifiers;
  private final Verifier[] verifyThreads;

  /** Manifests of tracks being played or fetched (the store may not be caching). */
  private final Map<TrackId, TrackManifest> manifests = new ConcurrentHashMap<>();
  /** Why a track's manifest could not be had (an origin error, or an untrusted publisher). */
  private final Map<TrackId, Exception> manifestFailures = new ConcurrentHashMap<>();
  /** Verified chunks kept in memory when the store could not take them. */
  private final Map<TrackId, Map<Integer, byte[]>> buffered = new LinkedHashMap<>();
  /** The latest verified arrivals, oldest first, at most {@link #RECENT_BYTES}; guarded by itself. */
  private final LinkedHashMap<ChunkKey, byte[]> recent = new LinkedHashMap<>();
  private long recentBytes;
  /** Our outstanding peer requests, by request id. */
  private final Map<Long, Expected> outgoing = new ConcurrentHashMap<>();

  /** A request we sent: to whom, for which track. Only that peer's data answers it. */
  private record Expected(NodeId peer, TrackId track) {}

  private record ChunkKey(TrackId track, int index) {}
  /**
   * Peers caught sending bad data: their further data, including chunks already queued for
   * verification, is ignored. A peer stays condemned when it disconnects (verification of what it
   * sent may still be under way) and is pardoned when it connects again, which the network allows
   * only once its ban has ended.
   */
  private final Set<NodeId> condemned = ConcurrentHashMap.newKeySet();
  private final Object arrivals = new Object();
  /** Incremented (under {@code arrivals}) whenever a chunk or manifest arrives or fails. */
  private volatile long generation;
  private volatile boolean closed;

  ReceivedChunks(ChunkStore store, CoreLoop loop, NodeStatsRecorder stats,
      List<PublisherKey> trustedPublishers, String name) {
    this.store = store;
    this.loop = loop;
    this.ledger = stats.ledger();
    this.sources = stats.chunkSources();
    this.traffic = stats.peerTraffic();
    this.trustedPublishers = List.copyOf(trustedPublishers);
    this.verifiers = ThreadLocal.withInitial(() -> ManifestVerifier.builder()
        .trustedPublishers(this.trustedPublishers).build());
    this.verifyThreads = new Verifier[2];
    for (int i = 0; i < verifyThreads.length; i++) {
      verifyThreads[i] = new Verifier("chorus-verify-" + name + "-" + i);
    }
  }

  /** A peer's chunk verified and kept, for the core. */
  private record Arrival(NodeId peer, long requestId, TrackId track, int index) {}

  /**
   * One verifier thread and the arrivals it has not told yet. Arrivals are told (one core event
   * for all of them, one wake-up of the readers) when nothing more is queued or {@link
   * #ARRIVALS_PER_EVENT} have gathered, not one by one: waking the core and the reader for every
   * 16 KiB chunk, and their going back to sleep, were about 5% of a transfer's CPU (perf,
   * bench/README.md). A chunk is told at the latest once the next {@link #ARRIVALS_PER_EVENT} - 1
   * queued behind it are verified; a reader reading from memory sees it as soon as it is kept.
   */
  private final class Verifier {
    private static final int ARRIVALS_PER_EVENT = 8;
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final ThreadPoolExecutor thread;
    /** Touched on the verifier's thread only. */
    private final List<Arrival> untold = new ArrayList<>();

    Verifier(String name) {
      thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, queue, new DefaultThreadFactory(name, true));
    }

    /** Runs {@code task} on the verifier's thread, then tells the arrivals if nothing more is queued. */
    void execute(Runnable task) {
      thread.execute(() -> {
        try {
          task.run();
        } finally {
          if (queue.isEmpty() || untold.size() >= ARRIVALS_PER_EVENT) {
            tell();
          }
        }
      });
    }

    /** On the verifier's thread. */
    void arrived(Arrival a) {
      untold.add(a);
    }

    /** On the verifier's thread: the core and the readers hear of the arrivals so far. */
    void tell() {
      if (untold.isEmpty()) {
        return;
      }
      List<Arrival> told = List.copyOf(untold);
      untold.clear();
      loop.post(core -> {
        for (Arrival a : told) {
          core.chunkArrived(a.peer(), a.requestId(), a.track(), a.index(), loop.now());
        }
      });
      signal();
    }

    void shutdownNow() {
      thread.shutdownNow();
    }
  }

  // ---- manifests -----------------------------------------------------------------------------

  TrackManifest manifest(TrackId id) {
    return manifests.get(id);
  }

  /** A manifest known from the store or just fetched: readers may go on. */
  void manifestKnown(TrackManifest m) {
    manifests.put(m.trackId(), m);
    signal();
  }

  /** Whether a fetched manifest's publisher is one this node plays (any, if none is configured). */
  boolean trusts(TrackManifest m) {
    return trustedPublishers.isEmpty() || trustedPublishers.contains(m.publisher());
  }

  void manifestFailed(TrackId id, Exception cause) {
    manifestFailures.put(id, cause);
    signal();
  }

  /** Forgets an earlier failure, before trying the track again. */
  void retry(TrackId id) {
    manifestFailures.remove(id);
  }

  /** Blocks until the track's manifest is known; fails with the reason it could not be had. */
  TrackManifest awaitManifest(TrackId id, long timeoutNanos, String where) throws IOException {
    long deadline = loop.now() + timeoutNanos;
    while (true) {
      long seen = generation;
      TrackManifest m = manifests.get(id);
      if (m != null) {
        return m;
      }
      Exception failure = manifestFailures.get(id);
      if (failure != null) {
        throw new IOException("cannot play track " + id.toHex() + ": " + failure.getMessage(), failure);
      }
      long left = deadline - loop.now();
      if (left <= 0) {
        throw new IOException("no manifest for track " + id.toHex() + " within "
            + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s: is the origin " + where + " reachable?");
      }
      awaitArrival(seen, left);
    }
  }

  // ---- chunks --------------------------------------------------------------------------------

  /** Notes a request we sent to {@code peer}, so that its data is taken. */
  void expect(long requestId, NodeId peer, TrackId id) {
    outgoing.put(requestId, new Expected(peer, id));
  }

  /** Forgets a request (cancelled, failed): data still arriving for it is dropped. */
  void forget(long requestId) {
    outgoing.remove(requestId);
  }

  /**
   * The peer left: what we asked of it will not come (data still arriving is dropped). If it is
   * condemned it stays so: chunks of it still queued for verification are dropped, not stored.
   */
  void peerGone(NodeId peer) {
    outgoing.values().removeIf(e -> e.peer().equals(peer));
  }

  /** A peer connected: if it was condemned, its ban has ended (the network refuses it until then). */
  void peerConnected(NodeId peer) {
    condemned.remove(peer);
  }

  /** Whether the peer's data is being ignored after a chunk of it failed verification. */
  boolean isCondemned(NodeId peer) {
    return condemned.contains(peer);
  }

  /** A chunk from a peer (Netty thread): verified and kept off the event loop, then told to the core. */
  void chunkData(PeerLink link, ChunkData msg) {
    long requestId = msg.getRequestId();
    Expected expected = outgoing.get(requestId);
    NodeId peer = link.nodeId();
    if (expected == null || !expected.peer().equals(peer) || condemned.contains(peer)) {
      return; // a request we gave up on or never sent this peer, or more from a peer being banned
    }
    TrackId id = expected.track();
    int index = msg.getIndex();
    byte[] data = PeerWire.chunkBytes(msg.getData());
    Verifier verifier = verifyThreads[Math.floorMod(peer.hashCode(), verifyThreads.length)];
    verifier.execute(() -> {
      if (closed || condemned.contains(peer)) {
        return;
      }
      if (keep(id, index, data, Source.PEER, peer)) {
        verifier.arrived(new Arrival(peer, requestId, id, index));
      } else if (manifests.containsKey(id) && condemned.add(peer)) {
        log.warn("peer {} at {} sent a chunk that fails verification (track {}, chunk {}): banning it",
            peer, link.remoteAddress(), id, index);
        verifier.tell(); // what arrived before it, first
        loop.post(core -> core.badChunk(peer, requestId, index, loop.now()));
      }
    });
  }

  /**
   * Verifies and keeps a chunk that arrived from {@code source}; false if it does not verify or
   * the track is unknown. Any thread. The ledger hears of it before a reader can see it, and
   * takes it back if it is bad.
   */
  boolean accept(TrackId id, int index, byte[] data, Source source) {
    return accept(id, index, data, source, null);
  }

  /** {@link #accept(TrackId, int, byte[], Source)}, naming the peer a {@link Source#PEER} chunk came from. */
  boolean accept(TrackId id, int index, byte[] data, Source source, NodeId peer) {
    boolean kept = keep(id, index, data, source, peer);
    if (kept) {
      signal();
    }
    return kept;
  }

  /** {@link #accept(TrackId, int, byte[], Source, NodeId)} without waking the readers. */
  private boolean keep(TrackId id, int index, byte[] data, Source source, NodeId peer) {
    TrackManifest m = manifests.get(id);
    if (m == null) {
      return false;
    }
    boolean fresh = !holds(id, index);
    boolean counted = fresh && ledger.fetched(id, index, data.length, source);
    boolean stored;
    try {
      stored = store.putChunk(id, index, data);
    } catch (ManifestException e) {
      return rejected(counted, id, index, data.length, source);
    } catch (NoManifestException e) {
      try {
        verifiers.get().verifyChunk(m, index, data);
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
    }
    remember(id, index, data);
    if (fresh) {
      sources.fetched(id, index, source, peer);
      if (peer != null) {
        traffic.received(peer, data.length);
      }
    }
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

  private void remember(TrackId id, int index, byte[] data) {
    synchronized (recent) {
      if (recent.put(new ChunkKey(id, index), data) == null) {
        recentBytes += data.length;
      }
      Iterator<byte[]> oldest = recent.values().iterator();
      while (recentBytes > RECENT_BYTES && oldest.hasNext()) {
        recentBytes -= oldest.next().length;
        oldest.remove();
      }
    }
  }

  /** A verified chunk from memory or the store, or null. */
  byte[] read(TrackId id, int index) {
    synchronized (recent) {
      byte[] data = recent.get(new ChunkKey(id, index));
      if (data != null) {
        return data;
      }
    }
    Optional<byte[]> stored = store.chunk(id, index);
    if (stored.isPresent()) {
      return stored.get();
    }
    synchronized (buffered) {
      Map<Integer, byte[]> chunks = buffered.get(id);
      return chunks == null ? null : chunks.get(index);
    }
  }

  /** What the core may count as held: the cache plus chunks kept in memory. */
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

  // ---- waiting -------------------------------------------------------------------------------

  /** A counter that moves whenever something arrives; read it before checking, then wait on it. */
  long generation() {
    return generation;
  }

  /**
   * Waits up to {@code nanos} unless something arrived since {@code seen} was read. Reads happen
   * outside the monitor (RocksDB, SHA-256), so that arrivals are never held up by a reader; the
   * generation makes sure no arrival between the read and the wait is missed.
   */
  void awaitArrival(long seen, long nanos) throws IOException {
    if (closed) {
      throw new IOException("the node is shut down");
    }
    synchronized (arrivals) {
      if (generation != seen) {
        return;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(arrivals, Math.max(1, nanos));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for data");
      }
    }
  }

  /** Waits until every chunk handed to the verifiers so far has been dealt with. */
  void quiesce() throws InterruptedException {
    for (Verifier v : verifyThreads) {
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
      v.execute(() -> {
        v.tell();
        done.countDown();
      });
      done.await();
    }
  }

  void close() {
    closed = true;
    for (Verifier v : verifyThreads) {
      v.shutdownNow();
    }
    signal();
  }

  private void signal() {
    synchronized (arrivals) {
      generation++;
      arrivals.notifyAll();
    }
  }
}
