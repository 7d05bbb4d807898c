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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.CandidateList;
import dev.chorus.tracker.index.PeerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The lookup cache's core with scripted reads: a read is a future the test completes, time is the
 * test's. The same cache in front of a real redis-server: {@link RedisLookupCacheTest}.
 */
class LookupCacheTest {
  private static final long TTL = 1000;
  private static final long INDEX_TTL = 60_000;

  private static final int KEEP = 3;

  private final LookupCache cache = new LookupCache(LookupCacheConfig.of(Duration.ofMillis(TTL), 4), INDEX_TTL, KEEP);
  /** Reads the cache asked for, in order. */
  private final List<CompletableFuture<List<Candidate>>> reads = new ArrayList<>();

  private CompletableFuture<List<Candidate>> lookup(TrackId track, long now) {
    return cache.candidates(track, now, () -> {
      CompletableFuture<List<Candidate>> read = new CompletableFuture<>();
      reads.add(read);
      return read;
    });
  }

  /** Looks {@code track} up, answering a read with {@code answer} if the cache asks for one. */
  private List<Candidate> lookup(TrackId track, long now, List<Candidate> answer) {
    int before = reads.size();
    CompletableFuture<List<Candidate>> result = lookup(track, now);
    if (reads.size() > before) {
      reads.get(before).complete(answer);
    }
    return result.join();
  }

  private static List<NodeId> ids(List<Candidate> candidates) {
    List<NodeId> ids = new ArrayList<>();
    candidates.forEach(c -> ids.add(c.peer().nodeId()));
    return ids;
  }

  private static List<Candidate> seen(long at, int... peers) {
    List<Candidate> out = new ArrayList<>();
    for (int p : peers) {
      out.add(new Candidate(peer(p), complete(1), at));
    }
    return out;
  }

  @Test
  void aReadAnswersTheTracksLookupsUntilTheTtlHasPassed() {
    List<Candidate> first = seen(T0, 1, 2);
    assertEquals(first, lookup(track(1), T0, first));
    assertEquals(first, lookup(track(1), T0 + TTL - 1, seen(T0, 3)));
    assertEquals(1, reads.size());
    assertEquals(seen(T0, 3), lookup(track(1), T0 + TTL, seen(T0, 3)));
    assertEquals(2, reads.size());
    assertEquals(1, cache.hits());
    assertEquals(2, cache.misses());
  }

  @Test
  void aHitAppendsToTheListInOrder() {
    CandidateList into = new CandidateList();
    assertFalse(cache.appendIfCached(track(1), T0, into), "nothing cached yet");
    lookup(track(1), T0, seen(T0, 5, 6, 7));
    into.add(peer(9), complete(9), T0);
    assertTrue(cache.appendIfCached(track(1), T0 + 10, into));
    assertEquals(4, into.size());
    assertEquals(peer(9), into.peer(0));
    for (int i = 0; i < 3; i++) {
      assertEquals(seen(T0, 5, 6, 7).get(i), into.candidate(i + 1));
    }
    assertFalse(cache.appendIfCached(track(2), T0 + 10, into), "another track");
    assertFalse(cache.appendIfCached(track(1), T0 + TTL, into), "expired");
    assertEquals(1, cache.hits());
  }

  @Test
  void entriesTheIndexWouldHaveExpiredAreLeftOutOfAHit() {
    long now = T0 + INDEX_TTL;
    List<Candidate> read = new ArrayList<>(seen(T0 + 500, 1));
    read.addAll(seen(T0 + 1, 2)); // expires at T0 + 1 + INDEX_TTL, inside the cache's TTL
    lookup(track(1), now, read);
    assertEquals(read, lookup(track(1), now, List.of()));
    assertEquals(seen(T0 + 500, 1), lookup(track(1), now + 1, List.of()));
    CandidateList into = new CandidateList();
    assertTrue(cache.appendIfCached(track(1), now + 1, into));
    assertEquals(1, into.size());
    assertEquals(peer(1), into.peer(0));
  }

