package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.core.RecordingActions.Ban;
import dev.chorus.node.internal.core.RecordingActions.Cancel;
import dev.chorus.node.internal.core.RecordingActions.CdnCancel;
import dev.chorus.node.internal.core.RecordingActions.CdnFetch;
import dev.chorus.node.internal.core.RecordingActions.Connect;
import dev.chorus.node.internal.core.RecordingActions.FetchManifest;
import dev.chorus.node.internal.core.RecordingActions.Lookup;
import dev.chorus.node.internal.core.RecordingActions.Request;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The playback scheduler, driven with a fake clock and a recording action sink. The track plays
 * at 20,000 B/s (160 kbit/s), so 15 s of audio are 300,000 bytes: chunks 0..18 of 16 KiB.
 */
class SwarmCoreTest {
  static final long MS = 1_000_000L;
  static final long S = 1_000 * MS;
  static final int CHUNK = 16_384;
  static final TrackId TRACK = track(1);
  static final TrackId OTHER = track(2);
  /** 120 s at 20,000 B/s: 2,400,000 bytes, 147 chunks. */
  static final TrackLayout LAYOUT = TrackLayout.of(TRACK, 2_400_000, CHUNK, 120 * S);
  static final TrackLayout OTHER_LAYOUT = TrackLayout.of(OTHER, 2_400_000, CHUNK, 120 * S);
  /** Chunks within 15 s of position 0. */
  static final int WINDOW_CHUNKS = 19;

  final RecordingActions actions = new RecordingActions();
  final Map<TrackId, BitSet> cache = new HashMap<>();
  SwarmCore core;
  long now = 1_000 * S;

  @BeforeEach
  void setUp() {
    core = newCore(SwarmConfig.defaults());
  }

  SwarmCore newCore(SwarmConfig config) {
    return new SwarmCore(config, actions, SwarmListener.NONE,
        t -> (BitSet) cache.getOrDefault(t, new BitSet()).clone(), new SplittableRandom(42));
  }

  static TrackId track(int n) {
    byte[] b = new byte[32];
    b[0] = (byte) n;
    return TrackId.fromBytes(b);
  }

  static NodeId peer(int n) {
    byte[] b = new byte[32];
    b[0] = (byte) n;
    return NodeId.fromBytes(b);
  }

  static PeerContact contact(int n) {
    return new PeerContact(peer(n), new byte[32], new byte[] {10, 0, 0, (byte) n}, 4000 + n,
        VivaldiCoordinate.ORIGIN);
  }

  void start(TrackLayout layout) {
    core.play(layout.trackId(), now);
    core.layoutKnown(layout, now);
  }

  void connectHolder(int n, TrackId track) {
    core.peersFound(track, List.of(PeerHolding.complete(contact(n))), now);
    core.peerConnected(contact(n), now);
  }

  /** Delivers every chunk of a request from its peer, one every {@code gapNanos}. */
  void deliver(Request r, long gapNanos) {
    for (int i = r.first(); i < r.first() + r.count(); i++) {
      now += gapNanos;
      core.chunkArrived(r.peer(), r.id(), r.track(), i, now);
    }
  }

  static BitSet covered(List<? extends RecordingActions.Command> commands) {
    BitSet b = new BitSet();
    for (RecordingActions.Command c : commands) {
      if (c instanceof Request r) {
        b.set(r.first(), r.first() + r.count());
      } else if (c instanceof CdnFetch f) {
        b.set(f.first(), f.first() + f.count());
      }
    }
    return b;
  }

  @Test
  void playbackStartsWithManifestLookupAndFifteenSecondsFromTheCdn() {
    start(LAYOUT);
    assertEquals(List.of(new FetchManifest(TRACK)), actions.all(FetchManifest.class));
    assertEquals(List.of(new Lookup(TRACK, 10)), actions.all(Lookup.class));
    BitSet fromCdn = covered(actions.all(CdnFetch.class));
    assertEquals(0, fromCdn.nextSetBit(0));
    assertEquals(WINDOW_CHUNKS, fromCdn.cardinality(), "about 15 s while discovery is pending");
  }

