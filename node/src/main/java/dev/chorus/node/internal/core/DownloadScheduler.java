package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Who fetches which chunk of a download: requests to peers, reads from the CDN, and what happens
 * when either delivers, fails, stalls or is too slow.
 *
 * <p>Design. Follows the P2P'10 scheduling described on {@link SwarmCore}. {@link #schedule}
 * looks at one download: the first window from the CDN at start and after a seek (unless a fast
 * peer holds the playhead), then greedy assignment to peers (the most urgent wanted chunk goes to
 * the holder with the smallest expected download time: outstanding bytes divided by the rate seen
 * from it), then CDN reads within a window of the playhead that shrinks to the urgent window while
 * peers hold the track. {@link #resendLagging} gives up requests that stall or will miss their
 * chunk's deadline: urgent chunks go straight to the CDN, the rest back to the pool. A chunk is
 * "wanted" when neither held nor in flight; every request and read marks its chunks in flight and
 * unmarks the ones it did not deliver when it ends. Ids count up from 1 and the maps are the same
 * HashMaps as before the split: the simulator's runs depend on their iteration order and on the
 * order of calls to the random generator (ties between equally good holders).
 */
final class DownloadScheduler {
  private static final long BUSY_BACKOFF_NANOS = 1_000_000_000L;
  private static final long CDN_RETRY_NANOS = 1_000_000_000L;

  private final SwarmConfig config;
  private final CommandGuard actions;
  private final SwarmListener listener;
  private final RandomGenerator random;
  private final Neighbourhood neighbours;
  private final Downloads downloads;
  private final HoldingsChanges holdings;

  private final Map<Long, PeerRequest> requests = new HashMap<>();
  private final Map<Long, CdnFetch> cdnFetches = new HashMap<>();
  /** Scratch for {@link #assignToPeers}, reused: no allocation per event. */
  private final List<Neighbour> available = new ArrayList<>();
  /** Scratch for {@link #resendLagging}, reused likewise. */
  private final List<PeerRequest> lagging = new ArrayList<>();
  private long nextRequestId = 1;
  private long nextFetchId = 1;

  DownloadScheduler(SwarmConfig config, CommandGuard actions, SwarmListener listener,
      RandomGenerator random, Neighbourhood neighbours, Downloads downloads, HoldingsChanges holdings) {
    this.config = config;
    this.actions = actions;
    this.listener = listener;
    this.random = random;
    this.neighbours = neighbours;
    this.downloads = downloads;
    this.holdings = holdings;
  }

  int peerRequestCount() {
    return requests.size();
  }

  int cdnFetchCount() {
    return cdnFetches.size();
  }

  // ---- outcomes ------------------------------------------------------------------------------

  /** A chunk of a peer request arrived and verified (and is now held). */
  void chunkArrived(NodeId peer, long requestId, TrackId trackId, int index, long nowNanos) {
    PeerRequest r = requests.get(requestId);
    Neighbour n = neighbours.get(peer);
    if (r != null && r.peer.equals(peer) && index >= r.next && index < r.end) {
      Download d = r.download;
      int bytes = d.layout.chunkLength(index);
      // Chunks skipped in the run were not sent: they are missing at that peer.
      if (index > r.next) {
        releaseRange(d, r.next, index);
        if (n != null) {
          n.forget(d.trackId, r.next, index - r.next);
        }
      }
      r.next = index + 1;
      r.outstandingBytes -= bytes;
      if (n != null) {
        n.observeArrival(bytes, r.lastProgressNanos, nowNanos);
        n.outstandingBytes = Math.max(0, n.outstandingBytes - bytes);
        n.credit(bytes, nowNanos, config.usefulnessHalfLifeNanos());
      }
      r.lastProgressNanos = nowNanos;
      if (r.next >= r.end) {
        finish(r);
      }
      acquired(d, index, Source.PEER);
    } else {
      // A chunk of a request given up on (cancelled or re-sent) still counts if it is wanted.
      Download d = downloads.find(trackId);
      if (d != null && d.layout != null && index >= 0 && index < d.layout.chunkCount()) {
        acquired(d, index, Source.PEER);
      }
    }
  }

  /**
   * The peer does not hold (or refuses) chunks [first, first + count) of a request. Returns false
   * if the request is unknown (nothing changed).
   */
  boolean chunkMissing(NodeId peer, long requestId, int first, int count, ErrorCode reason, long nowNanos) {
    PeerRequest r = requests.get(requestId);
    if (r == null || !r.peer.equals(peer)) {
      return false;
    }
    Neighbour n = neighbours.get(peer);
    int from = Math.max(first, r.next);
    int to = Math.min(r.end, first + count);
    if (from < to) {
      releaseRange(r.download, from, to);
      long bytes = r.download.layout.runBytes(from, to - from);
      r.outstandingBytes -= bytes;
      if (n != null) {
        n.outstandingBytes = Math.max(0, n.outstandingBytes - bytes);
        if (reason == ErrorCode.UPLOAD_SLOTS_FULL) {
          n.busyUntilNanos = nowNanos + BUSY_BACKOFF_NANOS;
        } else {
          n.forget(r.download.trackId, from, to - from);
        }
      }
      r.next = to;
    }
    r.lastProgressNanos = nowNanos;
    if (r.next >= r.end) {
      finish(r);
    }
    return true;
  }

  /** A chunk of a CDN read arrived and verified (and is now held). */
  void cdnChunkArrived(long fetchId, int index) {
    CdnFetch f = cdnFetches.get(fetchId);
    if (f != null && index >= f.first && index < f.end) {
      acquired(f.download, index, Source.CDN);
    }
  }

  /**
   * A CDN read ended; chunks it did not deliver are wanted again (after a pause if it failed).
   * Returns false if the read is unknown (nothing changed).
   */
  boolean cdnFetchDone(long fetchId, boolean ok, long nowNanos) {
    CdnFetch f = cdnFetches.remove(fetchId);
    if (f == null) {
      return false;
    }
    f.download.cdnFetches.remove(fetchId);
    releaseRange(f.download, f.first, f.end);
    if (!ok) {
      f.download.cdnRetryAtNanos = nowNanos + CDN_RETRY_NANOS;
    }
    return true;
  }

  /** A neighbour is gone: its requests' undelivered chunks are wanted again. */
  void peerGone(NodeId peer) {
    for (Iterator<PeerRequest> it = requests.values().iterator(); it.hasNext(); ) {
      PeerRequest r = it.next();
      if (r.peer.equals(peer)) {
        it.remove();
        release(r);
      }
    }
  }

  /** Gives up the requests that stalled or will deliver their next chunk after it is due. */
  void resendLagging(long nowNanos) {
    List<PeerRequest> resend = this.lagging;
    resend.clear();
    for (PeerRequest r : requests.values()) {
      if (isStalled(r, nowNanos) || isTooSlow(r, nowNanos)) {
        resend.add(r);
      }
    }
    for (PeerRequest r : resend) {
      resendElsewhere(r, nowNanos);
    }
    resend.clear();
  }

  /** Cancels everything outstanding for a download that is no longer wanted. */
  void abandon(Download d) {
    for (long id : new ArrayList<>(d.peerRequests)) {
      PeerRequest r = requests.remove(id);
      if (r != null) {
        actions.cancelRequest(r.peer, r.id);
        Neighbour n = neighbours.get(r.peer);
        if (n != null) {
          n.outstandingRequests--;
          n.outstandingBytes = Math.max(0, n.outstandingBytes - r.outstandingBytes);
        }
      }
    }
    d.peerRequests.clear();
    for (long id : new ArrayList<>(d.cdnFetches)) {
      if (cdnFetches.remove(id) != null) {
        actions.cancelCdn(id);
      }
    }
    d.cdnFetches.clear();
    d.inFlight.clear();
  }

  private void acquired(Download d, int index, Source source) {
    d.inFlight.clear(index);
    if (d.held.get(index)) {
      return;
    }
    d.held.set(index);
    holdings.grew(d.trackId);
    listener.chunkAcquired(d.trackId, index, d.layout.chunkLength(index), source);
    if (!d.completeReported && d.isComplete()) {
      d.completeReported = true;
      listener.trackComplete(d.trackId);
    }
  }

  private void releaseRange(Download d, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!d.held.get(i)) {
        d.inFlight.clear(i);
      }
    }
  }

  private void release(PeerRequest r) {
    Download d = r.download;
    d.peerRequests.remove(r.id);
    releaseRange(d, r.next, r.end);
  }

  private void finish(PeerRequest r) {
    requests.remove(r.id);
    r.download.peerRequests.remove(r.id);
    Neighbour n = neighbours.get(r.peer);
    if (n != null) {
      n.outstandingRequests--;
      n.outstandingBytes = Math.max(0, n.outstandingBytes - Math.max(0, r.outstandingBytes));
    }
  }

  private boolean isStalled(PeerRequest r, long nowNanos) {
    return nowNanos - r.lastProgressNanos > config.requestStallNanos();
  }

  /** The next chunk of the request will arrive after it is due, and it is nearly due. */
  private boolean isTooSlow(PeerRequest r, long nowNanos) {
    Download d = r.download;
    if (!d.isPlayback() || nowNanos - r.sentAtNanos < config.minRequestAgeNanos()) {
      return false;
    }
    long due = d.dueInNanos(r.next);
    if (due > config.urgentWindowNanos()) {
      return false;
    }
    Neighbour n = neighbours.get(r.peer);
    double rate = n == null ? 1 : n.rate(config.initialPeerBytesPerSecond());
    long expected = r.lastProgressNanos - nowNanos + (long) (d.layout.chunkLength(r.next) * 1e9 / rate);
    return expected > due;
  }

  /** Gives up a request; urgent chunks go straight to the CDN, the rest back to the pool. */
  private void resendElsewhere(PeerRequest r, long nowNanos) {
    requests.remove(r.id);
    Neighbour n = neighbours.get(r.peer);
    if (n != null) {
      n.outstandingRequests--;
      n.outstandingBytes = Math.max(0, n.outstandingBytes - r.outstandingBytes);
      n.penalize();
      // Give the re-sent chunks to someone else: this peer sits out for a stall period.
      n.busyUntilNanos = nowNanos + config.requestStallNanos();
    }
    actions.cancelRequest(r.peer, r.id);
    release(r);
    Download d = r.download;
    boolean toCdn = false;
    if (d.isPlayback()) {
      int from = d.nextWanted(r.next);
      if (from >= 0 && from < r.end && d.dueInNanos(from) <= config.urgentWindowNanos()) {
        int to = from;
        while (to < r.end && d.wanted(to) && d.dueInNanos(to) <= config.urgentWindowNanos()
            && to - from < config.cdnRunChunks()) {
          to++;
        }
        startCdn(d, from, to - from);
        toCdn = true;
      }
    }
    listener.requestResent(r.peer, d.trackId, r.end - r.next, toCdn);
  }

  // ---- the scheduler -------------------------------------------------------------------------

  /** Sends what the download needs now to peers and the CDN. */
  void schedule(Download d, long nowNanos) {
    if (d.layout == null || d.isComplete()) {
      return;
    }
    boolean holderConnected = neighbours.hasConnectedHolder(d);
    boolean discovering = nowNanos < d.discoveryUntilNanos;
    if (d.isPlayback() && d.startFromCdn) {
      d.startFromCdn = false;
      if (!neighbours.hasFastPeer(d)) {
        cdnWindow(d, config.initialCdnWindowNanos(), nowNanos);
      }
    }
    if (holderConnected) {
      assignToPeers(d, nowNanos);
    }
    if (d.isPlayback()) {
      long window = holderConnected || discovering ? config.cdnReadAheadNanos() : Long.MAX_VALUE;
      if (holderConnected) {
        // Peers hold the track: the CDN only covers what is urgent and no peer could take.
        window = Math.min(window, config.urgentWindowNanos());
      }
      cdnWindow(d, window, nowNanos);
    } else if (!holderConnected && !discovering) {
      cdnWindow(d, config.initialCdnWindowNanos(), nowNanos);
    }
  }

  /** Reads missing chunks due within {@code windowNanos} of the playhead from the CDN. */
  private void cdnWindow(Download d, long windowNanos, long nowNanos) {
    if (nowNanos < d.cdnRetryAtNanos) {
      return;
    }
    int start = d.isPlayback() ? d.playheadChunk() : 0;
    long limitBytes = windowNanos == Long.MAX_VALUE ? Long.MAX_VALUE
        : (d.isPlayback() ? d.playheadOffset : 0) + d.layout.bytesOf(windowNanos);
    int from = d.nextWanted(start);
    while (from >= 0 && cdnFetches.size() < config.maxCdnFetches()
        && d.layout.chunkOffset(from) < limitBytes) {
      int to = from;
      while (to < d.layout.chunkCount() && d.wanted(to) && d.layout.chunkOffset(to) < limitBytes
          && to - from < config.cdnRunChunks()) {
        to++;
      }
      startCdn(d, from, to - from);
      from = d.nextWanted(to);
    }
  }

  private void startCdn(Download d, int first, int count) {
    long id = nextFetchId++;
    CdnFetch f = new CdnFetch(id, d, first, count);
    cdnFetches.put(id, f);
    d.cdnFetches.add(id);
    d.inFlight.set(first, first + count);
    actions.fetchFromCdn(id, d.trackId, first, count);
  }

  /**
   * Greedy: the most urgent wanted chunk goes to the holder with the smallest expected download
   * time, as a run of consecutive wanted chunks that holder has.
   */
  private void assignToPeers(Download d, long nowNanos) {
    int n = d.layout.chunkCount();
    int start = d.isPlayback() ? d.playheadChunk() : 0;
    // Holders that can take a request now. Once none can, stop: scanning the remaining chunks would
    // find no taker for any of them, and this runs on every event (every chunk arrival).
    // Only the track's holders can qualify; walked in the neighbours' order, as ties are broken
    // by the random generator in that order.
    List<Neighbour> available = this.available;
    available.clear();
    int firstMissing = d.held.nextClearBit(0);
    for (int h = 0, k = neighbours.holdersInOrder(d.trackId); h < k; h++) {
      Neighbour nb = neighbours.orderedHolder(h);
      if (nb.outstandingRequests < config.maxRequestsPerPeer() && nowNanos >= nb.busyUntilNanos
          && nb.holdsSomeOf(d.trackId, d.held, n, firstMissing)) {
        available.add(nb);
      }
    }
    int scanned = 0;
    int i = d.nextWanted(start);
    boolean wrapped = false;
    while (scanned <= n) {
      if (i < 0) {
        if (wrapped || start == 0) {
          return;
        }
        wrapped = true;
        i = d.nextWanted(0);
        if (i < 0 || i >= start) {
          return;
        }
      }
      if (available.isEmpty() || (wrapped && i >= start)) {
        return;
      }
      Neighbour best = bestHolder(d, i, available);
      if (best == null) {
        i = d.nextWanted(i + 1);
        scanned++;
        continue;
      }
      int to = i;
      while (to < n && d.wanted(to) && best.holds(d.trackId, to) && to - i < config.maxRunChunks()) {
        to++;
      }
      sendRequest(best, d, i, to - i, nowNanos);
      if (best.outstandingRequests >= config.maxRequestsPerPeer()) {
        available.remove(best);
      }
      scanned += to - i;
      i = d.nextWanted(to);
    }
  }

  /** Of the holders that can take a request now, the one expected to deliver chunk {@code index} first. */
  private Neighbour bestHolder(Download d, int index, List<Neighbour> available) {
    Neighbour best = null;
    double bestTime = Double.MAX_VALUE;
    long runBytes = d.layout.chunkLength(index);
    for (Neighbour n : available) {
      if (!n.holds(d.trackId, index)) {
        continue;
      }
      double time = (n.outstandingBytes + runBytes) / n.rate(config.initialPeerBytesPerSecond());
      if (time < bestTime || (time == bestTime && random.nextBoolean())) {
        bestTime = time;
        best = n;
      }
    }
    return best;
  }

  private void sendRequest(Neighbour n, Download d, int first, int count, long nowNanos) {
    long id = nextRequestId++;
    PeerRequest r = new PeerRequest(id, n.id, d, first, count, nowNanos);
    requests.put(id, r);
    d.peerRequests.add(id);
    d.inFlight.set(first, first + count);
    n.outstandingRequests++;
    n.outstandingBytes += r.outstandingBytes;
    actions.requestChunks(n.id, id, d.trackId, first, count, d.priority);
  }

  /** For tests: the outstanding requests as "peer first..end", by request id. */
  Map<Long, String> describeRequests() {
    Map<Long, String> m = new LinkedHashMap<>();
    for (PeerRequest r : requests.values()) {
      m.put(r.id, r.peer + " " + r.first + ".." + r.end);
    }
    return m;
  }
}