  @Test
  void aClockThatWentBackMissesRatherThanServingOldCandidatesLonger() {
    lookup(track(1), T0, seen(T0, 1));
    assertEquals(seen(T0, 2), lookup(track(1), T0 - 1, seen(T0, 2)));
    assertEquals(2, reads.size());
  }

  @Test
  void lookupsOfATrackWhoseReadIsInFlightShareIt() {
    CompletableFuture<List<Candidate>> a = lookup(track(1), T0);
    CompletableFuture<List<Candidate>> b = lookup(track(1), T0 + 5);
    assertEquals(1, reads.size());
    assertFalse(b.isDone());
    CandidateList into = new CandidateList();
    assertFalse(cache.appendIfCached(track(1), T0 + 5, into), "no answer at once while the read is in flight");
    reads.get(0).complete(seen(T0, 1));
    assertEquals(seen(T0, 1), a.join());
    assertEquals(seen(T0, 1), b.join());
    assertEquals(1, cache.shared());
    assertEquals(1, cache.misses());
  }

  @Test
  void aWriteThatCompletesWhileAReadIsInFlightKeepsTheReadOutOfTheCache() {
    CompletableFuture<List<Candidate>> before = lookup(track(1), T0);
    cache.invalidate(track(1)); // this tracker's announce to track 1 completed
    reads.get(0).complete(seen(T0, 1)); // the read may have been sent before the announce
    assertEquals(seen(T0, 1), before.join(), "it answers the lookup that overlapped the write");
    assertEquals(seen(T0, 1, 2), lookup(track(1), T0 + 1, seen(T0, 1, 2)), "but not the next one");
    assertEquals(2, reads.size());
  }

  @Test
  void aWriteAfterAReadDropsTheTrackOnly() {
    lookup(track(1), T0, seen(T0, 1));
    lookup(track(2), T0, seen(T0, 2));
    cache.invalidate(List.of(track(1), track(3)));
    assertEquals(seen(T0, 1, 4), lookup(track(1), T0, seen(T0, 1, 4)));
    assertEquals(seen(T0, 2), lookup(track(2), T0, List.of()));
    assertEquals(3, reads.size());
  }

  @Test
  void anOwnAnnounceUpdatesTheCachedCandidatesAsRedisDoes() {
    List<Candidate> read = new ArrayList<>(seen(T0 + 30, 1));
    read.addAll(seen(T0 + 20, 2));
    read.addAll(seen(T0 + 10, 3));
    lookup(track(1), T0 + 40, read);
    // Peer 2 again, with a new address and a partial holding: to the front, nobody evicted.
    PeerInfo moved = peer(2, ipv4(198, 51, 100, 2), 4000, coordinate(1, 1, 1), "");
    cache.announced(moved, partial(1, 4), T0 + 50);
    assertEquals(List.of(new Candidate(moved, partial(1, 4), T0 + 50), read.get(0), read.get(2)),
        lookup(track(1), T0 + 50, List.of()));
    // A new peer into the full track (KEEP 3): the oldest goes.
    cache.announced(peer(4), complete(1), T0 + 60);
    assertEquals(List.of(nodeId(4), nodeId(2), nodeId(1)), ids(lookup(track(1), T0 + 60, List.of())));
    // A time older than every entry kept (a clock behind): evicted at once, as in Redis.
    cache.announced(peer(5), complete(1), T0 + 5);
    assertEquals(List.of(nodeId(4), nodeId(2), nodeId(1)), ids(lookup(track(1), T0 + 60, List.of())));
    // Between two entries: in time order.
    cache.announced(peer(6), complete(1), T0 + 55);
    assertEquals(List.of(nodeId(4), nodeId(6), nodeId(2)), ids(lookup(track(1), T0 + 60, List.of())));
    cache.withdrawn(nodeId(6), track(1));
    cache.withdrawn(nodeId(7), track(1)); // not there: nothing changes
    CandidateList into = new CandidateList();
    assertTrue(cache.appendIfCached(track(1), T0 + 60, into));
    assertEquals(List.of(nodeId(4), nodeId(2)), List.of(into.peer(0).nodeId(), into.peer(1).nodeId()));
    assertEquals(1, reads.size(), "all answered from the one read");
    // Updates keep the read's age: it expires a TTL after the read was sent.
    assertFalse(cache.appendIfCached(track(1), T0 + 40 + TTL, new CandidateList()));
  }