  @Test
  void withNoPeersAfterDiscoveryTheCdnServesTheWholeTrack() {
    start(LAYOUT);
    for (CdnFetch f : actions.all(CdnFetch.class)) {
      for (int i = f.first(); i < f.first() + f.count(); i++) {
        core.cdnChunkArrived(f.id(), i, now);
      }
      core.cdnFetchDone(f.id(), true, now);
    }
    now += 3 * S; // discovery grace over; the lookup found nobody
    core.peersFound(TRACK, List.of(), now);
    while (core.outstandingCdnFetches() > 0 || actions.all(CdnFetch.class).isEmpty()) {
      core.tick(now);
      List<CdnFetch> open = new ArrayList<>(actions.all(CdnFetch.class));
      actions.clear();
      for (CdnFetch f : open) {
        for (int i = f.first(); i < f.first() + f.count(); i++) {
          core.cdnChunkArrived(f.id(), i, now);
        }
        core.cdnFetchDone(f.id(), true, now);
      }
      if (open.isEmpty()) {
        break;
      }
    }
    assertEquals(LAYOUT.chunkCount(), core.currentHeld().cardinality());
  }

  @Test
  void peersFetchTheWholeTrackAndTheCdnOnlyTheFirstWindow() {
    start(LAYOUT);
    connectHolder(7, TRACK);
    assertEquals(List.of(new Connect(peer(7))), actions.all(Connect.class));
    BitSet fromCdn = covered(actions.all(CdnFetch.class));
    // Peers serve in runs of at most 64 chunks: the 128 chunks after the window in two requests.
    assertEquals(2, actions.all(Request.class).size());
    for (int round = 0; round < 10 && core.outstandingPeerRequests() > 0; round++) {
      List<Request> open = actions.all(Request.class);
      actions.clear();
      for (Request r : open) {
        assertEquals(Priority.PLAYBACK, r.priority());
        assertTrue(r.count() <= 64);
        deliver(r, MS);
      }
      fromCdn.or(covered(actions.all(CdnFetch.class)));
    }
    assertEquals(WINDOW_CHUNKS, fromCdn.cardinality(), "CDN only for the first 15 s");
    for (int i = 0; i < WINDOW_CHUNKS; i++) {
      assertTrue(fromCdn.get(i));
    }
    assertEquals(LAYOUT.chunkCount() - WINDOW_CHUNKS, core.currentHeld().cardinality());
  }

  @Test
  void aFastPeerAlreadyKnownSkipsTheInitialCdnRequest() {
    // Measure peer 7 as fast on one track, then play another it also holds.
    start(LAYOUT);
    connectHolder(7, TRACK);
    Request first = actions.all(Request.class).get(0);
    deliver(first, MS / 10); // 16 KiB per 0.1 ms: ~160 MB/s
    actions.clear();
    core.peersFound(OTHER, List.of(), now);
    core.play(OTHER, now);
    core.peerHas(peer(7), OTHER, true, new BitSet(), now);
    core.layoutKnown(OTHER_LAYOUT, now);
    assertTrue(actions.all(CdnFetch.class).isEmpty(), actions.log.toString());
    assertFalse(actions.all(Request.class, r -> r.track().equals(OTHER) && r.first() == 0).isEmpty());
  }

