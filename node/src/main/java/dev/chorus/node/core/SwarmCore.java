package dev.chorus.node.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The swarm core of one node: every decision about what to fetch from whom, whom to serve and
 * whom to stay connected to, with no I/O, no threads and no clock.
 *
 * <p>Design. Events come in as method calls carrying {@code nowNanos}; decisions go out as calls
 * on {@link SwarmActions}; outcomes of those actions come back later as further events, never
 * re-entrantly. One thread owns the core (a node's core event loop, or the simulator's engine), so
 * there are no locks. The same class runs in a real node and in the simulator, which is what makes
 * the simulator's figures mean something.
 *
 * <p>Playback scheduling follows Spotify's P2P'10 paper (Kreitz and Niemelä):
 *
 * <ul>
 *   <li>At start and after a seek, about 15 s of audio is read from the CDN in parallel with peer
 *       discovery, unless the chunks are cached or a fast peer (measured rate at least {@link
 *       SwarmConfig#fastPeerBytesPerSecond()}) already holds them.
 *   <li>Peers are sorted by expected download time, outstanding bytes divided by the rate observed
 *       from them, and the most urgent missing chunk goes to the best one, as a run of up to {@link
 *       SwarmConfig#maxRunChunks()} chunks. Peers fetch the whole current track, unthrottled.
 *   <li>CDN reads stay within {@link SwarmConfig#cdnReadAheadNanos()} of the playhead while peers
 *       hold the track; when discovery found nobody, the CDN serves the whole track.
 *   <li>A request that stalls, or that will not deliver a chunk before it is due, is cancelled and
 *       its chunks go to another peer, or to the CDN once they are within {@link
 *       SwarmConfig#urgentWindowNanos()} of being played.
 *   <li>A track change cancels the old track's requests; when 30 s or less of the current track
 *       remain, the next track is fetched at priority PREFETCH.
 * </ul>
 *
 * <p>Neighbours: connected peers, at most the soft limit after eviction of the least useful
 * (bytes exchanged, decayed with a half-life) that has no request outstanding either way; the hard
 * limit refuses newcomers. Uploads: {@link UploadSlots}. Discovery: a tracker lookup and an overlay
 * query (hop limit 2) per download, repeated while no holder is connected. Coordinates: {@link
 * Vivaldi} from measured RTTs.
 */
public final class SwarmCore {
  private static final long BUSY_BACKOFF_NANOS = 1_000_000_000L;
  private static final long CDN_RETRY_NANOS = 1_000_000_000L;
  private static final long CONNECT_RETRY_NANOS = 30_000_000_000L;
  private static final long LOOKUP_FAILED_RETRY_NANOS = 1_000_000_000L;

  private final SwarmConfig config;
  private final CommandGuard actions;
  private final SwarmListener listener;
  private final HeldChunks cache;
  private final RandomGenerator random;
  private final Vivaldi vivaldi;
  private final UploadSlots uploads;
  private final OverlayRouter overlay = new OverlayRouter(4096);
  private final HoldingsChanges holdings = new HoldingsChanges();

  private final Map<NodeId, Neighbour> neighbours = new HashMap<>();
  private final Map<NodeId, Long> connecting = new HashMap<>();
  private final Map<NodeId, Long> connectFailedAt = new HashMap<>();
  /** Peers banned for bad data, and when (nowNanos) their ban ends: never dialled, never neighbours. */
  private final Map<NodeId, Long> bannedUntil = new HashMap<>();
  private final Map<Long, PeerRequest> requests = new HashMap<>();
  private final Map<Long, CdnFetch> cdnFetches = new HashMap<>();
  private Download current;
  private Download prefetch;
  private TrackId next;
  private long nextRequestId = 1;
  private long nextFetchId = 1;
  /** Whether other nodes can dial this one; until the shell says so, assume not. */
  private boolean acceptsIncoming;

  public SwarmCore(SwarmConfig config, SwarmActions actions, SwarmListener listener, HeldChunks cache,
      RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.actions = new CommandGuard(Objects.requireNonNull(actions, "actions"));
    this.listener = Objects.requireNonNull(listener, "listener");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.random = Objects.requireNonNull(random, "random");
    this.vivaldi = new Vivaldi(random);
    this.uploads = new UploadSlots(config.uploadSlots(), config.uploadQueueLimit());
  }

  // ---- playback ------------------------------------------------------------------------------

  /** Starts playing a track from its beginning (a track change cancels the old track's requests). */
  public void play(TrackId trackId, long nowNanos) {
    actions.checkNotInCommand("play");
    if (current != null && current.trackId.equals(trackId)) {
      seek(trackId, 0, nowNanos);
      return;
    }
    if (current != null) {
      abandon(current);
    }
    if (prefetch != null && prefetch.trackId.equals(trackId)) {
      current = prefetch;
      prefetch = null;
      current.priority = Priority.PLAYBACK;
    } else {
      current = begin(trackId, Priority.PLAYBACK, nowNanos);
    }
    current.playheadOffset = 0;
    current.startFromCdn = true;
    if (next != null && next.equals(trackId)) {
      next = null;
    }
    schedule(nowNanos);
  }

  /** Stops playback: the current track's requests are cancelled. */
  public void stop(long nowNanos) {
    actions.checkNotInCommand("stop");
    if (current != null) {
      abandon(current);
      current = null;
    }
    schedule(nowNanos);
  }

  /** The track to prefetch when the current one nears its end. */
  public void queueNext(TrackId trackId, long nowNanos) {
    actions.checkNotInCommand("queueNext");
    next = trackId;
    schedule(nowNanos);
  }

  /** Fetches a track now, at priority PREFETCH (replacing an earlier prefetch). */
  public void prefetch(TrackId trackId, long nowNanos) {
    actions.checkNotInCommand("prefetch");
    if ((current != null && current.trackId.equals(trackId))
        || (prefetch != null && prefetch.trackId.equals(trackId))) {
      return;
    }
    if (prefetch != null) {
      abandon(prefetch);
    }
    prefetch = begin(trackId, Priority.PREFETCH, nowNanos);
    schedule(nowNanos);
  }

  /** The manifest of a track is known (answer to {@link SwarmActions#fetchManifest}). */
  public void layoutKnown(TrackLayout layout, long nowNanos) {
    actions.checkNotInCommand("layoutKnown");
    for (Download d : downloads()) {
      if (d.trackId.equals(layout.trackId()) && d.layout == null) {
        d.layout = layout;
        d.held.clear(layout.chunkCount(), Math.max(layout.chunkCount(), d.held.length()));
        if (d.discoveryDeferred) {
          d.discoveryDeferred = false;
          if (!d.isComplete()) {
            discover(d, nowNanos);
          }
        }
      }
    }
    schedule(nowNanos);
  }

  /** The player's read position moved (normal progress or a seek). */
  public void seek(TrackId trackId, long byteOffset, long nowNanos) {
    actions.checkNotInCommand("seek");
    if (current == null || !current.trackId.equals(trackId)) {
      return;
    }
    long old = current.playheadOffset;
    current.playheadOffset = Math.max(0, byteOffset);
    if (current.layout != null) {
      int chunk = current.playheadChunk();
      boolean jumped = Math.abs(byteOffset - old) > (long) config.maxRunChunks() * current.layout.chunkBytes();
      if (jumped && current.wanted(chunk)) {
        current.startFromCdn = true;
      }
    }
    schedule(nowNanos);
  }

  // ---- discovery and connections -------------------------------------------------------------

  /** Peers that hold a track (tracker lookup answer or an overlay answer to our own query). */
  public void peersFound(TrackId trackId, List<PeerHolding> holders, long nowNanos) {
    actions.checkNotInCommand("peersFound");
    Download d = download(trackId);
    if (d == null) {
      return;
    }
    for (PeerHolding h : holders) {
      NodeId id = h.contact().id();
      if (isBanned(id, nowNanos)) {
        continue;
      }
      d.candidates.put(id, h);
      Neighbour n = neighbours.get(id);
      if (n != null) {
        n.setHolding(trackId, h.isComplete(), h.chunks());
      }
    }
    connectToCandidates(d, nowNanos);
    schedule(nowNanos);
  }

  /** The tracker lookup failed (not connected, refused, timed out): try again in a second. */
  public void lookupFailed(TrackId trackId, long nowNanos) {
    actions.checkNotInCommand("lookupFailed");
    Download d = download(trackId);
    if (d != null) {
      d.lastLookupNanos = nowNanos - config.lookupRetryNanos() + Math.min(LOOKUP_FAILED_RETRY_NANOS,
          config.lookupRetryNanos());
    }
    schedule(nowNanos);
  }

  /**
   * Discovery became possible (the tracker connection came up): downloads that have no holder
   * connected look up again now.
   */
  public void discoveryAvailable(long nowNanos) {
    actions.checkNotInCommand("discoveryAvailable");
    for (Download d : downloads()) {
      if (!d.isComplete() && connectedHolders(d) == 0) {
        discover(d, nowNanos);
      }
    }
    schedule(nowNanos);
  }

  /**
   * A connection to a peer is up (we connected, or it connected to us). Returns false if the hard
   * limit is reached; the caller then closes it with TOO_MANY_CONNECTIONS.
   */
  public boolean peerConnected(PeerContact contact, long nowNanos) {
    actions.checkNotInCommand("peerConnected");
    NodeId id = contact.id();
    connecting.remove(id);
    connectFailedAt.remove(id);
    if (neighbours.containsKey(id)) {
      return true;
    }
    if (isBanned(id, nowNanos)) {
      // The network refuses banned peers; this is the second line (e.g. a ban it has not had yet).
      actions.disconnect(id, ErrorCode.BANNED);
      return true;
    }
    if (neighbours.size() >= config.neighbourHardLimit()) {
      return false;
    }
    Neighbour n = new Neighbour(id, nowNanos);
    n.contact = contact;
    n.coordinate = contact.coordinate();
    for (Download d : downloads()) {
      PeerHolding h = d.candidates.get(id);
      if (h != null) {
        n.setHolding(d.trackId, h.isComplete(), h.chunks());
      }
    }
    neighbours.put(id, n);
    askAboutDownloads(n, nowNanos);
    evictIfOverSoftLimit(id, nowNanos);
    schedule(nowNanos);
    return true;
  }

  /**
   * Asks a new neighbour what it holds of the tracks being fetched (a one-hop overlay query): what
   * the tracker said about it may be stale, e.g. a partial holding that has since completed.
   */
  private void askAboutDownloads(Neighbour n, long nowNanos) {
    if (config.overlayHopLimit() == 0) {
      return;
    }
    for (Download d : downloads()) {
      if (!d.isComplete()) {
        long queryId = random.nextLong();
        overlay.firstSight(queryId, null, d.trackId, nowNanos);
        actions.sendQuery(n.id, queryId, d.trackId, 1);
      }
    }
  }

  /** A connection attempt failed. */
  public void connectFailed(NodeId peer, long nowNanos) {
    actions.checkNotInCommand("connectFailed");
    connecting.remove(peer);
    connectFailedAt.put(peer, nowNanos);
    schedule(nowNanos);
  }

  /** A connection ended; its outstanding requests go elsewhere. */
  public void peerDisconnected(NodeId peer, long nowNanos) {
    actions.checkNotInCommand("peerDisconnected");
    connecting.remove(peer);
    Neighbour n = neighbours.remove(peer);
    if (n == null) {
      return;
    }
    for (Iterator<PeerRequest> it = requests.values().iterator(); it.hasNext(); ) {
      PeerRequest r = it.next();
      if (r.peer.equals(peer)) {
        it.remove();
        release(r);
      }
    }
    startUploads(uploads.removePeer(peer));
    schedule(nowNanos);
  }

  /** A neighbour announced chunks it now holds. */
  public void peerHas(NodeId peer, TrackId trackId, boolean complete, BitSet chunks, long nowNanos) {
    actions.checkNotInCommand("peerHas");
    Neighbour n = neighbours.get(peer);
    if (n == null) {
      return;
    }
    n.setHolding(trackId, complete, chunks);
    schedule(nowNanos);
  }

  /** A measured round-trip time to a neighbour, with its coordinate. */
  public void rttMeasured(NodeId peer, long rttNanos, VivaldiCoordinate remote, long nowNanos) {
    actions.checkNotInCommand("rttMeasured");
    Neighbour n = neighbours.get(peer);
    if (n != null) {
      n.coordinate = remote;
    }
    vivaldi.observe(rttNanos / 1e6, remote);
  }

  /** This node's current network coordinate. */
  public VivaldiCoordinate coordinate() {
    return vivaldi.coordinate();
  }

  // ---- downloads -----------------------------------------------------------------------------

  /** A chunk of a peer request arrived and verified (and is now held). */
  public void chunkArrived(NodeId peer, long requestId, TrackId trackId, int index, long nowNanos) {
    actions.checkNotInCommand("chunkArrived");
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
      Download d = download(trackId);
      if (d != null && d.layout != null && index >= 0 && index < d.layout.chunkCount()) {
        acquired(d, index, Source.PEER);
      }
    }
    schedule(nowNanos);
  }

  /** The peer does not hold (or refuses) chunks [first, first + count) of a request. */
  public void chunkMissing(NodeId peer, long requestId, int first, int count, ErrorCode reason, long nowNanos) {
    actions.checkNotInCommand("chunkMissing");
    PeerRequest r = requests.get(requestId);
    if (r == null || !r.peer.equals(peer)) {
      return;
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
    schedule(nowNanos);
  }

  /**
   * A chunk from a peer failed verification: the peer is banned for {@link SwarmConfig#banNanos()}
   * and every chunk it was asked for is fetched elsewhere. Verification is asynchronous, so the
   * peer may have disconnected meanwhile: it is banned all the same (the shell's network then
   * refuses it when it calls back), and the core does not dial it until the ban ends.
   */
  public void badChunk(NodeId peer, long requestId, int index, long nowNanos) {
    actions.checkNotInCommand("badChunk");
    if (isBanned(peer, nowNanos)) {
      return; // banned already: another bad chunk of the same batch
    }
    bannedUntil.put(peer, nowNanos + config.banNanos());
    actions.ban(peer, ErrorCode.BAD_CHUNK);
    listener.peerBanned(peer);
    for (Download d : downloads()) {
      d.candidates.remove(peer);
    }
    connecting.remove(peer);
    if (neighbours.containsKey(peer)) {
      peerDisconnected(peer, nowNanos);
    } else {
      schedule(nowNanos);
    }
  }

  /** Whether {@code peer} is banned at {@code nowNanos} (an expired ban is forgotten). */
  public boolean isBanned(NodeId peer, long nowNanos) {
    Long until = bannedUntil.get(peer);
    if (until == null) {
      return false;
    }
    if (nowNanos - until >= 0) {
      bannedUntil.remove(peer);
      return false;
    }
    return true;
  }

  /** A chunk of a CDN read arrived and verified (and is now held). */
  public void cdnChunkArrived(long fetchId, int index, long nowNanos) {
    actions.checkNotInCommand("cdnChunkArrived");
    CdnFetch f = cdnFetches.get(fetchId);
    if (f != null && index >= f.first && index < f.end) {
      acquired(f.download, index, Source.CDN);
    }
    schedule(nowNanos);
  }

  /** A CDN read ended; chunks it did not deliver are wanted again. */
  public void cdnFetchDone(long fetchId, boolean ok, long nowNanos) {
    actions.checkNotInCommand("cdnFetchDone");
    CdnFetch f = cdnFetches.remove(fetchId);
    if (f == null) {
      return;
    }
    f.download.cdnFetches.remove(fetchId);
    releaseRange(f.download, f.first, f.end);
    if (!ok) {
      f.download.cdnRetryAtNanos = nowNanos + CDN_RETRY_NANOS;
    }
    schedule(nowNanos);
  }

  // ---- uploads -------------------------------------------------------------------------------

  /** A peer asks for chunks [first, first + count). */
  public void requestReceived(NodeId peer, long requestId, TrackId trackId, int first, int count,
      Priority priority, long nowNanos) {
    actions.checkNotInCommand("requestReceived");
    UploadSlots.Outcome out = uploads.offer(peer, requestId, trackId, first, count, rank(priority));
    for (UploadSlots.Upload u : out.refuse()) {
      listener.uploadRefused(u.peer());
      actions.refuseRequest(u.peer(), u.requestId(), u.first(), u.count(), ErrorCode.UPLOAD_SLOTS_FULL);
    }
    startUploads(out);
  }

  /** A peer withdrew a request. */
  public void cancelReceived(NodeId peer, long requestId, long nowNanos) {
    actions.checkNotInCommand("cancelReceived");
    boolean[] serving = new boolean[1];
    UploadSlots.Outcome out = uploads.cancel(peer, requestId, serving);
    if (serving[0]) {
      actions.stopServing(peer, requestId);
    }
    startUploads(out);
  }

  /** Serving a request ended ({@code bytesSent} of chunk data went out). */
  public void uploadDone(NodeId peer, long requestId, long bytesSent, long nowNanos) {
    actions.checkNotInCommand("uploadDone");
    Neighbour n = neighbours.get(peer);
    if (n != null) {
      n.credit(bytesSent / 2.0, nowNanos, config.usefulnessHalfLifeNanos());
    }
    startUploads(uploads.done(peer, requestId));
  }

  // ---- overlay -------------------------------------------------------------------------------

  /** A neighbour asks who holds a track. */
  public void queryReceived(NodeId from, long queryId, TrackId trackId, int hopsLeft, long nowNanos) {
    actions.checkNotInCommand("queryReceived");
    if (!neighbours.containsKey(from) || !overlay.firstSight(queryId, from, trackId, nowNanos)) {
      return;
    }
    // Naming ourselves helps only if the asker can dial us (Reachability).
    boolean self = acceptsIncoming && !cache.held(trackId).isEmpty();
    List<PeerHolding> holders = new ArrayList<>();
    for (Neighbour n : neighbours.values()) {
      if (holders.size() >= config.overlayMaxAnswers() - (self ? 1 : 0)) {
        break;
      }
      if (!n.id.equals(from) && n.contact != null && Reachability.acceptsIncoming(n.contact.port())
          && n.holdsAny(trackId)) {
        holders.add(n.complete.contains(trackId) ? PeerHolding.complete(n.contact)
            : PeerHolding.partial(n.contact, n.partial.get(trackId)));
      }
    }
    if (self || !holders.isEmpty()) {
      actions.answerQuery(from, queryId, trackId, self, holders);
    }
    int forwardHops = Math.min(hopsLeft, config.overlayHopLimit()) - 1;
    if (forwardHops > 0) {
      for (Neighbour n : neighbours.values()) {
        if (!n.id.equals(from)) {
          actions.sendQuery(n.id, queryId, trackId, forwardHops);
        }
      }
    }
  }

  /**
   * The shell knows which port this node accepts connections on ({@code 0}: none, behind a NAT or
   * {@code --no-incoming}). Until told, the core assumes none and never names itself in overlay
   * answers.
   */
  public void listening(int listenPort) {
    actions.checkNotInCommand("listening");
    acceptsIncoming = Reachability.acceptsIncoming(listenPort);
  }

  /** A neighbour answered a query: ours, or one we forwarded (then it goes back the same way). */
  public void queryAnswered(NodeId from, long queryId, List<PeerHolding> holders, long nowNanos) {
    actions.checkNotInCommand("queryAnswered");
    OverlayRouter.Route route = overlay.route(queryId, nowNanos);
    if (route == null || holders.isEmpty()) {
      return;
    }
    if (route.from() != null) {
      if (neighbours.containsKey(route.from())) {
        List<PeerHolding> forwarded = holders.size() <= config.overlayMaxAnswers() ? holders
            : List.copyOf(holders.subList(0, config.overlayMaxAnswers()));
        actions.answerQuery(route.from(), queryId, route.trackId(), false, forwarded);
      }
      return;
    }
    peersFound(route.trackId(), holders, nowNanos);
  }

  // ---- time ----------------------------------------------------------------------------------

  /** Periodic work: slow and stalled requests, repeated discovery, eviction. Call every ~100 ms. */
  public void tick(long nowNanos) {
    actions.checkNotInCommand("tick");
    List<PeerRequest> resend = new ArrayList<>();
    for (PeerRequest r : requests.values()) {
      if (isStalled(r, nowNanos) || isTooSlow(r, nowNanos)) {
        resend.add(r);
      }
    }
    for (PeerRequest r : resend) {
      resendElsewhere(r, nowNanos);
    }
    for (Download d : downloads()) {
      if (!d.isComplete() && nowNanos - d.lastLookupNanos >= config.lookupRetryNanos()
          && connectedHolders(d) == 0) {
        discover(d, nowNanos);
      }
    }
    evictIfOverSoftLimit(null, nowNanos);
    bannedUntil.values().removeIf(until -> nowNanos - until >= 0);
    schedule(nowNanos);
    flushHoldings(nowNanos);
  }

  /**
   * The cache dropped these tracks (evicted, or for the simulator's whole-track cache, an
   * unfinished download abandoned): the tracker learns it at the next flush.
   */
  public void tracksDropped(List<TrackId> trackIds, long nowNanos) {
    actions.checkNotInCommand("tracksDropped");
    for (TrackId t : trackIds) {
      holdings.went(t);
    }
  }

  /** Whether holdings changes wait for the next {@link #tick} to be sent. */
  public boolean holdingsPending() {
    return holdings.pending();
  }

  private void flushHoldings(long nowNanos) {
    HoldingsChanges.Flush f = holdings.takeIfDue(nowNanos);
    if (f == null) {
      return;
    }
    if (!f.withdraw().isEmpty()) {
      actions.withdraw(f.withdraw());
    }
    if (!f.announce().isEmpty()) {
      actions.announce(f.announce());
      for (Neighbour n : neighbours.values()) {
        for (TrackId t : f.announce()) {
          actions.sendHave(n.id, t);
        }
      }
    }
  }

  // ---- read-only state (for stats, tests and the simulator) ----------------------------------

  /** Connected neighbours. */
  public int neighbourCount() {
    return neighbours.size();
  }

  /** Whether a peer is a connected neighbour. */
  public boolean isNeighbour(NodeId peer) {
    return neighbours.containsKey(peer);
  }

  /** Peer requests outstanding. */
  public int outstandingPeerRequests() {
    return requests.size();
  }

  /** CDN reads outstanding. */
  public int outstandingCdnFetches() {
    return cdnFetches.size();
  }

  /** Peers being served now. */
  public int uploadingTo() {
    return uploads.activePeers();
  }

  /** The track being played, if any. */
  public TrackId playing() {
    return current == null ? null : current.trackId;
  }

  /** The track being prefetched, if any. */
  public TrackId prefetching() {
    return prefetch == null ? null : prefetch.trackId;
  }

  // ---- internals -----------------------------------------------------------------------------

  private Download begin(TrackId trackId, Priority priority, long nowNanos) {
    Download d = new Download(trackId, priority, cache.held(trackId), nowNanos);
    actions.fetchManifest(trackId);
    for (Neighbour n : neighbours.values()) {
      n.busyUntilNanos = Math.min(n.busyUntilNanos, nowNanos);
    }
    if (d.held.isEmpty()) {
      discover(d, nowNanos); // in parallel with the manifest: nothing is held, peers will be needed
    } else {
      // Some chunks are cached, so the manifest is local and quick, and the track may be complete:
      // asking the tracker and flooding the overlay for a cached track would be wasted.
      d.discoveryDeferred = true;
      d.lastLookupNanos = nowNanos;
    }
    return d;
  }

  private void discover(Download d, long nowNanos) {
    d.lastLookupNanos = nowNanos;
    d.discoveryUntilNanos = nowNanos + config.discoveryGraceNanos();
    if (d.layout != null && d.isComplete()) {
      return;
    }
    actions.lookup(d.trackId, config.lookupMaxPeers());
    if (config.overlayHopLimit() > 0 && !neighbours.isEmpty()) {
      long queryId = random.nextLong();
      overlay.firstSight(queryId, null, d.trackId, nowNanos);
      for (Neighbour n : neighbours.values()) {
        actions.sendQuery(n.id, queryId, d.trackId, config.overlayHopLimit());
      }
    }
  }

  /** Cancels everything outstanding for a download that is no longer wanted. */
  private void abandon(Download d) {
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

  private List<Download> downloads() {
    List<Download> list = new ArrayList<>(2);
    if (current != null) {
      list.add(current);
    }
    if (prefetch != null) {
      list.add(prefetch);
    }
    return list;
  }

  private Download download(TrackId trackId) {
    if (current != null && current.trackId.equals(trackId)) {
      return current;
    }
    if (prefetch != null && prefetch.trackId.equals(trackId)) {
      return prefetch;
    }
    return null;
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

  private void connectToCandidates(Download d, long nowNanos) {
    int wanted = config.connectsPerTrack() - connectedHolders(d);
    if (wanted <= 0) {
      return;
    }
    for (PeerHolding h : d.candidates.values()) {
      if (wanted <= 0 || neighbours.size() + connecting.size() >= config.neighbourHardLimit()) {
        return;
      }
      NodeId id = h.contact().id();
      Long failed = connectFailedAt.get(id);
      if (neighbours.containsKey(id) || connecting.containsKey(id) || isBanned(id, nowNanos)
          || (failed != null && nowNanos - failed < CONNECT_RETRY_NANOS) || !Reachability.acceptsIncoming(h.contact().port())) {
        continue;
      }
      connecting.put(id, nowNanos);
      actions.connect(h.contact());
      wanted--;
    }
  }

  /** Connected neighbours holding a chunk of the download that this node does not hold yet. */
  private int connectedHolders(Download d) {
    int count = 0;
    for (Neighbour n : neighbours.values()) {
      if (n.holdsSomeOf(d.trackId, d.held, d.layout == null ? Integer.MAX_VALUE : d.layout.chunkCount())) {
        count++;
      }
    }
    return count;
  }

  private void evictIfOverSoftLimit(NodeId keep, long nowNanos) {
    while (neighbours.size() > config.neighbourSoftLimit()) {
      Neighbour victim = null;
      double least = Double.MAX_VALUE;
      for (Neighbour n : neighbours.values()) {
        if (n.id.equals(keep) || n.outstandingRequests > 0 || uploads.isServing(n.id)) {
          continue;
        }
        double u = n.usefulness(nowNanos, config.usefulnessHalfLifeNanos());
        if (u < least) {
          least = u;
          victim = n;
        }
      }
      if (victim == null) {
        return;
      }
      listener.neighbourEvicted(victim.id);
      actions.disconnect(victim.id, ErrorCode.NONE);
      peerDisconnected(victim.id, nowNanos);
    }
  }

  private void startUploads(UploadSlots.Outcome out) {
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

  // ---- the scheduler -------------------------------------------------------------------------

  private void schedule(long nowNanos) {
    maybeStartPrefetch(nowNanos);
    if (current != null) {
      scheduleDownload(current, nowNanos);
    }
    if (prefetch != null) {
      scheduleDownload(prefetch, nowNanos);
    }
  }

  private void maybeStartPrefetch(long nowNanos) {
    if (current == null || current.layout == null || next == null || prefetch != null) {
      return;
    }
    long remaining = current.layout.durationNanos() - current.layout.nanosOf(current.playheadOffset);
    if (remaining <= config.prefetchWindowNanos()) {
      TrackId t = next;
      next = null;
      prefetch = begin(t, Priority.PREFETCH, nowNanos);
    }
  }

  private void scheduleDownload(Download d, long nowNanos) {
    if (d.layout == null || d.isComplete()) {
      return;
    }
    int holders = connectedHolders(d);
    boolean discovering = nowNanos < d.discoveryUntilNanos;
    if (d.isPlayback() && d.startFromCdn) {
      d.startFromCdn = false;
      if (!hasFastPeer(d)) {
        cdnWindow(d, config.initialCdnWindowNanos(), nowNanos);
      }
    }
    if (holders > 0) {
      assignToPeers(d, nowNanos);
    }
    if (d.isPlayback()) {
      long window = holders > 0 || discovering ? config.cdnReadAheadNanos() : Long.MAX_VALUE;
      if (holders > 0) {
        // Peers hold the track: the CDN only covers what is urgent and no peer could take.
        window = Math.min(window, config.urgentWindowNanos());
      }
      cdnWindow(d, window, nowNanos);
    } else if (holders == 0 && !discovering) {
      cdnWindow(d, config.initialCdnWindowNanos(), nowNanos);
    }
  }

  private boolean hasFastPeer(Download d) {
    int chunk = d.playheadChunk();
    for (Neighbour n : neighbours.values()) {
      if (n.measuredBytesPerSecond >= config.fastPeerBytesPerSecond() && n.holds(d.trackId, chunk)) {
        return true;
      }
    }
    return false;
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
    List<Neighbour> available = new ArrayList<>();
    for (Neighbour nb : neighbours.values()) {
      if (nb.outstandingRequests < config.maxRequestsPerPeer() && nowNanos >= nb.busyUntilNanos
          && nb.holdsSomeOf(d.trackId, d.held, n)) {
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

  /** For tests: the chunks of the current track held so far. */
  BitSet currentHeld() {
    return current == null ? new BitSet() : (BitSet) current.held.clone();
  }

  /** For tests. */
  Map<Long, String> describeRequests() {
    Map<Long, String> m = new LinkedHashMap<>();
    for (PeerRequest r : requests.values()) {
      m.put(r.id, r.peer + " " + r.first + ".." + r.end);
    }
    return m;
  }
}
