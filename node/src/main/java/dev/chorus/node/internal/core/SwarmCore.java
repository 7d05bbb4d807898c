package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import java.util.BitSet;
import java.util.HashMap;
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
 *
 * <p>Parts. This class is the single entry point: each public method checks it is not called from
 * within a command ({@link CommandGuard}), hands the event to the part it concerns, and then
 * reschedules. The parts, package-private and sharing this class's thread:
 *
 * <ul>
 *   <li>{@link Downloads}: the current track, the prefetch and the queued next track; playback
 *       itself (play, stop, seek, starting the prefetch) stays here, as does discovery.
 *   <li>{@link Neighbourhood}: connected, dialling and failed peers, bans with expiry, whom to dial
 *       for a download and whom to evict over the soft limit.
 *   <li>{@link DownloadScheduler}: peer requests and CDN reads, their outcomes, and the resending
 *       of stalled or too-slow requests.
 *   <li>{@link OverlayQueries}: overlay queries, answered and forwarded through {@link
 *       OverlayRouter}.
 *   <li>{@link UploadRequests}: peers' requests, served in {@link UploadSlots}.
 *   <li>{@link HoldingsChanges}, sent by {@link HoldingsFlush} from {@link #tick}.
 *   <li>{@link Vivaldi}: this node's network coordinate.
 * </ul>
 *
 * <p>Determinism. The simulator's runs must not change when this code is rearranged: the parts
 * keep the maps (HashMaps, iterated in their own order), the order of insertions and the order of
 * calls to the one {@link RandomGenerator} exactly as they were when this was one class.
 */
public final class SwarmCore {
  /** The port the shell listens on ({@link #listening}); 0 for none. */
  private int listenPort = Reachability.NO_INCOMING;
  /** Whether the tracker's probe left that port usable ({@link #reachable}); trusted until told. */
  private boolean reachable = true;
  /** Whether, when unreachable, this node can punch holes ({@link #punchable}). */
  private boolean punchable;

  private static final long LOOKUP_FAILED_RETRY_NANOS = 1_000_000_000L;

  private final SwarmConfig config;
  private final CommandGuard actions;
  private final SwarmListener listener;
  private final HeldChunks cache;
  private final RandomGenerator random;
  private final Vivaldi vivaldi;
  private final UploadRequests uploads;
  private final HoldingsChanges holdings = new HoldingsChanges();
  private final Downloads downloads = new Downloads();
  private final Neighbourhood neighbours;
  private final DownloadScheduler scheduler;
  private final OverlayQueries overlay;
  private final HoldingsFlush holdingsFlush;

  public SwarmCore(SwarmConfig config, SwarmActions actions, SwarmListener listener, HeldChunks cache,
      RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.actions = new CommandGuard(Objects.requireNonNull(actions, "actions"));
    this.listener = Objects.requireNonNull(listener, "listener");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.random = Objects.requireNonNull(random, "random");
    this.vivaldi = new Vivaldi(random);
    UploadSlots slots = new UploadSlots(config.uploadSlots(), config.uploadQueueLimit());
    this.neighbours = new Neighbourhood(config, this.actions, slots);
    this.uploads = new UploadRequests(config, this.actions, listener, slots, neighbours);
    this.scheduler = new DownloadScheduler(config, this.actions, listener, random, neighbours, downloads,
        holdings);
    this.overlay = new OverlayQueries(config, this.actions, cache, random, neighbours);
    this.holdingsFlush = new HoldingsFlush(this.actions, holdings, neighbours);
  }

  // ---- playback ------------------------------------------------------------------------------

  /** Starts playing a track from its beginning (a track change cancels the old track's requests). */
  public void play(TrackId trackId, long nowNanos) {
    actions.checkNotInCommand("play");
    Download current = downloads.current;
    if (current != null && current.trackId.equals(trackId)) {
      seek(trackId, 0, nowNanos);
      return;
    }
    if (current != null) {
      scheduler.abandon(current);
    }
    if (downloads.prefetch != null && downloads.prefetch.trackId.equals(trackId)) {
      current = downloads.prefetch;
      downloads.prefetch = null;
      current.priority = Priority.PLAYBACK;
    } else {
      current = begin(trackId, Priority.PLAYBACK, nowNanos);
    }
    downloads.current = current;
    current.playheadOffset = 0;
    current.startFromCdn = true;
    if (downloads.next != null && downloads.next.equals(trackId)) {
      downloads.next = null;
    }
    schedule(nowNanos);
  }

  /** Stops playback: the current track's requests are cancelled. */
  public void stop(long nowNanos) {
    actions.checkNotInCommand("stop");
    if (downloads.current != null) {
      scheduler.abandon(downloads.current);
      downloads.current = null;
    }
    schedule(nowNanos);
  }

  /** The track to prefetch when the current one nears its end. */
  public void queueNext(TrackId trackId, long nowNanos) {
    actions.checkNotInCommand("queueNext");
    downloads.next = trackId;
    schedule(nowNanos);
  }

  /** Fetches a track now, at priority PREFETCH (replacing an earlier prefetch). */
  public void prefetch(TrackId trackId, long nowNanos) {
    actions.checkNotInCommand("prefetch");
    Download current = downloads.current;
    Download prefetch = downloads.prefetch;
    if ((current != null && current.trackId.equals(trackId))
        || (prefetch != null && prefetch.trackId.equals(trackId))) {
      return;
    }
    if (prefetch != null) {
      scheduler.abandon(prefetch);
    }
    downloads.prefetch = begin(trackId, Priority.PREFETCH, nowNanos);
    schedule(nowNanos);
  }

  /** The manifest of a track is known (answer to {@link SwarmActions#fetchManifest}). */
  public void layoutKnown(TrackLayout layout, long nowNanos) {
    actions.checkNotInCommand("layoutKnown");
    for (Download d : downloads.all()) {
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
    Download current = downloads.current;
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
    Download d = downloads.find(trackId);
    if (d == null) {
      return;
    }
    for (PeerHolding h : holders) {
      NodeId id = h.contact().id();
      if (neighbours.isBanned(id, nowNanos)) {
        continue;
      }
      d.candidates.put(id, h);
      Neighbour n = neighbours.get(id);
      if (n != null) {
        n.setHolding(trackId, h.isComplete(), h.chunks());
      }
    }
    neighbours.connectToCandidates(d, nowNanos);
    schedule(nowNanos);
  }

  /** The tracker lookup failed (not connected, refused, timed out): try again in a second. */
  public void lookupFailed(TrackId trackId, long nowNanos) {
    actions.checkNotInCommand("lookupFailed");
    Download d = downloads.find(trackId);
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
    for (Download d : downloads.all()) {
      if (!d.isComplete() && !neighbours.hasConnectedHolder(d)) {
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
    neighbours.dialSucceeded(id);
    if (neighbours.contains(id)) {
      return true;
    }
    if (neighbours.isBanned(id, nowNanos)) {
      // The network refuses banned peers; this is the second line (e.g. a ban it has not had yet).
      actions.disconnect(id, ErrorCode.BANNED);
      return true;
    }
    if (neighbours.atHardLimit()) {
      return false;
    }
    Neighbour n = neighbours.admit(contact, downloads.all(), nowNanos);
    overlay.askAbout(n, downloads.all(), nowNanos);
    evictIfOverSoftLimit(id, nowNanos);
    schedule(nowNanos);
    return true;
  }

  /** A connection attempt failed. */
  public void connectFailed(NodeId peer, long nowNanos) {
    actions.checkNotInCommand("connectFailed");
    neighbours.dialFailed(peer, nowNanos);
    schedule(nowNanos);
  }

  /** A connection ended; its outstanding requests go elsewhere. */
  public void peerDisconnected(NodeId peer, long nowNanos) {
    actions.checkNotInCommand("peerDisconnected");
    if (neighbours.remove(peer) == null) {
      return;
    }
    scheduler.peerGone(peer);
    uploads.peerGone(peer);
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
    scheduler.chunkArrived(peer, requestId, trackId, index, nowNanos);
    schedule(nowNanos);
  }

  /** The peer does not hold (or refuses) chunks [first, first + count) of a request. */
  public void chunkMissing(NodeId peer, long requestId, int first, int count, ErrorCode reason, long nowNanos) {
    actions.checkNotInCommand("chunkMissing");
    if (scheduler.chunkMissing(peer, requestId, first, count, reason, nowNanos)) {
      schedule(nowNanos);
    }
  }

  /**
   * A chunk from a peer failed verification: the peer is banned for {@link SwarmConfig#banNanos()}
   * and every chunk it was asked for is fetched elsewhere. Verification is asynchronous, so the
   * peer may have disconnected meanwhile: it is banned all the same (the shell's network then
   * refuses it when it calls back), and the core does not dial it until the ban ends.
   */
  public void badChunk(NodeId peer, long requestId, int index, long nowNanos) {
    actions.checkNotInCommand("badChunk");
    if (neighbours.isBanned(peer, nowNanos)) {
      return; // banned already: another bad chunk of the same batch
    }
    neighbours.ban(peer, nowNanos);
    actions.ban(peer, ErrorCode.BAD_CHUNK);
    listener.peerBanned(peer);
    for (Download d : downloads.all()) {
      d.candidates.remove(peer);
    }
    neighbours.dialForgotten(peer);
    if (neighbours.contains(peer)) {
      peerDisconnected(peer, nowNanos);
    } else {
      schedule(nowNanos);
    }
  }

  /** Whether {@code peer} is banned at {@code nowNanos} (an expired ban is forgotten). */
  public boolean isBanned(NodeId peer, long nowNanos) {
    return neighbours.isBanned(peer, nowNanos);
  }

  /** A chunk of a CDN read arrived and verified (and is now held). */
  public void cdnChunkArrived(long fetchId, int index, long nowNanos) {
    actions.checkNotInCommand("cdnChunkArrived");
    scheduler.cdnChunkArrived(fetchId, index);
    schedule(nowNanos);
  }

  /** A CDN read ended; chunks it did not deliver are wanted again. */
  public void cdnFetchDone(long fetchId, boolean ok, long nowNanos) {
    actions.checkNotInCommand("cdnFetchDone");
    if (scheduler.cdnFetchDone(fetchId, ok, nowNanos)) {
      schedule(nowNanos);
    }
  }

  // ---- uploads -------------------------------------------------------------------------------

  /** A peer asks for chunks [first, first + count). */
  public void requestReceived(NodeId peer, long requestId, TrackId trackId, int first, int count,
      Priority priority, long nowNanos) {
    actions.checkNotInCommand("requestReceived");
    uploads.received(peer, requestId, trackId, first, count, priority);
  }

  /** A peer withdrew a request. */
  public void cancelReceived(NodeId peer, long requestId, long nowNanos) {
    actions.checkNotInCommand("cancelReceived");
    uploads.cancelled(peer, requestId);
  }

  /** Serving a request ended ({@code bytesSent} of chunk data went out). */
  public void uploadDone(NodeId peer, long requestId, long bytesSent, long nowNanos) {
    actions.checkNotInCommand("uploadDone");
    uploads.done(peer, requestId, bytesSent, nowNanos);
  }

  // ---- overlay -------------------------------------------------------------------------------

  /** A neighbour asks who holds a track. */
  public void queryReceived(NodeId from, long queryId, TrackId trackId, int hopsLeft, long nowNanos) {
    actions.checkNotInCommand("queryReceived");
    overlay.received(from, queryId, trackId, hopsLeft, nowNanos);
  }

  /**
   * The shell knows which port this node accepts connections on ({@code 0}: none, behind a NAT or
   * {@code --no-incoming}). Until told, the core assumes none and never names itself in overlay
   * answers.
   */
  public void listening(int listenPort) {
    actions.checkNotInCommand("listening");
    this.listenPort = listenPort;
    applyReachability();
  }

  /**
   * The tracker found whether peers can dial this node at its listen port (its dial-back probe).
   * Found unreachable, the node acts as one without a listen port — it never names itself in
   * overlay answers and never asks a holder to connect to it — until found reachable again. Until
   * told, the core trusts its listen port.
   */
  public void reachable(boolean reachable) {
    actions.checkNotInCommand("reachable");
    this.reachable = reachable;
    applyReachability();
  }

  /**
   * Whether this node, when found unreachable, can reach holders that accept no connections either
   * by hole punching: it punches (the tracker lists it so) and listens on a port to dial from.
   * Until told, it cannot.
   */
  public void punchable(boolean punchable) {
    actions.checkNotInCommand("punchable");
    this.punchable = punchable;
    applyReachability();
  }

  private void applyReachability() {
    int effective = reachable ? listenPort : Reachability.NO_INCOMING;
    overlay.listening(effective);
    neighbours.listening(effective, punchable);
  }

  /** A neighbour answered a query: ours, or one we forwarded (then it goes back the same way). */
  public void queryAnswered(NodeId from, long queryId, List<PeerHolding> holders, long nowNanos) {
    actions.checkNotInCommand("queryAnswered");
    TrackId ours = overlay.answered(queryId, holders, nowNanos);
    if (ours != null) {
      peersFound(ours, holders, nowNanos);
    }
  }

  // ---- time ----------------------------------------------------------------------------------

  /** Periodic work: slow and stalled requests, repeated discovery, eviction. Call every ~100 ms. */
  public void tick(long nowNanos) {
    actions.checkNotInCommand("tick");
    scheduler.resendLagging(nowNanos);
    for (Download d : downloads.all()) {
      if (!d.isComplete() && nowNanos - d.lastLookupNanos >= config.lookupRetryNanos()
          && !neighbours.hasConnectedHolder(d)) {
        discover(d, nowNanos);
      }
    }
    evictIfOverSoftLimit(null, nowNanos);
    neighbours.expireBans(nowNanos);
    schedule(nowNanos);
    holdingsFlush.flushIfDue(nowNanos);
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

  // ---- read-only state (for stats, tests and the simulator) ----------------------------------

  /** Connected neighbours. */
  public int neighbourCount() {
    return neighbours.size();
  }

  /** Whether a peer is a connected neighbour. */
  public boolean isNeighbour(NodeId peer) {
    return neighbours.contains(peer);
  }

  /** Peer requests outstanding. */
  public int outstandingPeerRequests() {
    return scheduler.peerRequestCount();
  }

  /** CDN reads outstanding. */
  public int outstandingCdnFetches() {
    return scheduler.cdnFetchCount();
  }

  /** Peers being served now. */
  public int uploadingTo() {
    return uploads.activePeers();
  }

  /**
   * The measured download rate of each connected neighbour, in bytes per second (an EWMA over
   * per-chunk samples), or -1 for one nothing has been received from yet.
   */
  public Map<NodeId, Double> neighbourRates() {
    Map<NodeId, Double> rates = new HashMap<>();
    for (Neighbour n : neighbours.all()) {
      rates.put(n.id, n.measuredBytesPerSecond);
    }
    return rates;
  }

  /** The track being played, if any. */
  public TrackId playing() {
    return downloads.current == null ? null : downloads.current.trackId;
  }

  /** The track being prefetched, if any. */
  public TrackId prefetching() {
    return downloads.prefetch == null ? null : downloads.prefetch.trackId;
  }

  // ---- internals -----------------------------------------------------------------------------

  private Download begin(TrackId trackId, Priority priority, long nowNanos) {
    Download d = new Download(trackId, priority, cache.held(trackId), nowNanos);
    actions.fetchManifest(trackId);
    for (Neighbour n : neighbours.all()) {
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

  /** A tracker lookup and an overlay query for the download (unless it turned out complete). */
  private void discover(Download d, long nowNanos) {
    d.lastLookupNanos = nowNanos;
    d.discoveryUntilNanos = nowNanos + config.discoveryGraceNanos();
    if (d.layout != null && d.isComplete()) {
      return;
    }
    actions.lookup(d.trackId, config.lookupMaxPeers());
    overlay.flood(d, nowNanos);
  }

  /**
   * Evicts the least useful neighbours (never {@code keep}, never one with a request outstanding
   * either way) until at most the soft limit remain, or none can go.
   */
  private void evictIfOverSoftLimit(NodeId keep, long nowNanos) {
    while (neighbours.size() > config.neighbourSoftLimit()) {
      Neighbour victim = neighbours.leastUseful(keep, nowNanos);
      if (victim == null) {
        return;
      }
      listener.neighbourEvicted(victim.id);
      actions.disconnect(victim.id, ErrorCode.NONE);
      peerDisconnected(victim.id, nowNanos);
    }
  }

  private void schedule(long nowNanos) {
    maybeStartPrefetch(nowNanos);
    if (downloads.current != null) {
      scheduler.schedule(downloads.current, nowNanos);
    }
    if (downloads.prefetch != null) {
      scheduler.schedule(downloads.prefetch, nowNanos);
    }
  }

  /** Starts the queued next track's prefetch once the current one has 30 s or less to play. */
  private void maybeStartPrefetch(long nowNanos) {
    Download current = downloads.current;
    if (current == null || current.layout == null || downloads.next == null || downloads.prefetch != null) {
      return;
    }
    long remaining = current.layout.durationNanos() - current.layout.nanosOf(current.playheadOffset);
    if (remaining <= config.prefetchWindowNanos()) {
      TrackId t = downloads.next;
      downloads.next = null;
      downloads.prefetch = begin(t, Priority.PREFETCH, nowNanos);
    }
  }

  /** For tests: the chunks of the current track held so far. */
  BitSet currentHeld() {
    return downloads.current == null ? new BitSet() : (BitSet) downloads.current.held.clone();
  }

  /** For tests. */
  Map<Long, String> describeRequests() {
    return scheduler.describeRequests();
  }
}