  @Test
  void peersAreRankedByExpectedDownloadTime() {
    core = newCore(SwarmConfig.builder().maxRunChunks(4).maxRequestsPerPeer(1).build());
    start(LAYOUT);
    connectHolder(1, TRACK);
    connectHolder(2, TRACK);
    core.peerHas(peer(1), OTHER, true, new BitSet(), now);
    core.peerHas(peer(2), OTHER, true, new BitSet(), now);
    // Measure: peer 1 slower (10 ms per chunk), peer 2 faster (1 ms per chunk).
    for (Request r : actions.all(Request.class)) {
      deliver(r, r.peer().equals(peer(1)) ? 10 * MS : MS);
    }
    actions.clear();
    core.play(OTHER, now);
    core.layoutKnown(OTHER_LAYOUT, now);
    List<Request> next = actions.all(Request.class, r -> r.track().equals(OTHER));
    assertFalse(next.isEmpty(), actions.log.toString());
    assertEquals(0, next.get(0).first());
    assertEquals(peer(2), next.get(0).peer(), "the most urgent run goes to the fastest peer");
    assertEquals(peer(1), next.get(1).peer(), "the next one to the peer with the least expected time");
  }

  @Test
  void aStalledRequestIsResentToAnotherPeer() {
    core = newCore(SwarmConfig.builder().maxRequestsPerPeer(2).build());
    start(LAYOUT);
    core.peersFound(TRACK, List.of(PeerHolding.complete(contact(1))), now);
    core.peerConnected(contact(1), now);
    Request stalled = actions.all(Request.class).get(0);
    Request other = actions.all(Request.class).get(1);
    actions.clear();
    now += S;
    core.chunkArrived(peer(1), other.id(), TRACK, other.first(), now); // that one progresses
    connectHolder(2, TRACK);
    now += 1_100 * MS;
    core.tick(now);
    assertTrue(actions.log.contains(new Cancel(peer(1), stalled.id())), actions.log.toString());
    List<Request> resent = actions.all(Request.class, r -> r.first() == stalled.first());
    assertEquals(1, resent.size(), actions.log.toString());
    assertEquals(peer(2), resent.get(0).peer());
  }

  @Test
  void anUrgentChunkFromASlowPeerGoesToTheCdn() {
    core = newCore(SwarmConfig.builder().initialCdnWindow(java.time.Duration.ofSeconds(1)).build());
    start(LAYOUT);
    // The CDN delivers the first second; the playhead then needs chunk 2 soon.
    for (CdnFetch f : actions.all(CdnFetch.class)) {
      for (int i = f.first(); i < f.first() + f.count(); i++) {
        core.cdnChunkArrived(f.id(), i, now);
      }
      core.cdnFetchDone(f.id(), true, now);
    }
    connectHolder(1, TRACK);
    Request r = actions.all(Request.class).get(0);
    // A trickle: one chunk in 1.5 s, so the rest will be late.
    now += 1_500 * MS;
    core.chunkArrived(r.peer(), r.id(), TRACK, r.first(), now);
    actions.clear();
    core.seek(TRACK, LAYOUT.chunkOffset(r.first()), now);
    core.tick(now);
    assertTrue(actions.log.contains(new Cancel(r.peer(), r.id())), actions.log.toString());
    List<CdnFetch> cdn = actions.all(CdnFetch.class);
    assertFalse(cdn.isEmpty());
    assertEquals(r.first() + 1, cdn.get(0).first(), "the next chunk due is fetched from the CDN");
  }

  @Test
  void cdnReadsStayWithinFifteenSecondsWhilePeersExist() {
    start(LAYOUT);
    connectHolder(1, TRACK);
    core.tick(now);
    for (int step = 0; step < 50; step++) {
      now += S;
      core.seek(TRACK, LAYOUT.bytesOf(step * S), now);
      core.tick(now);
    }
    for (CdnFetch f : actions.all(CdnFetch.class)) {
      assertTrue(LAYOUT.chunkOffset(f.first()) < LAYOUT.bytesOf(65 * S), f.toString());
    }
  }

  @Test
  void aTrackChangeCancelsTheOldTracksRequests() {
    start(LAYOUT);
    connectHolder(1, TRACK);
    List<Request> old = actions.all(Request.class);
    List<CdnFetch> oldCdn = actions.all(CdnFetch.class);
    assertFalse(old.isEmpty());
    assertFalse(oldCdn.isEmpty());
    actions.clear();
    core.play(OTHER, now);
    for (Request r : old) {
      assertTrue(actions.log.contains(new Cancel(r.peer(), r.id())));
    }
    for (CdnFetch f : oldCdn) {
      assertTrue(actions.log.contains(new CdnCancel(f.id())));
    }
    assertEquals(0, core.outstandingPeerRequests());
    assertEquals(OTHER, core.playing());
  }