  @Test
  void anOwnAnnounceDropsAReadInFlightAndLeavesOtherTracksAlone() {
    CompletableFuture<List<Candidate>> inFlight = lookup(track(1), T0);
    cache.announced(peer(2), complete(1), T0 + 1);
    cache.announced(peer(2), complete(2), T0 + 1); // not cached: stays so
    cache.withdrawn(nodeId(2), track(3));
    reads.get(0).complete(seen(T0, 1));
    assertEquals(seen(T0, 1), inFlight.join());
    assertEquals(seen(T0 + 1, 2, 1), lookup(track(1), T0 + 1, seen(T0 + 1, 2, 1)), "read again");
    assertEquals(2, reads.size());
    assertEquals(1, cache.size());
  }

  @Test
  void aFailedReadIsNotCachedAndFailsTheLookupsThatShareIt() {
    CompletableFuture<List<Candidate>> a = lookup(track(1), T0);
    CompletableFuture<List<Candidate>> b = lookup(track(1), T0);
    IllegalStateException down = new IllegalStateException("Redis is down");
    reads.get(0).completeExceptionally(down);
    assertSame(down, assertThrows(CompletionException.class, a::join).getCause());
    assertSame(down, assertThrows(CompletionException.class, b::join).getCause());
    assertEquals(seen(T0, 1), lookup(track(1), T0, seen(T0, 1)));
    assertEquals(2, reads.size());
  }

  @Test
  void aReadThatThrowsLeavesNothingBehind() {
    IllegalStateException closed = new IllegalStateException("closed");
    assertSame(closed, assertThrows(IllegalStateException.class,
        () -> cache.candidates(track(1), T0, () -> {
          throw closed;
        })));
    assertEquals(0, cache.size());
    assertEquals(seen(T0, 1), lookup(track(1), T0, seen(T0, 1)));
  }

  @Test
  void theCacheHoldsAtMostItsBoundStaleEntriesGoingFirst() {
    for (int t = 1; t <= 3; t++) {
      lookup(track(t), T0, seen(T0, t));
    }
    lookup(track(4), T0 + TTL - 1, seen(T0, 4));
    assertEquals(4, cache.size());
    // Full: making room drops the three stale entries and keeps the fresh one.
    lookup(track(5), T0 + TTL, seen(T0, 5));
    assertEquals(2, cache.size());
    assertEquals(seen(T0, 4), lookup(track(4), T0 + TTL, List.of()));
    // Full of fresh entries: arbitrary ones go, down to 3 of 4 and then the new one.
    for (int t = 6; t <= 20; t++) {
      lookup(track(t), T0 + TTL, seen(T0, t));
      assertTrue(cache.size() <= 4, "size " + cache.size() + " after track " + t);
    }
    int cached = 0;
    for (int t = 1; t <= 20; t++) {
      cached += cache.appendIfCached(track(t), T0 + TTL, new CandidateList()) ? 1 : 0;
    }
    assertEquals(cache.size(), cached);
    assertTrue(cache.appendIfCached(track(20), T0 + TTL, new CandidateList()), "the newest read is cached");
  }

  @Test
  void theConfigIsValidated() {
    assertFalse(LookupCacheConfig.DISABLED.enabled());
    assertFalse(LookupCacheConfig.of(Duration.ZERO, 5).enabled());
    assertEquals(Duration.ofSeconds(1), LookupCacheConfig.defaults().ttl());
    assertEquals(10_000, LookupCacheConfig.defaults().maxTracks());
    assertThrows(IllegalArgumentException.class, () -> LookupCacheConfig.of(Duration.ofMillis(-1), 5));
    assertThrows(IllegalArgumentException.class, () -> LookupCacheConfig.of(Duration.ofSeconds(61), 5));
    assertThrows(IllegalArgumentException.class, () -> LookupCacheConfig.of(Duration.ofSeconds(1), 0));
    assertThrows(IllegalArgumentException.class, () -> new LookupCache(LookupCacheConfig.DISABLED, INDEX_TTL, KEEP));
  }
}
