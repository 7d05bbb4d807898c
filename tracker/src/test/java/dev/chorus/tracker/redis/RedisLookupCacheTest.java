package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.coordinate;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static dev.chorus.tracker.index.IndexTestData.partial;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.testing.RedisFixture;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.CandidateList;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lookup cache of {@link RedisPeerIndex} on a real redis-server: tracker A caches (TTL 1 s, 3
 * tracks at most), tracker B (no cache) shares its Redis. Times are the test's.
 */
@ExtendWith(NoLeaks.class)
class RedisLookupCacheTest {
  private static final long TTL = 1000;

  @RegisterExtension
  static final RedisFixture redis = RedisFixture.server();

  private final List<RedisPeerIndex> opened = new ArrayList<>();
  private RedisPeerIndex a;
  private RedisPeerIndex b;

  private void open(int maxTracks) {
    a = RedisPeerIndex.connect(redis.uri(), PeerIndexConfig.defaults(),
        LookupCacheConfig.of(Duration.ofMillis(TTL), maxTracks));
    opened.add(a);
    b = RedisPeerIndex.connect(redis.uri(), PeerIndexConfig.defaults());
    opened.add(b);
  }

  @AfterEach
  void close() {
    opened.forEach(RedisPeerIndex::close);
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<NodeId> ids(List<Candidate> candidates) {
    List<NodeId> ids = new ArrayList<>();
    candidates.forEach(c -> ids.add(c.peer().nodeId()));
    return ids;
  }

  private static List<NodeId> lookup(RedisPeerIndex index, int track, long now) {
    return ids(await(index.candidates(track(track), now)));
  }

  /** Track reads Redis has run: a lookup's first command (HGETALL of the track's entries). */
  private static long trackReads() {
    String stats = redis.servers().get(0).commandString("INFO", "commandstats");
    for (String line : stats.split("\\r?\\n")) {
      if (line.startsWith("cmdstat_hgetall:")) {
        return Long.parseLong(line.replaceAll(".*[:,]calls=(\\d+).*", "$1").trim());
      }
    }
    return 0;
  }

  @Test
  void anotherTrackersAnnounceShowsOnceTheTtlHasPassed() {
    open(3);
    await(b.announce(peer(1), false, List.of(complete(1)), T0));
    assertEquals(List.of(nodeId(1)), lookup(a, 1, T0));
    await(b.announce(peer(2), false, List.of(complete(1)), T0 + 1));
    long reads = trackReads();
    assertEquals(List.of(nodeId(1)), lookup(a, 1, T0 + TTL - 1), "cached: B's announce is not seen yet");
    assertEquals(reads, trackReads(), "a hit sends nothing to Redis");
    assertEquals(List.of(nodeId(2), nodeId(1)), lookup(a, 1, T0 + TTL));
    assertEquals(reads + 1, trackReads());
    assertEquals(List.of(nodeId(2), nodeId(1)), lookup(b, 1, T0 + 1), "B does not cache");
    assertEquals(1, a.lookupCacheHits());
    assertEquals(2, a.lookupCacheMisses());
  }

  /** A's cached answer for {@code track} at {@code now} is what B reads from Redis. */
  private void sameAsRedis(int track, long now) {
    long hits = a.lookupCacheHits();
    assertEquals(await(b.candidates(track(track), now)), await(a.candidates(track(track), now)), "track " + track);
    assertEquals(hits + 1, a.lookupCacheHits(), "track " + track + " answered from the cache");
  }

  @Test
  void aNodeThatAnnouncedToThisTrackerSeesItselfAtOnce() {
    open(3);
    await(b.announce(peer(1), false, List.of(complete(1), complete(2)), T0));
    assertEquals(List.of(nodeId(1)), lookup(a, 1, T0));
    assertEquals(List.of(nodeId(1)), lookup(a, 2, T0));
    // Announces, withdraws and full announces through A update what A cached as they changed Redis.
    PeerInfo moved = peer(2, ipv4(198, 51, 100, 7), 4000, coordinate(3, 4, 1), "eu-west");
    await(a.announce(moved, false, List.of(complete(1), partial(2, 5)), T0 + 1));
    sameAsRedis(1, T0 + 1);
    sameAsRedis(2, T0 + 1);
    await(a.withdraw(nodeId(2), List.of(track(2))));
    sameAsRedis(2, T0 + 2);
    await(a.announce(peer(3), false, List.of(complete(2)), T0 + 3));
    await(a.announce(peer(2), false, List.of(complete(2)), T0 + 4));
    sameAsRedis(2, T0 + 4);
    // A full announce that drops track 1 (that track is read again) and takes track 2.
    await(a.announce(peer(2), true, List.of(complete(2)), T0 + 5));
    assertEquals(List.of(nodeId(1)), lookup(a, 1, T0 + 5));
    sameAsRedis(2, T0 + 5);
    // The connection closing: its tracks are read again.
    long misses = a.lookupCacheMisses();
    await(a.removePeer(nodeId(2)));
    assertEquals(List.of(nodeId(3), nodeId(1)), lookup(a, 2, T0 + 6));
    assertEquals(misses + 1, a.lookupCacheMisses());
  }

  @Test
  void aFullTrackEvictsInTheCacheAsInRedis() {
    a = RedisPeerIndex.connect(redis.uri(), PeerIndexConfig.builder().keepPerTrack(2).build(),
        LookupCacheConfig.of(Duration.ofMillis(TTL), 3));
    opened.add(a);
    b = RedisPeerIndex.connect(redis.uri(), PeerIndexConfig.builder().keepPerTrack(2).build());
    opened.add(b);
    await(b.announce(peer(1), false, List.of(complete(1)), T0));
    await(b.announce(peer(2), false, List.of(complete(1)), T0 + 1));
    assertEquals(List.of(nodeId(2), nodeId(1)), lookup(a, 1, T0 + 1));
    await(a.announce(peer(3), false, List.of(complete(1)), T0 + 2));
    sameAsRedis(1, T0 + 2);
    assertEquals(List.of(nodeId(3), nodeId(2)), lookup(a, 1, T0 + 2));
  }

  @Test
  void aRefusedHoldingMakesTheTrackReadAgain() {
    a = RedisPeerIndex.connect(redis.uri(), PeerIndexConfig.builder().maxHoldingsPerPeer(1).build(),
        LookupCacheConfig.of(Duration.ofMillis(TTL), 3));
    opened.add(a);
    b = RedisPeerIndex.connect(redis.uri(), PeerIndexConfig.defaults());
    opened.add(b);
    await(b.announce(peer(1), false, List.of(complete(1), complete(2)), T0));
    assertEquals(List.of(nodeId(1)), lookup(a, 1, T0));
    assertEquals(List.of(nodeId(1)), lookup(a, 2, T0));
    // Peer 2 may hold one entry: track 2 is refused, and the reply does not say which.
    assertEquals(1, await(a.announceChecked(peer(2), false, List.of(complete(1), complete(2)), T0 + 1)).refusedTotal());
    long misses = a.lookupCacheMisses();
    assertEquals(List.of(nodeId(2), nodeId(1)), lookup(a, 1, T0 + 1));
    assertEquals(List.of(nodeId(1)), lookup(a, 2, T0 + 1));
    assertEquals(misses + 2, a.lookupCacheMisses());
  }

  @Test
  void candidatesNowAnswersFromTheCacheOnly() {
    open(3);
    PeerInfo moved = peer(1, ipv4(198, 51, 100, 7), 4000, coordinate(3, 4, 1), "eu-west");
    await(b.announce(moved, false, List.of(complete(1)), T0));
    CandidateList into = new CandidateList();
    assertFalse(a.candidatesNow(track(1), T0, into), "not read yet");
    List<Candidate> read = await(a.candidates(track(1), T0));
    assertTrue(a.candidatesNow(track(1), T0 + TTL - 1, into));
    assertEquals(1, into.size());
    assertEquals(read.get(0), into.candidate(0));
    assertEquals(moved, into.peer(0));
    assertFalse(a.candidatesNow(track(1), T0 + TTL, into), "expired");
    assertFalse(b.candidatesNow(track(1), T0, into), "B has no cache");
  }

  @Test
  void theCacheKeepsAtMostItsBound() {
    open(3);
    for (int t = 1; t <= 10; t++) {
      await(b.announce(peer(t), false, List.of(complete(t)), T0));
    }
    for (int t = 1; t <= 10; t++) {
      assertEquals(List.of(nodeId(t)), lookup(a, t, T0));
      assertTrue(a.lookupCacheTracks() <= 3, "tracks cached: " + a.lookupCacheTracks());
    }
    int hits = 0;
    for (int t = 1; t <= 10; t++) {
      hits += a.candidatesNow(track(t), T0, new CandidateList()) ? 1 : 0;
    }
    assertEquals(a.lookupCacheTracks(), hits);
    assertTrue(a.candidatesNow(track(10), T0, new CandidateList()), "the last read is cached");
  }
}