  @Test
  void theNextTrackIsPrefetchedWhenThirtySecondsRemain() {
    start(LAYOUT);
    core.queueNext(OTHER, now);
    core.seek(TRACK, LAYOUT.bytesOf(89 * S), now);
    assertTrue(actions.all(FetchManifest.class, f -> f.track().equals(OTHER)).isEmpty());
    core.seek(TRACK, LAYOUT.bytesOf(91 * S), now);
    assertEquals(1, actions.all(FetchManifest.class, f -> f.track().equals(OTHER)).size());
    assertEquals(OTHER, core.prefetching());
    core.layoutKnown(OTHER_LAYOUT, now);
    connectHolder(3, OTHER);
    List<Request> prefetch = actions.all(Request.class, r -> r.track().equals(OTHER));
    assertFalse(prefetch.isEmpty());
    prefetch.forEach(r -> assertEquals(Priority.PREFETCH, r.priority()));
    // Playing it promotes the download: requests keep going, new ones are PLAYBACK.
    actions.clear();
    core.play(OTHER, now);
    assertTrue(actions.all(Cancel.class, c -> c.peer().equals(peer(3))).isEmpty());
    assertEquals(OTHER, core.playing());
  }

  @Test
  void aPeerSendingABadChunkIsBannedAndItsChunksAreFetchedElsewhere() {
    start(LAYOUT);
    connectHolder(1, TRACK);
    Request bad = actions.all(Request.class).get(0);
    connectHolder(2, TRACK);
    actions.clear();
    core.badChunk(peer(1), bad.id(), bad.first(), now);
    assertEquals(List.of(new Ban(peer(1), ErrorCode.BAD_CHUNK)), actions.all(Ban.class));
    assertFalse(core.isNeighbour(peer(1)));
    core.tick(now);
    BitSet again = covered(actions.log);
    assertTrue(again.get(bad.first()), "the chunk is asked of someone else: " + actions.log);
    assertTrue(actions.all(Request.class, r -> r.peer().equals(peer(1))).isEmpty());
  }

  @Test
  void aPeerThatHungUpBeforeItsBadChunkWasVerifiedIsBannedAllTheSame() {
    start(LAYOUT);
    connectHolder(1, TRACK);
    Request bad = actions.all(Request.class).get(0);
    core.peerDisconnected(peer(1), now); // it hung up; its chunk was still being verified
    actions.clear();
    core.badChunk(peer(1), bad.id(), bad.first(), now);
    assertEquals(List.of(new Ban(peer(1), ErrorCode.BAD_CHUNK)), actions.all(Ban.class));
    assertTrue(core.isBanned(peer(1), now));
    core.badChunk(peer(1), bad.id(), bad.first() + 1, now);
    assertEquals(1, actions.all(Ban.class).size(), "banned once");
  }

  @Test
  void aBannedPeerIsNotDialledUntilItsBanEnds() {
    long ban = 5 * 60 * S;
    core = newCore(SwarmConfig.builder().banDuration(java.time.Duration.ofNanos(ban)).build());
    start(LAYOUT);
    connectHolder(1, TRACK);
    Request bad = actions.all(Request.class).get(0);
    core.peerDisconnected(peer(1), now);
    core.badChunk(peer(1), bad.id(), bad.first(), now);
    actions.clear();

    // The tracker keeps naming it: it is not dialled while banned...
    now += ban - S;
    core.peersFound(TRACK, List.of(PeerHolding.complete(contact(1))), now);
    core.tick(now);
    assertTrue(actions.all(Connect.class).isEmpty(), actions.log.toString());
    assertTrue(core.isBanned(peer(1), now));
    // ...and if it gets through to us anyway, it is sent away and never becomes a neighbour.
    assertTrue(core.peerConnected(contact(1), now));
    assertFalse(core.isNeighbour(peer(1)));
    assertEquals(List.of(new RecordingActions.Disconnect(peer(1), ErrorCode.BANNED)),
        actions.all(RecordingActions.Disconnect.class));

    // Once the ban has ended it is dialled again like any holder.
    now += S;
    assertFalse(core.isBanned(peer(1), now));
    core.peersFound(TRACK, List.of(PeerHolding.complete(contact(1))), now);
    assertEquals(List.of(new Connect(peer(1))), actions.all(Connect.class));
  }

