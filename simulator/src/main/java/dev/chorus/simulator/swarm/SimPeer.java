package dev.chorus.simulator.swarm;

import dev.chorus.node.internal.core.HeldChunks;
import dev.chorus.node.internal.core.PeerContact;
import dev.chorus.node.internal.core.PeerHolding;
import dev.chorus.node.internal.core.Source;
import dev.chorus.node.internal.core.StartPolicy;
import dev.chorus.node.internal.core.SwarmActions;
import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.node.internal.core.SwarmListener;
import dev.chorus.node.internal.core.TrackLayout;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import dev.chorus.simulator.workload.PlayCursor;
import dev.chorus.tracker.index.PeerInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One online peer: the node's real {@link SwarmCore} and the shell around it that a node's runtime
 * would be — here the simulated transport ({@link World}), the cache model and the player. It
 * exists from the moment the peer comes online to the moment it leaves; what outlives it (cache
 * contents, bytes uploaded) is in the world's per-host arrays.
 *
 * <p>The player, as a node's {@code Playback} does it: a play asks the core for the track; once
 * the manifest is known (read from the cache, {@code node.manifestRead}, when the peer holds some
 * of the track; else the core's round trip to the CDN) the node's {@link StartPolicy} is asked at
 * every arrival whether the buffer and the measured rate carry the play to the end; when it says
 * ready, the chunk under the playhead is read and verified ({@code node.chunkRead}; the first time,
 * with the node's own processing of a start, {@code node.cachedStartProcessing} for a track held
 * whole, else {@code node.networkStartProcessing}) and the play starts (the start latency: asked →
 * started). The playhead then moves at the track's byte rate;
 * reaching a chunk not yet held stalls it (a stutter) until the policy says ready again. A play is
 * at most two segments (a seek in between, which waits for ready again without counting a
 * stutter), as {@link PlayCursor} describes. Each byte the playhead passes counts as played,
 * attributed to where its chunk came from; the playhead's distance is counted apart, for the
 * run's byte invariant.
 */
final class SimPeer implements SwarmActions, SwarmListener, HeldChunks {
  final World w;
  final int host;
  final NodeId id;
  final SwarmCore core;
  final SplittableRandom sessionRng;
  final StartPolicy startPolicy;
  final int onlinePeriod;
  /** The port it accepts connections on; 0 behind a NAT (see {@link World#listenPort}). */
  final int listenPort;
  /** How the tracker knows this peer; refreshed with the current coordinate at each announce. */
  PeerInfo trackerInfo;
  /** The coordinate {@link #trackerInfo} was made with. */
  private VivaldiCoordinate trackerCoordinate;
  private PeerContact contact;
  boolean alive = true;

  /** Hosts this peer has a connection with. */
  final Links links;
  /** Chunks held of tracks being fetched (not yet complete, hence not in the cache). */
  final Map<Integer, BitSet> partial = new HashMap<>();
  /** Where each chunk of a track fetched in this online period came from, until it is played. */
  final Map<Integer, byte[]> sources = new HashMap<>();
  /** Requests of other peers being served, by {@link Transfer#servingKey}. */
  final Map<Long, Transfer> serving = new HashMap<>();
  final Map<Long, Transfer> cdnReads = new HashMap<>();

  // Session and play.
  final PlayCursor cursor = new PlayCursor();
  boolean inSession;
  int playTrack = -1;
  TrackLayout layout;
  private byte[] playSources;
  private long playRequestedAt;
  /** The start policy's measurement of this play. */
  private StartPolicy.Play startCheck;
  /** When the node would know the manifest: the play cannot start before. */
  private long manifestAt;
  /** Ready: the chunk under the playhead is being read until then; -1 otherwise. */
  private long readingUntil = -1;
  /**
   * The node's own processing of this play's start ({@code node.cachedStartProcessing} or {@code
   * node.networkStartProcessing}), paid with the first chunk read.
   */
  private long startProcessing;
  /** Whether the chunk under the playhead was held when the play asked for the track. */
  private boolean heldAtRequest;
  private boolean started;
  private boolean stalled;
  private boolean stuttered;
  private int segment;
  private long pos;
  private long segEnd;
  private long lastAdvance;
  private boolean prefetchReported;
  /** Whether the next play's held copy was already dropped when it was queued (a discovery). */
  private boolean nextDropped;
  /** The playback event armed last: its id, and when it is due (-1: none armed). */
  long playbackEventId = -1;
  long playbackDueAt = -1;
  private long playbackEventAt = -1;
  /**
   * The playback event in the engine's queue (-1: none): the armed one, or an earlier one that
   * will fire early and queue the armed one (World.armPlayback).
   */
  long queuedPlaybackId = -1;
  long queuedPlaybackAt = -1;
  long tickEventId = -1;
  private static final int NO_TRACK = Integer.MIN_VALUE;
  /** The tracks {@link #holdsTrack} answered last, newest first, and its answers. */
  private final int[] memoTrack = {NO_TRACK, NO_TRACK};
  private final boolean[] memoHeld = new boolean[2];
  /**
   * The track whose chunks arrived last and its entries of {@link #partial} and {@link #sources}:
   * chunks come in runs of one track, and looking the maps up boxes the track id each time.
   * Forgotten whenever an entry of either map may go ({@link #forgetAcquiring}).
   */
  private int acquiringTrack = NO_TRACK;
  private BitSet acquiringChunks;
  private byte[] acquiringSources;
  /** Counts changes to what this peer holds (its partial chunks and its cache). */
  private long holdingsVersion;
  /**
   * The chunks a Have of {@link #haveTrack} carried, while {@link #holdingsVersion} is still
   * {@link #haveVersion}: a holdings flush sends the same Have to every neighbour, and the receiving
   * core only reads it.
   */
  private int haveTrack = NO_TRACK;
  private long haveVersion;
  private BitSet haveChunks;
  /** The chunks of a complete track's Have: the receiving core ignores them. */
  private static final BitSet NO_CHUNKS = new BitSet();

  SimPeer(World w, int host, int onlinePeriod, SplittableRandom coreRng,
      SplittableRandom sessionRng) {
    this.w = w;
    this.host = host;
    this.onlinePeriod = onlinePeriod;
    this.id = Ids.node(host);
    this.sessionRng = sessionRng;
    this.startPolicy = w.startPolicy;
    this.links = new Links(w.links, host);
    this.core = new SwarmCore(w.scenario.swarm(), this, this, this, coreRng);
    this.listenPort = w.listenPort(host);
    core.listening(listenPort);
    core.punchable(w.reachability(host) == dev.chorus.protocol.ReachabilityClass.PUNCHABLE);
    this.trackerCoordinate = core.coordinate();
    this.trackerInfo = PeerInfo.of(Ids.staticKey(host), Ids.ip(host), listenPort,
        trackerCoordinate, w.region(host));
  }

  /** {@link #trackerInfo} with the current coordinate (kept while the coordinate is the same). */
  PeerInfo refreshTrackerInfo() {
    VivaldiCoordinate coordinate = core.coordinate();
    if (coordinate != trackerCoordinate) {
      trackerInfo = PeerInfo.of(Ids.staticKey(host), Ids.ip(host), listenPort, coordinate,
          trackerInfo.region());
      trackerCoordinate = coordinate;
    }
    return trackerInfo;
  }

  /**
   * How other peers reach this one; made again only when the core's coordinate changed (contacts
   * and coordinates are immutable), since answers and connections ask for it often.
   */
  PeerContact contact() {
    VivaldiCoordinate coordinate = core.coordinate();
    if (contact == null || contact.coordinate() != coordinate) {
      contact = new PeerContact(id, Ids.staticKey(host), Ids.ip(host), listenPort, coordinate);
    }
    return contact;
  }

  /**
   * Whether the cache holds the track. Asked after nearly every event (needsTick, the player, the
   * core's questions), mostly about the playing and the prefetched track, and each probe of the
   * cache's table is a cache miss; so the last two answers are kept until this peer's cache
   * changes, which only its own completions and drops do ({@link #cacheChanged}).
   */
  boolean holdsTrack(int track) {
    if (memoTrack[0] == track) {
      return memoHeld[0];
    }
    if (memoTrack[1] == track) {
      return memoHeld[1];
    }
    boolean held = w.caches.holds(host, track);
    memoTrack[1] = memoTrack[0];
    memoHeld[1] = memoHeld[0];
    memoTrack[0] = track;
    memoHeld[0] = held;
    return held;
  }

  /** This peer's cache gained or lost tracks: forget the answers {@link #holdsTrack} kept. */
  void cacheChanged() {
    memoTrack[0] = NO_TRACK;
    memoTrack[1] = NO_TRACK;
    holdingsVersion++;
  }

  boolean holdsChunk(int track, int index) {
    if (holdsTrack(track)) {
      return true;
    }
    BitSet b = partial.get(track);
    return b != null && b.get(index);
  }

  // ---- HeldChunks ------------------------------------------------------------------------------

  @Override
  public BitSet held(TrackId trackId) {
    int track = Ids.track(trackId);
    if (holdsTrack(track)) {
      BitSet all = new BitSet();
      all.set(0, w.chunkCount(track));
      return all;
    }
    BitSet b = partial.get(track);
    return b == null ? new BitSet() : (BitSet) b.clone();
  }

  @Override
  public boolean holdsAny(TrackId trackId) {
    int track = Ids.track(trackId);
    if (holdsTrack(track)) {
      return true;
    }
    BitSet b = partial.get(track);
    return b != null && !b.isEmpty();
  }

  // ---- SwarmListener ---------------------------------------------------------------------------

  @Override
  public void chunkAcquired(TrackId trackId, int index, int bytes, Source source) {
    int track = Ids.track(trackId);
    if (holdsTrack(track)) {
      return;
    }
    if (track != acquiringTrack) {
      BitSet chunks = partial.get(track);
      if (chunks == null) {
        partial.put(track, chunks = new BitSet());
      }
      byte[] s = sources.get(track);
      if (s == null) {
        sources.put(track, s = new byte[w.chunkCount(track)]);
      }
      acquiringTrack = track;
      acquiringChunks = chunks;
      acquiringSources = s;
    }
    acquiringChunks.set(index);
    holdingsVersion++;
    byte[] s = acquiringSources;
    if (s[index] == 0) {
      s[index] = (byte) (source == Source.PEER ? Metrics.PEER : source == Source.CDN ? Metrics.CDN
          : Metrics.CACHE);
    }
  }

  @Override
  public void trackComplete(TrackId trackId) {
    int track = Ids.track(trackId);
    holdingsVersion++;
    if (w.trackCompleted(this, track)) {
      partial.remove(track);
      forgetAcquiring();
    } // else a track too big for the cache stays held as chunks while the core keeps it

  }

  // ---- SwarmActions: the simulated transport ---------------------------------------------------

  @Override
  public void fetchManifest(TrackId trackId) {
    w.fetchManifest(this, Ids.track(trackId));
  }

  @Override
  public void lookup(TrackId trackId, int maxPeers) {
    w.lookup(this, Ids.track(trackId), maxPeers);
  }

  @Override
  public void connect(PeerContact contact) {
    w.connect(this, Ids.host(contact.id()));
  }

  @Override
  public void disconnect(NodeId peer, ErrorCode reason) {
    w.disconnect(this, Ids.host(peer));
  }

  /** Disconnects the peer (if linked); the core itself remembers the ban and never dials it again until it ends. */
  @Override
  public void ban(NodeId peer, ErrorCode reason) {
    w.disconnect(this, Ids.host(peer));
  }

  @Override
  public void requestChunks(NodeId peer, long requestId, TrackId trackId, int first, int count,
      Priority priority) {
    int to = Ids.host(peer);
    w.sendRequest(this, to, requestId, trackId, first, count, priority);
  }

  @Override
  public void cancelRequest(NodeId peer, long requestId) {
    int to = Ids.host(peer);
    w.sendCancel(this, to, requestId);
  }

  @Override
  public void fetchFromCdn(long fetchId, TrackId trackId, int first, int count) {
    w.fetchFromCdn(this, fetchId, Ids.track(trackId), first, count);
  }

  @Override
  public void cancelCdn(long fetchId) {
    w.cancelCdn(this, fetchId);
  }

  @Override
  public void serveChunks(NodeId peer, long requestId, TrackId trackId, int first, int count) {
    w.serve(this, Ids.host(peer), requestId, Ids.track(trackId), first, count);
  }

  @Override
  public void stopServing(NodeId peer, long requestId) {
    w.stopServing(this, Ids.host(peer), requestId);
  }

  @Override
  public void refuseRequest(NodeId peer, long requestId, int first, int count, ErrorCode reason) {
    int to = Ids.host(peer);
    w.sendMissing(this, to, requestId, first, count, reason);
  }

  @Override
  public void sendQuery(NodeId peer, long queryId, TrackId trackId, int hopsLeft) {
    int to = Ids.host(peer);
    w.sendQuery(this, to, queryId, trackId, hopsLeft);
  }

  @Override
  public void answerQuery(NodeId peer, long queryId, TrackId trackId, boolean includeSelf,
      List<PeerHolding> holders) {
    List<PeerHolding> answer = holders;
    if (includeSelf) {
      answer = new ArrayList<>(holders.size() + 1);
      int track = Ids.track(trackId);
      answer.add(holdsTrack(track) ? PeerHolding.complete(contact())
          : PeerHolding.partial(contact(), held(trackId)));
      answer.addAll(holders);
    }
    List<PeerHolding> sent = answer;
    int to = Ids.host(peer);
    w.sendAnswer(this, to, queryId, sent);
  }

  @Override
  public void announce(List<TrackId> trackIds) {
    w.announceFrom(this, trackIds);
  }

  @Override
  public void withdraw(List<TrackId> trackIds) {
    w.withdrawFrom(this, trackIds);
  }

  @Override
  public void sendHave(NodeId peer, TrackId trackId) {
    int to = Ids.host(peer);
    int track = Ids.track(trackId);
    boolean complete = holdsTrack(track);
    BitSet chunks = complete ? NO_CHUNKS : heldForHave(trackId, track);
    if (!complete && chunks.isEmpty()) {
      return; // holds nothing of it any more, as a node's store would say
    }
    w.sendHave(this, to, trackId, complete, chunks);
  }

  /** {@link #held}, made once per holdings change (the Haves of a flush share it; none alters it). */
  private BitSet heldForHave(TrackId trackId, int track) {
    if (track != haveTrack || haveVersion != holdingsVersion) {
      haveChunks = held(trackId);
      haveTrack = track;
      haveVersion = holdingsVersion;
    }
    return haveChunks;
  }

  private void forgetAcquiring() {
    acquiringTrack = NO_TRACK;
    acquiringChunks = null;
    acquiringSources = null;
  }

  // ---- the player ------------------------------------------------------------------------------

  /** Starts the cursor's current play. */
  void startPlay(long now) {
    int track = cursor.track();
    boolean dropped = nextDropped;
    nextDropped = false;
    if (w.repeats != null) {
      w.playsAsked++;
      if (cursor.repeat()) {
        w.repeatPlays++;
      } else if (!dropped) {
        dropForDiscovery(track);
      }
    }
    playTrack = track;
    layout = w.layout(track);
    boolean cached = w.caches.touch(host, track);
    byte[] s = sources.get(track);
    if (s == null) {
      s = new byte[w.chunkCount(track)];
      if (cached) {
        java.util.Arrays.fill(s, (byte) Metrics.CACHE);
      } else {
        sources.put(track, s);
        forgetAcquiring();
      }
    }
    playSources = s;
    playRequestedAt = now;
    boolean local = cached || holdsAnyOf(track);
    manifestAt = now + (local ? w.scenario.manifestReadNanos() : w.latency.rttNanos(host, w.cdnHost));
    startProcessing = cached ? w.scenario.cachedStartProcessingNanos() : w.scenario.networkStartProcessingNanos();
    startCheck = startPolicy.begin(layout, heldBytes(), now);
    readingUntil = -1;
    heldAtRequest = held(0);
    started = false;
    stalled = false;
    stuttered = false;
    segment = 1;
    pos = 0;
    segEnd = Math.min(layout.sizeBytes(), bytesAtMillis(cursor.seekFromMillis()));
    prefetchReported = false;
    w.playing(+1);
    core.play(w.trackId(track), now);
    if (cursor.nextTrack() >= 0) {
      if (w.repeats != null && !cursor.nextRepeat() && cursor.nextTrack() != track) {
        // Known now, so the node would prefetch it: the copy goes before the core plans for it.
        dropForDiscovery(cursor.nextTrack());
        nextDropped = true;
      }
      core.queueNext(w.trackId(cursor.nextTrack()), now);
    }
    prune();
    advance(now);
  }

  /**
   * A discovery stands for a track of its sample track's bucket that the listener has not played
   * (docs/workload.md, "Repeats"), so the copy held of the sample track cannot serve it: the copy is
   * dropped as an eviction drops it (the core learns it as a later event and withdraws it from the
   * tracker at its next holdings flush; a neighbour that asks for its chunks is told they are
   * missing), and the play fetches the track like any miss.
   */
  private void dropForDiscovery(int track) {
    if (track == playTrack || !w.caches.drop(host, track)) {
      return; // a play of a track still playing keeps it (the next of a one-track album)
    }
    cacheChanged();
    sources.remove(track);
    forgetAcquiring();
    w.discoveryDrops++;
    w.deliverAfter(0, this, EventCensus.TRACKS_DROPPED, at -> core.tracksDropped(List.of(w.trackId(track)), at));
  }

  private long bytesAtMillis(long millis) {
    return layout.bytesOf(millis * 1_000_000L);
  }

  private boolean held(int chunk) {
    return holdsChunk(playTrack, chunk);
  }

  private boolean holdsAnyOf(int track) {
    BitSet b = partial.get(track);
    return b != null && !b.isEmpty();
  }

  /** Bytes of the playing track held now (the start policy measures the download rate from it). */
  private long heldBytes() {
    if (holdsTrack(playTrack)) {
      return layout.sizeBytes();
    }
    BitSet b = partial.get(playTrack);
    return b == null ? 0 : StartPolicy.heldBytes(layout, b);
  }

  /**
   * Whether a play that has not started, or has stalled, may (re)start now; arms the playback
   * event when only time stands in the way (the manifest read, the first chunk's read).
   */
  private boolean mayStart(long now) {
    if (readingUntil >= 0) {
      if (now < readingUntil) {
        armPlayback(readingUntil);
        return false;
      }
      readingUntil = -1;
      return true;
    }
    startCheck.observe(now, heldBytes());
    if (now < manifestAt) {
      armPlayback(manifestAt);
      return false;
    }
    if (!startCheck.ready(now, pos, bufferedEnd())) {
      return false; // a chunk arrival calls advance again; between arrivals the answer cannot change
    }
    long readCost = w.scenario.chunkReadNanos() + (started ? 0 : startProcessing);
    if (readCost > 0) {
      readingUntil = now + readCost;
      armPlayback(readingUntil);
      return false;
    }
    return true;
  }

  /** The offset of the first chunk not held at or after the playhead's chunk. */
  private long bufferedEnd() {
    if (holdsTrack(playTrack)) {
      return layout.sizeBytes();
    }
    BitSet b = playTrack == acquiringTrack ? acquiringChunks : partial.get(playTrack);
    int c = layout.chunkAt(pos);
    int missing = b == null ? c : b.nextClearBit(c);
    return missing >= layout.chunkCount() ? layout.sizeBytes() : layout.chunkOffset(missing);
  }

  /**
   * Moves the playhead to {@code to}: the bytes it passed count as played twice over, once as the
   * playhead's own distance and once split by the chunks they belong to, each attributed to where
   * its chunk came from. The run's invariant checks that the two agree.
   */
  private void moveTo(long now, long to) {
    if (to > pos) {
      w.metrics.playheadMoved(now, to - pos);
      for (int c = layout.chunkAt(pos); c < layout.chunkCount() && layout.chunkOffset(c) < to; c++) {
        long from = Math.max(pos, layout.chunkOffset(c));
        long end = Math.min(to, layout.chunkOffset(c) + layout.chunkLength(c));
        w.metrics.playedChunk(now, (int) (end - from), playSources[c]);
      }
    }
    pos = to;
  }

  /**
   * Moves the player to {@code now}: starts it, runs the playhead, stalls it, resumes it, jumps at
   * a seek or ends the play, and arms the playback event for the next thing that will happen.
   */
  void advance(long now) {
    while (playTrack >= 0) {
      if (!started || stalled) {
        if (!mayStart(now)) {
          return;
        }
        if (!started) {
          started = true;
          w.metrics.playStarted(now, now - playRequestedAt, heldAtRequest);
        }
        stalled = false;
        lastAdvance = now;
      }
      long limit = Math.min(segEnd, bufferedEnd());
      long reachAt = lastAdvance + Math.max(1, layout.nanosOf(limit - pos));
      if (limit <= pos) {
        reachAt = lastAdvance;
      }
      if (now < reachAt) {
        long target = Math.min(limit - 1, pos + layout.bytesOf(now - lastAdvance));
        if (target > pos) {
          moveTo(now, target);
          lastAdvance = now;
        }
        armPlayback(Math.min(reachAt, prefetchPointAt()));
        return;
      }
      moveTo(now, limit);
      lastAdvance = reachAt;
      if (limit >= segEnd) {
        if (segment == 1 && cursor.seeked()) {
          segment = 2;
          pos = Math.min(layout.sizeBytes() - 1, bytesAtMillis(cursor.seekToMillis())); // a jump: nothing played
          segEnd = Math.min(layout.sizeBytes(), bytesAtMillis(cursor.endMillis()));
          stalled = true; // waits for ready at the new position without counting a stutter
          core.seek(w.trackId(playTrack), pos, now);
          continue;
        }
        endPlay(now);
        return;
      }
      stalled = true;
      w.metrics.stutter(now, !stuttered);
      stuttered = true;
    }
  }

  /**
   * When the playhead will cross the point where the core starts prefetching the next track
   * (the prefetch window before the end), if that is still ahead: the player wakes there to tell
   * the core, as a node's reader reports its position all along. Long.MAX_VALUE otherwise.
   */
  private long prefetchPointAt() {
    if (cursor.nextTrack() < 0) {
      return Long.MAX_VALUE;
    }
    long point = layout.sizeBytes() - layout.bytesOf(w.scenario.swarm().prefetchWindowNanos());
    if (point <= pos || prefetchReported) {
      return Long.MAX_VALUE;
    }
    return lastAdvance + Math.max(1, layout.nanosOf(point - pos));
  }

  /** Tells the core where the playhead is (what a node's stream reader does as it reads). */
  void reportPlayhead(long now) {
    if (playTrack >= 0 && started) {
      if (pos >= layout.sizeBytes() - layout.bytesOf(w.scenario.swarm().prefetchWindowNanos())) {
        prefetchReported = true;
      }
      core.seek(w.trackId(playTrack), pos, now);
    }
  }

  private void armPlayback(long at) {
    if (at == playbackEventAt && playbackEventId >= 0) {
      return;
    }
    playbackEventAt = at;
    playbackEventId = w.armPlayback(this, at);
  }

  /** The play ends (its listened part is over): the session moves on or ends. */
  private void endPlay(long now) {
    finishPlay();
    if (cursor.nextTrack() >= 0
        && w.workload.sessions().advance(sessionRng, cursor, w.repeats, host)) {
      startPlay(now);
      return;
    }
    inSession = false;
    core.stop(now);
    prune();
    w.scheduleSession(this, now + w.workload.sessions().sampleGapNanos(sessionRng));
  }

  /** Leaves the current play without moving the session (the play ended or the peer leaves). */
  void finishPlay() {
    if (playTrack < 0) {
      return;
    }
    if (holdsTrack(playTrack)) {
      // Played whole: a later play of it comes from the cache. An unfinished track keeps where its
      // chunks came from while the core still fetches it (a replay continues the same download).
      sources.remove(playTrack);
      forgetAcquiring();
    }
    playTrack = -1;
    layout = null;
    playSources = null;
    startCheck = null;
    readingUntil = -1;
    playbackEventId = -1;
    playbackEventAt = -1;
    w.playing(-1);
  }

  /** Drops what is kept of tracks the core no longer fetches (partial chunks, sources). */
  private void prune() {
    TrackId playing = core.playing();
    TrackId prefetching = core.prefetching();
    int a = playing == null ? -1 : Ids.track(playing);
    int b = prefetching == null ? -1 : Ids.track(prefetching);
    List<TrackId> dropped = null;
    for (Iterator<Integer> it = partial.keySet().iterator(); it.hasNext(); ) {
      int t = it.next();
      if (t != a && t != b) {
        // The whole-track cache keeps no unfinished track: its chunks are gone, as for an evicted
        // one, and the core tells the tracker at its next holdings flush.
        it.remove();
        dropped = dropped == null ? new ArrayList<>(1) : dropped;
        dropped.add(w.trackId(t));
      }
    }
    sources.keySet().removeIf(t -> t != a && t != b && t != playTrack);
    forgetAcquiring();
    holdingsVersion++;
    if (dropped != null) {
      List<TrackId> tracks = dropped;
      w.deliverAfter(0, this, EventCensus.TRACKS_DROPPED, now -> core.tracksDropped(tracks, now));
    }
  }

  boolean needsTick() {
    if (core.outstandingPeerRequests() > 0 || core.outstandingCdnFetches() > 0
        || core.holdingsPending()) {
      return true;
    }
    TrackId playing = core.playing();
    TrackId prefetching = core.prefetching();
    return (playing != null && !holdsTrack(Ids.track(playing)))
        || (prefetching != null && !holdsTrack(Ids.track(prefetching)));
  }
}
