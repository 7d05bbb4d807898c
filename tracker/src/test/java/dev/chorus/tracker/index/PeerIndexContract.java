package dev.chorus.tracker.index;

import static dev.chorus.tracker.index.IndexTestData.CHUNKS;
import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.bitmap;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.coordinate;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.ipv6;
import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static dev.chorus.tracker.index.IndexTestData.partial;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link PeerIndex} implementation owes, from its javadoc. Subclass it, give
 * {@link #newIndex}, and every test here runs against your implementation.
 *
 * <p>Times are explicit epoch milliseconds, whole seconds apart (implementations may keep seconds
 * only), starting at {@link IndexTestData#T0}. Every stage is awaited, so asynchronous
 * implementations work as they are.
 */
public abstract class PeerIndexContract {
  private static final long SECOND = 1000;
  private final List<PeerIndex> created = new ArrayList<>();

  /** A new, empty index with {@code config}. Closed by the suite after each test. */
  protected abstract PeerIndex newIndex(PeerIndexConfig config) throws Exception;

  @AfterEach
  public void closeCreatedIndexes() {
    for (PeerIndex index : created) {
      index.close();
    }
    created.clear();
  }

  /** A new index, closed after the test. */
  protected final PeerIndex open(PeerIndexConfig config) throws Exception {
    PeerIndex index = newIndex(config);
    created.add(index);
    return index;
  }

  protected static PeerIndexConfig config(int keepPerTrack, Duration ttl) {
    return PeerIndexConfig.builder().keepPerTrack(keepPerTrack).ttl(ttl).build();
  }

  /** Waits for {@code stage} (up to 30 s) and returns its value. */
  protected static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("stage failed", e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  protected static void announce(PeerIndex index, PeerInfo peer, boolean full, long now, Holding... holdings) {
    await(index.announce(peer, full, List.of(holdings), now));
  }

  /**
   * The candidates for {@code track}; where the index also answers at once ({@link
   * PeerIndex#candidatesNow}), every test checks that both answers agree.
   */
  protected static List<Candidate> candidates(PeerIndex index, int track, long now) {
    List<Candidate> got = await(index.candidates(track(track), now));
    CandidateList at = new CandidateList();
    at.add(peer(999), complete(track), now); // candidatesNow appends: what was there stays
    if (index.candidatesNow(track(track), now, at)) {
      List<Candidate> appended = new ArrayList<>();
      for (int i = 1; i < at.size(); i++) {
        appended.add(at.candidate(i));
      }
      assertEquals(got, appended, "candidatesNow and candidates disagree");
      assertEquals(peer(999), at.peer(0));
    }
    return got;
  }

  /** The node ids of {@code candidates}, in order. */
  protected static List<NodeId> ids(List<Candidate> candidates) {
    List<NodeId> ids = new ArrayList<>();
    for (Candidate c : candidates) {
      ids.add(c.peer().nodeId());
    }
    return ids;
  }

  protected static List<NodeId> ids(int... peers) {
    List<NodeId> ids = new ArrayList<>();
    for (int p : peers) {
      ids.add(nodeId(p));
    }
    return ids;
  }

  protected static IndexStats stats(PeerIndex index) {
    return await(index.stats());
  }

  /**
   * Whether this implementation's track count may stay above the exact one until its expiry sweep
   * has run (the in-memory index: a departed peer's tracks are found by the sweep, see its docs).
   * Peers and entries are exact at all times either way.
   */
  protected boolean trackCountLagsUntilSwept() {
    return false;
  }

  /**
   * {@code expected} are the stats. Where the track count may lag, checks peers and entries, a
   * track count at least the expected one, and then the exact stats after a sweep at time 0, which
   * expires nothing (every entry is younger than its TTL then).
   */
  protected void assertStats(IndexStats expected, PeerIndex index) {
    IndexStats now = stats(index);
    if (trackCountLagsUntilSwept()) {
      assertEquals(expected.peers(), now.peers(), "peers");
      assertEquals(expected.entries(), now.entries(), "entries");
      assertTrue(now.tracks() >= expected.tracks(), "tracks " + now.tracks() + " < " + expected.tracks());
      assertEquals(0L, await(index.expire(0)), "a sweep at time 0 expires nothing");
      now = stats(index);
    }
    assertEquals(expected, now);
  }

  private PeerIndex index(int keep) throws Exception {
    return open(config(keep, Duration.ofMinutes(30)));
  }

  // ---------------------------------------------------------------------------------------------
  // Bounds

  private PeerIndex bounded(int perPeer, int perPrefix, int prefixV4, int prefixV6) throws Exception {
    return open(PeerIndexConfig.builder().maxHoldingsPerPeer(perPeer).maxHoldingsPerPrefix(perPrefix)
        .quotaPrefix(prefixV4, prefixV6).build());
  }

  private static AnnounceResult announceChecked(PeerIndex index, PeerInfo peer, boolean full, long now, int... tracks) {
    List<Holding> holdings = new ArrayList<>();
    for (int t : tracks) {
      holdings.add(complete(t));
    }
    return await(index.announceChecked(peer, full, holdings, now));
  }

  private static PeerInfo at(int n, byte[] ip) {
    return peer(n, ip, 20_000 + n, coordinate(1, 1, 1), "");
  }

  @Test
  public void aPeerAtItsCapIsRefusedNewHoldingsButRefreshesWhatItHolds() throws Exception {
    PeerIndex index = bounded(3, 100, 32, 64);
    PeerInfo p = peer(1);
    AnnounceResult r = announceChecked(index, p, false, T0, 1, 2, 3, 4, 5);
    assertEquals(2, r.refused(AnnounceResult.Refusal.PEER_CAP));
    assertEquals(2, r.refusedTotal());
    assertEquals(3, stats(index).entries());
    assertEquals(ids(1), ids(candidates(index, 1, T0)));
    assertEquals(ids(1), ids(candidates(index, 3, T0)));
    assertTrue(candidates(index, 4, T0).isEmpty(), "a refused holding is not indexed");

    r = announceChecked(index, p, false, T0 + SECOND, 3, 2, 1);
    assertEquals(0, r.refusedTotal(), "re-announcing held tracks is never refused by the caps");
    assertEquals(T0 + SECOND, candidates(index, 1, T0 + SECOND).get(0).lastSeenMillis());

    await(index.withdraw(p.nodeId(), List.of(track(1))));
    r = announceChecked(index, p, false, T0 + SECOND, 4, 5);
    assertEquals(1, r.refused(AnnounceResult.Refusal.PEER_CAP), "room for one after a withdraw");
    assertEquals(ids(1), ids(candidates(index, 4, T0 + SECOND)));
    assertEquals(3, stats(index).entries());
  }

  @Test
  public void aFullAnnounceReplacesWithinTheCap() throws Exception {
    PeerIndex index = bounded(3, 100, 32, 64);
    PeerInfo p = peer(1);
    assertEquals(0, announceChecked(index, p, true, T0, 1, 2, 3).refusedTotal());
    assertEquals(0, announceChecked(index, p, true, T0 + SECOND, 4, 5, 6).refusedTotal(),
        "what a full announce replaces does not count against it");
    assertEquals(3, stats(index).entries());
    assertTrue(candidates(index, 1, T0 + SECOND).isEmpty());
    assertEquals(1, announceChecked(index, p, true, T0 + 2 * SECOND, 6, 7, 8, 9).refused(AnnounceResult.Refusal.PEER_CAP));
    assertEquals(3, stats(index).entries());
  }

  @Test
  public void theKeysOfOneIpv6Slash64ShareItsCap() throws Exception {
    PeerIndex index = bounded(3, 5, 32, 64);
    PeerInfo a = at(1, ipv6("fd00::1"));
    PeerInfo b = at(2, ipv6("fd00::ffff:2")); // same /64, other address, other key
    PeerInfo c = at(3, ipv6("fd00:0:0:1::1")); // the next /64
    assertEquals(0, announceChecked(index, a, false, T0, 1, 2, 3).refusedTotal());
    AnnounceResult r = announceChecked(index, b, false, T0, 4, 5, 6);
    assertEquals(1, r.refused(AnnounceResult.Refusal.PREFIX_CAP));
    assertEquals(1, r.refusedTotal());
    assertEquals(0, announceChecked(index, c, false, T0, 7, 8, 9).refusedTotal(), "another /64 has its own cap");
    assertEquals(8, stats(index).entries());
    assertTrue(candidates(index, 6, T0).isEmpty());

    await(index.removePeer(a.nodeId()));
    assertEquals(0, announceChecked(index, b, false, T0 + SECOND, 6).refusedTotal(), "a removed peer frees its share");
    assertEquals(ids(2), ids(candidates(index, 6, T0 + SECOND)));
  }

  @Test
  public void ipv4AddressesAreCountedOneByOneByDefault() throws Exception {
    PeerIndex index = bounded(3, 3, 32, 64);
    assertEquals(0, announceChecked(index, at(1, ipv4(192, 0, 2, 1)), false, T0, 1, 2, 3).refusedTotal());
    assertEquals(0, announceChecked(index, at(2, ipv4(192, 0, 2, 2)), false, T0, 4, 5, 6).refusedTotal());
    assertEquals(3, announceChecked(index, at(3, ipv4(192, 0, 2, 2)), false, T0, 7, 8, 9)
        .refused(AnnounceResult.Refusal.PREFIX_CAP), "a second key on the same address shares its cap");
  }

  @Test
  public void theQuotaPrefixLengthIsConfigurable() throws Exception {
    PeerIndex index = bounded(3, 4, 24, 48);
    assertEquals(0, announceChecked(index, at(1, ipv4(192, 0, 2, 1)), false, T0, 1, 2, 3).refusedTotal());
    assertEquals(2, announceChecked(index, at(2, ipv4(192, 0, 2, 200)), false, T0, 4, 5, 6)
        .refused(AnnounceResult.Refusal.PREFIX_CAP), "one /24");
    assertEquals(0, announceChecked(index, at(3, ipv4(192, 0, 3, 1)), false, T0, 7, 8, 9).refusedTotal());
    assertEquals(0, announceChecked(index, at(4, ipv6("fd00:0:0:1::1")), false, T0, 1, 2, 3).refusedTotal());
    assertEquals(2, announceChecked(index, at(5, ipv6("fd00:0:0:2::1")), false, T0, 4, 5, 6)
        .refused(AnnounceResult.Refusal.PREFIX_CAP), "one /48");
  }

  @Test
  public void aPeerThatMovesTakesItsEntriesToItsNewPrefix() throws Exception {
    PeerIndex index = bounded(4, 4, 32, 64);
    PeerInfo before = at(1, ipv4(192, 0, 2, 1));
    PeerInfo after = at(1, ipv4(192, 0, 2, 9));
    assertEquals(0, announceChecked(index, before, false, T0, 1, 2, 3).refusedTotal());
    assertEquals(0, announceChecked(index, after, false, T0 + SECOND, 1).refusedTotal());
    assertEquals(0, announceChecked(index, at(2, ipv4(192, 0, 2, 1)), false, T0 + SECOND, 4, 5, 6, 7).refusedTotal(),
        "the old address's share left with the peer");
    assertEquals(1, announceChecked(index, at(3, ipv4(192, 0, 2, 9)), false, T0 + SECOND, 8, 9)
        .refused(AnnounceResult.Refusal.PREFIX_CAP), "and counts at the new one");
  }

  // ---------------------------------------------------------------------------------------------
  // Round trip

  @Test
  public void emptyIndexHasNothing() throws Exception {
    PeerIndex index = index(20);
    assertEquals(List.of(), candidates(index, 1, T0));
    assertStats(new IndexStats(0, 0, 0), index);
    assertEquals(0L, await(index.expire(T0)));
  }

  @Test
  public void candidatesCarryEveryFieldAsAnnounced() throws Exception {
    PeerIndex index = index(20);
    PeerInfo a = peer(1, ipv4(192, 0, 2, 10), 4100,
        VivaldiCoordinate.of(new float[] {10.5f, -20f, 5f}, 2.5f, 0.3f), "eu-west");
    PeerInfo b = peer(2, ipv6("2001:db8:1:2::7"), 0, coordinate(-3, 4, 0), "");
    Holding bHolds = partial(1, 0, 1, 2, 100, CHUNKS - 1);
    announce(index, a, true, T0, complete(1));
    announce(index, b, true, T0 + SECOND, bHolds);

    List<Candidate> got = candidates(index, 1, T0 + 2 * SECOND);
    assertEquals(List.of(new Candidate(b, bHolds, T0 + SECOND), new Candidate(a, complete(1), T0)), got);

    PeerInfo gotA = got.get(1).peer();
    assertEquals(a.nodeId(), gotA.nodeId());
    assertArrayEquals(a.staticKey(), gotA.staticKey());
    assertArrayEquals(ipv4(192, 0, 2, 10), gotA.ip());
    assertEquals(4100, gotA.port());
    assertEquals(a.coordinate(), gotA.coordinate());
    assertEquals(3, gotA.coordinate().dimensions());
    assertEquals(2.5f, gotA.coordinate().heightMs());
    assertEquals("eu-west", gotA.region());
    assertTrue(got.get(1).holding().isComplete());
    assertEquals(track(1), got.get(1).holding().track());
    assertEquals(CHUNKS, got.get(1).holding().chunkCount());

    PeerInfo gotB = got.get(0).peer();
    assertArrayEquals(ipv6("2001:db8:1:2::7"), gotB.ip());
    assertEquals(0, gotB.port());
    assertEquals("", gotB.region());
    Holding h = got.get(0).holding();
    assertFalse(h.isComplete());
    assertEquals(CHUNKS, h.chunkCount());
    assertArrayEquals(bitmap(CHUNKS, 0, 1, 2, 100, CHUNKS - 1), h.bitmap());
    assertTrue(h.has(CHUNKS - 1));
    assertFalse(h.has(3));
  }

  @Test
  public void unknownTrackHasNoCandidates() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(1), true, T0, complete(1));
    assertEquals(List.of(), candidates(index, 2, T0));
  }

  @Test
  public void lastSeenIsTheAnnounceTimeToTheSecond() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(1), true, T0 + 1500, complete(1));
    long seen = candidates(index, 1, T0 + 2000).get(0).lastSeenMillis();
    assertTrue(seen <= T0 + 1500 && seen > T0 + 500, "lastSeenMillis " + seen);
  }

  @Test
  public void partialHoldingsComeBackExactly() throws Exception {
    PeerIndex index = index(20);
    int big = 1000;
    List<Holding> held = new ArrayList<>();
    Random random = new Random(7);
    for (int p = 0; p < 8; p++) {
      byte[] bits = new byte[(big + 7) / 8];
      for (int c = 0; c < big; c++) {
        if (random.nextInt(3) == 0) {
          bits[c >>> 3] |= (byte) (1 << (c & 7));
        }
      }
      Holding h = p == 0 ? Holding.partial(track(5), big, new byte[0]) : Holding.partial(track(5), big, bits);
      held.add(h);
      announce(index, peer(p), false, T0 + p * SECOND, h);
    }
    List<Candidate> got = candidates(index, 5, T0 + 10 * SECOND);
    assertEquals(8, got.size());
    for (int p = 0; p < 8; p++) {
      Holding h = got.get(7 - p).holding();
      assertEquals(held.get(p), h);
      assertArrayEquals(held.get(p).bitmap(), h.bitmap());
      assertEquals(big, h.chunkCount());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Order and cap

  @Test
  public void mostRecentlyAnnouncedComeFirst() throws Exception {
    PeerIndex index = index(20);
    for (int p = 0; p < 5; p++) {
      announce(index, peer(p), false, T0 + p * SECOND, complete(1));
    }
    List<Candidate> got = candidates(index, 1, T0 + 5 * SECOND);
    assertEquals(ids(4, 3, 2, 1, 0), ids(got));
    for (int i = 0; i < 5; i++) {
      assertEquals(T0 + (4 - i) * SECOND, got.get(i).lastSeenMillis());
    }
  }

  @Test
  public void aFullTrackEvictsTheOldestEntry() throws Exception {
    PeerIndex index = index(3);
    for (int p = 0; p < 5; p++) {
      announce(index, peer(p), false, T0 + p * SECOND, complete(1));
    }
    assertEquals(ids(4, 3, 2), ids(candidates(index, 1, T0 + 5 * SECOND)));
    // Peers 0 and 1 had nothing else: they are forgotten.
    assertStats(new IndexStats(3, 1, 3), index);
  }

  @Test
  public void theDefaultKeepsTwentyPerTrack() throws Exception {
    PeerIndex index = open(PeerIndexConfig.defaults());
    for (int p = 0; p < 25; p++) {
      announce(index, peer(p), false, T0 + p * SECOND, complete(1));
    }
    List<Candidate> got = candidates(index, 1, T0 + 25 * SECOND);
    assertEquals(20, got.size());
    assertEquals(nodeId(24), got.get(0).peer().nodeId());
    assertEquals(nodeId(5), got.get(19).peer().nodeId());
  }

  @Test
  public void anEvictedPeerKeepsItsOtherEntries() throws Exception {
    PeerIndex index = index(2);
    announce(index, peer(0), true, T0, complete(1), complete(2));
    announce(index, peer(1), false, T0 + SECOND, complete(1));
    announce(index, peer(2), false, T0 + 2 * SECOND, complete(1));
    assertEquals(ids(2, 1), ids(candidates(index, 1, T0 + 3 * SECOND)));
    assertEquals(ids(0), ids(candidates(index, 2, T0 + 3 * SECOND)));
    assertStats(new IndexStats(3, 2, 3), index);

    await(index.removePeer(nodeId(0)));
    assertEquals(List.of(), candidates(index, 2, T0 + 3 * SECOND));
    assertEquals(ids(2, 1), ids(candidates(index, 1, T0 + 3 * SECOND)));
    assertStats(new IndexStats(2, 1, 2), index);
  }

  @Test
  public void reannouncingMovesTheEntryToTheFrontWithoutADuplicate() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), false, T0, complete(1));
    announce(index, peer(1), false, T0 + SECOND, complete(1));
    announce(index, peer(0), false, T0 + 2 * SECOND, complete(1));
    List<Candidate> got = candidates(index, 1, T0 + 3 * SECOND);
    assertEquals(ids(0, 1), ids(got));
    assertEquals(T0 + 2 * SECOND, got.get(0).lastSeenMillis());
    assertStats(new IndexStats(2, 1, 2), index);
  }

  @Test
  public void reannouncingIntoAFullTrackEvictsNobody() throws Exception {
    PeerIndex index = index(2);
    announce(index, peer(0), false, T0, complete(1));
    announce(index, peer(1), false, T0 + SECOND, complete(1));
    announce(index, peer(0), false, T0 + 2 * SECOND, complete(1));
    assertEquals(ids(0, 1), ids(candidates(index, 1, T0 + 3 * SECOND)));
  }

  // ---------------------------------------------------------------------------------------------
  // Full and delta announces

  @Test
  public void aFullAnnounceReplacesEverythingThePeerHeld() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1), complete(2), complete(3));
    announce(index, peer(1), true, T0, complete(1));
    announce(index, peer(0), true, T0 + SECOND, complete(2), partial(4, 7));
    long now = T0 + 2 * SECOND;
    assertEquals(ids(1), ids(candidates(index, 1, now)));
    assertEquals(List.of(new Candidate(peer(0), complete(2), T0 + SECOND)), candidates(index, 2, now));
    assertEquals(List.of(), candidates(index, 3, now));
    assertEquals(List.of(new Candidate(peer(0), partial(4, 7), T0 + SECOND)), candidates(index, 4, now));
    assertStats(new IndexStats(2, 3, 3), index);
  }

  @Test
  public void aFullAnnounceOfNothingForgetsThePeer() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1), complete(2));
    announce(index, peer(0), true, T0 + SECOND);
    assertEquals(List.of(), candidates(index, 1, T0 + SECOND));
    assertStats(new IndexStats(0, 0, 0), index);
  }

  @Test
  public void aDeltaAnnounceAddsToWhatThePeerHeld() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1), complete(2));
    announce(index, peer(0), false, T0 + SECOND, complete(3));
    long now = T0 + 2 * SECOND;
    assertEquals(ids(0), ids(candidates(index, 1, now)));
    assertEquals(T0, candidates(index, 1, now).get(0).lastSeenMillis());
    assertEquals(ids(0), ids(candidates(index, 3, now)));
    assertStats(new IndexStats(1, 3, 3), index);
  }

  @Test
  public void aDeltaReplacesTheHoldingOfAListedTrack() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, partial(1, 0, 1));
    assertEquals(partial(1, 0, 1), candidates(index, 1, T0).get(0).holding());
    announce(index, peer(0), false, T0 + SECOND, partial(1, 0, 1, 2, 3));
    assertEquals(partial(1, 0, 1, 2, 3), candidates(index, 1, T0 + SECOND).get(0).holding());
    announce(index, peer(0), false, T0 + 2 * SECOND, complete(1));
    assertEquals(complete(1), candidates(index, 1, T0 + 2 * SECOND).get(0).holding());
    announce(index, peer(0), false, T0 + 3 * SECOND, partial(1, 9));
    assertEquals(partial(1, 9), candidates(index, 1, T0 + 3 * SECOND).get(0).holding());
    assertStats(new IndexStats(1, 1, 1), index);
  }

  @Test
  public void anAnnounceUpdatesThePeersInfoOnAllItsEntries() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1), complete(2));
    PeerInfo moved = peer(0, ipv4(198, 51, 100, 9), 5000, coordinate(50, 60, 3), "us-east");
    announce(index, moved, false, T0 + SECOND, complete(3));
    long now = T0 + 2 * SECOND;
    for (int t = 1; t <= 3; t++) {
      assertEquals(moved, candidates(index, t, now).get(0).peer(), "track " + t);
    }
    // An empty delta updates the info too.
    PeerInfo movedAgain = peer(0, ipv4(198, 51, 100, 10), 5001, coordinate(1, 2, 3), "");
    announce(index, movedAgain, false, now);
    assertEquals(movedAgain, candidates(index, 1, now).get(0).peer());
  }

  @Test
  public void aTrackListedTwiceInOneAnnounceCountsOnceAndTheLastWins() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), false, T0, partial(1, 3), complete(1));
    assertEquals(List.of(new Candidate(peer(0), complete(1), T0)), candidates(index, 1, T0));
    announce(index, peer(0), true, T0 + SECOND, complete(1), partial(1, 4));
    assertEquals(List.of(new Candidate(peer(0), partial(1, 4), T0 + SECOND)), candidates(index, 1, T0 + SECOND));
    assertStats(new IndexStats(1, 1, 1), index);
  }

  // ---------------------------------------------------------------------------------------------
  // Withdraw and removePeer

  @Test
  public void withdrawRemovesOnlyTheListedTracks() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1), complete(2), complete(3));
    announce(index, peer(1), true, T0, complete(1));
    await(index.withdraw(nodeId(0), List.of(track(1), track(3), track(99))));
    assertEquals(ids(1), ids(candidates(index, 1, T0)));
    assertEquals(ids(0), ids(candidates(index, 2, T0)));
    assertEquals(List.of(), candidates(index, 3, T0));
    assertStats(new IndexStats(2, 2, 2), index);
  }

  @Test
  public void withdrawingEverythingForgetsThePeer() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1), complete(2));
    await(index.withdraw(nodeId(0), List.of(track(1), track(2))));
    assertStats(new IndexStats(0, 0, 0), index);
  }

  @Test
  public void withdrawOfAnUnknownPeerOrTrackIsHarmless() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1));
    await(index.withdraw(nodeId(5), List.of(track(1))));
    await(index.withdraw(nodeId(0), List.of(track(2))));
    await(index.withdraw(nodeId(0), List.of()));
    assertEquals(ids(0), ids(candidates(index, 1, T0)));
  }

  @Test
  public void removePeerRemovesAllItsEntriesAndNothingElse() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1), partial(2, 5), complete(3));
    announce(index, peer(1), true, T0 + SECOND, complete(1), complete(2));
    await(index.removePeer(nodeId(0)));
    long now = T0 + 2 * SECOND;
    assertEquals(ids(1), ids(candidates(index, 1, now)));
    assertEquals(ids(1), ids(candidates(index, 2, now)));
    assertEquals(List.of(), candidates(index, 3, now));
    assertStats(new IndexStats(1, 2, 2), index);
    await(index.removePeer(nodeId(0)));
    await(index.removePeer(nodeId(7)));
    assertStats(new IndexStats(1, 2, 2), index);
  }

  @Test
  public void aRemovedPeerCanAnnounceAgain() throws Exception {
    PeerIndex index = index(20);
    announce(index, peer(0), true, T0, complete(1));
    await(index.removePeer(nodeId(0)));
    announce(index, peer(0), true, T0 + SECOND, partial(1, 1));
    assertEquals(List.of(new Candidate(peer(0), partial(1, 1), T0 + SECOND)), candidates(index, 1, T0 + SECOND));
  }

  // ---------------------------------------------------------------------------------------------
  // TTL

  @Test
  public void anEntryExpiresTtlAfterItsLastAnnounce() throws Exception {
    PeerIndex index = open(config(20, Duration.ofSeconds(60)));
    announce(index, peer(0), true, T0, complete(1));
    assertEquals(ids(0), ids(candidates(index, 1, T0 + 59 * SECOND)));
    assertEquals(List.of(), candidates(index, 1, T0 + 60 * SECOND));
    assertEquals(List.of(), candidates(index, 1, T0 + 3600 * SECOND));
  }

  @Test
  public void expiredEntriesAreLeftOutButTheRestStayInOrder() throws Exception {
    PeerIndex index = open(config(20, Duration.ofSeconds(60)));
    for (int p = 0; p < 6; p++) {
      announce(index, peer(p), false, T0 + p * 10 * SECOND, complete(1));
    }
    assertEquals(ids(5, 4, 3), ids(candidates(index, 1, T0 + 85 * SECOND)));
  }

  @Test
  public void reannouncingExtendsTheTtl() throws Exception {
    PeerIndex index = open(config(20, Duration.ofSeconds(60)));
    announce(index, peer(0), true, T0, complete(1));
    announce(index, peer(0), false, T0 + 50 * SECOND, complete(1));
    assertEquals(ids(0), ids(candidates(index, 1, T0 + 100 * SECOND)));
    assertEquals(0L, await(index.expire(T0 + 100 * SECOND)));
    assertEquals(1L, await(index.expire(T0 + 110 * SECOND)));
  }

  @Test
  public void expireRemovesExpiredEntriesAndCountsThem() throws Exception {
    PeerIndex index = open(config(20, Duration.ofSeconds(60)));
    announce(index, peer(0), true, T0, complete(1));
    announce(index, peer(1), true, T0 + 30 * SECOND, complete(1), partial(2, 1));
    announce(index, peer(2), true, T0, complete(2), complete(3));
    assertStats(new IndexStats(3, 3, 5), index);

    assertEquals(3L, await(index.expire(T0 + 60 * SECOND)));
    // Peers 0 and 2 have nothing left; track 3 has nobody.
    assertStats(new IndexStats(1, 2, 2), index);
    assertEquals(ids(1), ids(candidates(index, 1, T0 + 60 * SECOND)));
    assertEquals(0L, await(index.expire(T0 + 60 * SECOND)));

    assertEquals(2L, await(index.expire(T0 + 90 * SECOND)));
    assertStats(new IndexStats(0, 0, 0), index);
  }

  @Test
  public void expireOnManyTracks() throws Exception {
    PeerIndex index = open(config(20, Duration.ofSeconds(60)));
    for (int p = 0; p < 50; p++) {
      List<Holding> holdings = new ArrayList<>();
      for (int t = 0; t < 40; t++) {
        holdings.add(complete(p * 40 + t));
      }
      await(index.announce(peer(p), true, holdings, T0 + (p % 2) * 30 * SECOND));
    }
    assertStats(new IndexStats(50, 2000, 2000), index);
    assertEquals(1000L, await(index.expire(T0 + 60 * SECOND)));
    assertStats(new IndexStats(25, 1000, 1000), index);
  }

  // ---------------------------------------------------------------------------------------------
  // Scale

  @Test
  public void manyPeersOnManyTracksKeepTheMostRecentPerTrack() throws Exception {
    PeerIndex index = open(PeerIndexConfig.defaults());
    // Peer i holds 25 of 100 tracks, those t with t = i (mod 4): 100 peers announce each track.
    for (int i = 0; i < 400; i++) {
      List<Holding> holdings = new ArrayList<>();
      for (int j = 0; j < 25; j++) {
        holdings.add(complete((i + 4 * j) % 100));
      }
      await(index.announce(peer(i), true, holdings, T0 + i * SECOND));
    }
    long now = T0 + 400 * SECOND;
    for (int t = 0; t < 100; t++) {
      List<NodeId> expected = new ArrayList<>();
      for (int i = 399; expected.size() < 20; i--) {
        if (i % 4 == t % 4) {
          expected.add(nodeId(i));
        }
      }
      assertEquals(expected, ids(candidates(index, t, now)), "track " + t);
    }
    // Only peers 320..399 are among the 20 most recent of their tracks.
    assertStats(new IndexStats(80, 100, 2000), index);
    for (int i = 320; i < 400; i++) {
      if ((i / 4) % 2 == 0) {
        await(index.removePeer(nodeId(i)));
      }
    }
    assertStats(new IndexStats(40, 100, 1000), index);
  }

  @Test
  public void behavesLikeAReferenceModelUnderRandomOperations() throws Exception {
    int keep = 5;
    long ttl = 20 * SECOND;
    PeerIndex index = open(config(keep, Duration.ofMillis(ttl)));
    Model model = new Model(keep, ttl);
    Random random = new Random(42);
    int peers = 30;
    int tracks = 25;
    for (int op = 0; op < 2500; op++) {
      long now = T0 + op * SECOND;
      int p = random.nextInt(peers);
      int r = random.nextInt(100);
      String what = "op " + op;
      if (r < 40) {
        boolean full = r < 8;
        List<Holding> holdings = new ArrayList<>();
        int n = random.nextInt(full ? 7 : 4);
        for (int i = 0; i < n; i++) {
          int t = random.nextInt(tracks);
          holdings.add(random.nextInt(3) == 0 ? partial(t, random.nextInt(CHUNKS), random.nextInt(CHUNKS)) : complete(t));
        }
        PeerInfo info = random.nextInt(10) == 0
            ? peer(p, ipv4(172, 16, p, random.nextInt(256)), 1 + random.nextInt(65535), coordinate(p, op % 50, 1), "r" + (op % 3))
            : peer(p);
        await(index.announce(info, full, holdings, now));
        model.announce(info, full, holdings, now);
      } else if (r < 48) {
        List<TrackId> ts = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          ts.add(track(random.nextInt(tracks)));
        }
        await(index.withdraw(nodeId(p), ts));
        model.withdraw(nodeId(p), ts);
      } else if (r < 52) {
        await(index.removePeer(nodeId(p)));
        model.removePeer(nodeId(p));
      } else if (r < 56) {
        await(index.expire(now));
        model.expire(now);
        assertEquals(model.stats(), stats(index), what);
      } else {
        int t = random.nextInt(tracks);
        assertEquals(model.candidates(track(t), now), await(index.candidates(track(t), now)), what + " track " + t);
      }
    }
    long end = T0 + 2500 * SECOND;
    for (int t = 0; t < tracks; t++) {
      assertEquals(model.candidates(track(t), end), await(index.candidates(track(t), end)), "track " + t);
    }
    await(index.expire(end));
    model.expire(end);
    assertEquals(model.stats(), stats(index));
  }

  /** The PeerIndex semantics, written as plainly as possible. Times must increase between calls. */
  private static final class Model {
    private final int keep;
    private final long ttl;
    private final Map<TrackId, LinkedHashMap<NodeId, Entry>> tracks = new HashMap<>();
    private final Map<NodeId, PeerInfo> info = new HashMap<>();

    private static final class Entry {
      final Holding holding;
      final long time;

      Entry(Holding holding, long time) {
        this.holding = holding;
        this.time = time;
      }
    }

    Model(int keep, long ttl) {
      this.keep = keep;
      this.ttl = ttl;
    }

    void announce(PeerInfo peer, boolean full, List<Holding> holdings, long now) {
      NodeId id = peer.nodeId();
      info.put(id, peer);
      if (full) {
        for (Map<NodeId, Entry> entries : tracks.values()) {
          entries.remove(id);
        }
      }
      for (Holding h : holdings) {
        LinkedHashMap<NodeId, Entry> entries = tracks.computeIfAbsent(h.track(), t -> new LinkedHashMap<>());
        if (entries.remove(id) == null && entries.size() == keep) {
          entries.remove(entries.keySet().iterator().next());
        }
        entries.put(id, new Entry(h, now));
      }
      tracks.values().removeIf(Map::isEmpty);
    }

    void withdraw(NodeId id, List<TrackId> ts) {
      for (TrackId t : ts) {
        Map<NodeId, Entry> entries = tracks.get(t);
        if (entries != null) {
          entries.remove(id);
        }
      }
      tracks.values().removeIf(Map::isEmpty);
    }

    void removePeer(NodeId id) {
      withdraw(id, new ArrayList<>(tracks.keySet()));
    }

    void expire(long now) {
      for (Map<NodeId, Entry> entries : tracks.values()) {
        entries.values().removeIf(e -> now - e.time >= ttl);
      }
      tracks.values().removeIf(Map::isEmpty);
    }

    List<Candidate> candidates(TrackId track, long now) {
      List<Candidate> out = new ArrayList<>();
      for (Map.Entry<NodeId, Entry> e : tracks.getOrDefault(track, new LinkedHashMap<>()).entrySet()) {
        if (now - e.getValue().time < ttl) {
          out.add(new Candidate(info.get(e.getKey()), e.getValue().holding, e.getValue().time));
        }
      }
      Collections.reverse(out);
      return out;
    }

    IndexStats stats() {
      long entries = 0;
      Set<NodeId> peers = new HashSet<>();
      for (Map<NodeId, Entry> e : tracks.values()) {
        entries += e.size();
        peers.addAll(e.keySet());
      }
      return new IndexStats(peers.size(), tracks.size(), entries);
    }
  }
}