  @Test
  void chunksAPeerDoesNotHaveAreAskedElsewhere() {
    start(LAYOUT);
    connectHolder(1, TRACK);
    Request r = actions.all(Request.class).get(0);
    connectHolder(2, TRACK);
    actions.clear();
    core.chunkMissing(peer(1), r.id(), r.first(), r.count(), ErrorCode.CHUNK_UNAVAILABLE, now);
    assertTrue(covered(actions.log).get(r.first()));
  }

  @Test
  void cachedChunksAreNeverFetched() {
    BitSet held = new BitSet();
    held.set(0, 100);
    cache.put(TRACK, held);
    start(LAYOUT);
    connectHolder(1, TRACK);
    BitSet fetched = covered(actions.log);
    assertFalse(fetched.intersects(held), "fetched cached chunks: " + actions.log);
    assertEquals(100, fetched.nextSetBit(0));
  }

  @Test
  void aCachedTrackIsPlayedWithoutAskingTheTrackerOrTheOverlay() {
    BitSet all = new BitSet();
    all.set(0, LAYOUT.chunkCount());
    cache.put(TRACK, all);
    core.peerConnected(contact(5), now);
    actions.clear();
    start(LAYOUT);
    core.tick(now + 20 * S);
    assertTrue(actions.all(RecordingActions.Lookup.class).isEmpty(), actions.log.toString());
    assertTrue(actions.all(RecordingActions.Query.class).isEmpty(), actions.log.toString());
    assertTrue(actions.all(RecordingActions.CdnFetch.class).isEmpty(), actions.log.toString());
  }

  @Test
  void aPartlyCachedTrackLooksForPeersOnceItsManifestIsKnown() {
    BitSet some = new BitSet();
    some.set(0, 10);
    cache.put(TRACK, some);
    core.play(TRACK, now);
    assertTrue(actions.all(RecordingActions.Lookup.class).isEmpty(), "waits for the manifest");
    core.layoutKnown(LAYOUT, now);
    assertEquals(1, actions.all(RecordingActions.Lookup.class).size(), actions.log.toString());
  }

  @Test
  void anUncachedTrackLooksForPeersWhileItsManifestIsFetched() {
    core.play(TRACK, now);
    assertEquals(1, actions.all(RecordingActions.Lookup.class).size(), actions.log.toString());
  }

  @Test
  void aNewNeighbourIsAskedWhatItHoldsOfTheDownloads() {
    start(LAYOUT);
    actions.clear();
    core.peerConnected(contact(5), now);
    List<RecordingActions.Query> asked = actions.all(RecordingActions.Query.class);
    assertEquals(1, asked.size());
    assertEquals(peer(5), asked.get(0).peer());
    assertEquals(TRACK, asked.get(0).track());
    assertEquals(1, asked.get(0).hops());
    // Its answer (it completed the track since the tracker heard of it) makes it a holder.
    core.queryAnswered(peer(5), asked.get(0).id(), List.of(PeerHolding.complete(contact(5))), now);
    assertFalse(actions.all(Request.class, r -> r.peer().equals(peer(5))).isEmpty());
  }

  @Test
  void aPartialHolderWithNothingNewIsNoReasonToHoldBackTheCdn() {
    start(LAYOUT);
    BitSet few = new BitSet();
    few.set(0, 3); // chunks the CDN window fetches anyway
    core.peersFound(TRACK, List.of(PeerHolding.partial(contact(4), few)), now);
    core.peerConnected(contact(4), now);
    for (CdnFetch f : actions.all(CdnFetch.class)) {
      for (int i = f.first(); i < f.first() + f.count(); i++) {
        core.cdnChunkArrived(f.id(), i, now);
      }
      core.cdnFetchDone(f.id(), true, now);
    }
    actions.clear();
    now += 3 * S;
    core.tick(now);
    BitSet more = covered(actions.all(CdnFetch.class));
    assertTrue(more.cardinality() > 0 && more.nextSetBit(0) == WINDOW_CHUNKS,
        "the CDN goes on past the window: " + actions.log);
  }

  @Test
  void acquiredChunksAreAnnouncedAndToldToNeighboursAtTheNextFlushOnly() {
    start(LAYOUT);
    core.peerConnected(contact(6), now);
    connectHolder(5, TRACK);
    Request req = actions.all(Request.class, r -> r.peer().equals(peer(5))).get(0);
    actions.clear();
    deliver(req, MS);
    assertTrue(actions.all(RecordingActions.Announce.class).isEmpty(), "nothing inside the core's call");
    now += S;
    core.tick(now);
    assertEquals(List.of(new RecordingActions.Announce(List.of(TRACK))),
        actions.all(RecordingActions.Announce.class));
    assertEquals(List.of(new RecordingActions.SendHave(peer(5), TRACK), new RecordingActions.SendHave(peer(6), TRACK)),
        actions.all(RecordingActions.SendHave.class).stream().sorted(
            java.util.Comparator.comparing(h -> h.peer().toHex())).toList());
    actions.clear();
    now += S;
    core.tick(now);
    assertTrue(actions.all(RecordingActions.Announce.class).isEmpty(), "nothing new, nothing sent");
  }

  @Test
  void droppedTracksAreWithdrawnAtTheNextFlush() {
    core.tracksDropped(List.of(OTHER), now);
    assertTrue(core.holdingsPending());
    assertTrue(actions.all(RecordingActions.Withdraw.class).isEmpty());
    core.tick(now);
    assertEquals(List.of(new RecordingActions.Withdraw(List.of(OTHER))),
        actions.all(RecordingActions.Withdraw.class));
    assertFalse(core.holdingsPending());
  }

  @Test
  void anEventDeliveredInsideACommandIsRefused() {
    SwarmCore[] self = new SwarmCore[1];
    RecordingActions reentrant = new RecordingActions() {
      @Override
      public void lookup(TrackId trackId, int maxPeers) {
        self[0].lookupFailed(trackId, now); // a shell answering from inside the call
      }
    };
    self[0] = new SwarmCore(SwarmConfig.defaults(), reentrant, SwarmListener.NONE, t -> new BitSet(),
        new SplittableRandom(1));
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> self[0].play(TRACK, now)); // an uncached track is looked up at once
    assertTrue(e.getMessage().contains("lookupFailed") && e.getMessage().contains("lookup"), e.getMessage());
    self[0].tick(now + S); // and the core goes on taking events afterwards
  }

  @Test
  void sameEventsGiveTheSameCommands() {
    List<RecordingActions.Command> first = script();
    actions.clear();
    core = newCore(SwarmConfig.defaults());
    now = 1_000 * S;
    assertEquals(first, script());
  }

  private List<RecordingActions.Command> script() {
    start(LAYOUT);
    for (int p = 1; p <= 5; p++) {
      connectHolder(p, TRACK);
    }
    for (int step = 0; step < 20; step++) {
      List<Request> open = actions.all(Request.class);
      for (Request r : open) {
        now += MS;
        core.chunkArrived(r.peer(), r.id(), r.track(), r.first(), now);
      }
      now += 100 * MS;
      core.tick(now);
    }
    return new ArrayList<>(actions.log);
  }
}
