package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.coordinate;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static dev.chorus.tracker.index.IndexTestData.partial;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.testing.process.RedisServer;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerInfo;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the contract cannot see: several tracker instances sharing one Redis, the key layout and
 * its TTLs, scripts missing from a node's cache, batching, and failing instead of hanging. Run
 * against one server and against a cluster by the subclasses.
 */
@ExtendWith(NoLeaks.class)
abstract class SharedIndexChecks {
  private static final long SECOND = 1000;
  private final List<RedisPeerIndex> opened = new ArrayList<>();

  /** The URI of the Redis under test. */
  abstract String uri();

  /** The servers (masters). */
  abstract List<RedisServer> servers();

  @AfterEach
  void closeIndexes() {
    opened.forEach(RedisPeerIndex::close);
    opened.clear();
  }

  RedisPeerIndex open(PeerIndexConfig config) {
    RedisPeerIndex index = RedisPeerIndex.connect(uri(), config);
    opened.add(index);
    return index;
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("stage failed", e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  static Throwable failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(30, TimeUnit.SECONDS));
    return e.getCause();
  }

  /** Runs a command on the server that owns {@code key} (the others answer MOVED). */
  Object onOwner(byte[] key, byte[]... command) {
    UncheckedIOException last = null;
    for (RedisServer s : servers()) {
      try {
        return s.command(command);
      } catch (UncheckedIOException e) {
        if (e.getCause() == null || e.getCause().getMessage() == null || !e.getCause().getMessage().contains("MOVED")) {
          throw e;
        }
        last = e;
      }
    }
    throw new AssertionError("no server owns " + str(key), last);
  }

  /** A key for messages: binary ids show as Latin-1 characters. */
  static String str(byte[] key) {
    return new String(key, StandardCharsets.ISO_8859_1);
  }

  @Test
  void trackersSharingARedisSeeEachOthersAnnounces() {
    PeerIndexConfig config = PeerIndexConfig.builder().ttl(Duration.ofSeconds(60)).build();
    RedisPeerIndex a = open(config);
    RedisPeerIndex b = open(config);
    await(a.announce(peer(1), true, List.of(complete(1), complete(2)), T0));
    await(b.announce(peer(2), true, List.of(partial(1, 3)), T0 + SECOND));

    List<Candidate> fromA = await(a.candidates(track(1), T0 + 2 * SECOND));
    List<Candidate> fromB = await(b.candidates(track(1), T0 + 2 * SECOND));
    assertEquals(List.of(new Candidate(peer(2), partial(1, 3), T0 + SECOND), new Candidate(peer(1), complete(1), T0)), fromA);
    assertEquals(fromA, fromB);
    assertEquals(new IndexStats(2, 2, 3), await(a.stats()));
    assertEquals(new IndexStats(2, 2, 3), await(b.stats()));

    // Peer 1 reconnects to tracker b with a full announce: b's view replaces a's.
    await(b.announce(peer(1), true, List.of(complete(3)), T0 + 2 * SECOND));
    assertEquals(List.of(nodeId(2)), ids(await(a.candidates(track(1), T0 + 3 * SECOND))));
    assertEquals(List.of(), await(a.candidates(track(2), T0 + 3 * SECOND)));

    // Either tracker removes what the other announced, and either's expiry serves both.
    await(a.removePeer(nodeId(2)));
    assertEquals(List.of(), await(b.candidates(track(1), T0 + 3 * SECOND)));
    assertEquals(1L, await(b.expire(T0 + 62 * SECOND)));
    assertEquals(new IndexStats(0, 0, 0), await(a.stats()));
  }

  @Test
  void concurrentAnnouncesFromTwoTrackersKeepTheCapAndTheCounts() {
    PeerIndexConfig config = PeerIndexConfig.builder().keepPerTrack(5).build();
    RedisPeerIndex a = open(config);
    RedisPeerIndex b = open(config);
    List<CompletionStage<Void>> pending = new ArrayList<>();
    for (int p = 0; p < 200; p++) {
      RedisPeerIndex via = p % 2 == 0 ? a : b;
      List<Holding> holdings = new ArrayList<>();
      for (int t = 0; t < 10; t++) {
        holdings.add(complete((p + t) % 40));
      }
      pending.add(via.announce(peer(p), true, holdings, T0 + p * SECOND));
    }
    pending.forEach(SharedIndexChecks::await);
    // Whatever the interleaving: 5 entries per track, and every count agrees with the entries.
    long now = T0 + 300 * SECOND;
    long entries = 0;
    java.util.Set<dev.chorus.protocol.NodeId> peers = new java.util.HashSet<>();
    for (int t = 0; t < 40; t++) {
      List<Candidate> got = await(b.candidates(track(t), now));
      assertEquals(5, got.size(), "track " + t);
      entries += got.size();
      got.forEach(c -> peers.add(c.peer().nodeId()));
    }
    assertEquals(new IndexStats(peers.size(), 40, entries), await(a.stats()));
  }

  @Test
  void aPeersOperationsApplyInTheOrderIssuedWithoutWaiting() {
    // As a tracker sends them: one after the other, each without waiting for the last.
    RedisPeerIndex index = open(PeerIndexConfig.defaults());
    List<CompletionStage<Void>> pending = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      long now = T0 + round * SECOND;
      pending.add(index.announce(peer(1), true, List.of(complete(1), complete(2)), now));
      pending.add(index.announce(peer(1), false, List.of(partial(3, round)), now));
      pending.add(index.withdraw(nodeId(1), List.of(track(1))));
      pending.add(index.removePeer(nodeId(1)));
      pending.add(index.announce(peer(1), true, List.of(complete(2), partial(3, round)), now));
      pending.add(index.withdraw(nodeId(1), List.of(track(2))));
    }
    pending.forEach(SharedIndexChecks::await);
    long end = T0 + 19 * SECOND;
    assertEquals(List.of(), await(index.candidates(track(1), end)));
    assertEquals(List.of(), await(index.candidates(track(2), end)));
    assertEquals(List.of(new Candidate(peer(1), partial(3, 19), end)), await(index.candidates(track(3), end)));
    assertEquals(new IndexStats(1, 1, 1), await(index.stats()));
  }

  @Test
  void anAnnounceOfManyTracksOfOneShardGoesInBoundedBatches() {
    // 600 tracks of shard 0: more than one call takes (256), so three calls.
    RedisPeerIndex index = open(PeerIndexConfig.defaults());
    List<Holding> holdings = new ArrayList<>();
    for (int t = 0; holdings.size() < 600; t++) {
      if (Keys.shard(track(t)) == 0) {
        holdings.add(complete(t));
      }
    }
    await(index.announce(peer(1), true, holdings, T0));
    await(index.announce(peer(2), false, holdings, T0 + SECOND));
    assertEquals(new IndexStats(2, 600, 1200), await(index.stats()));
    assertEquals(List.of(nodeId(2), nodeId(1)), ids(await(index.candidates(holdings.get(599).track(), T0 + SECOND))));
    await(index.announce(peer(1), true, holdings.subList(0, 10), T0 + 2 * SECOND));
    assertEquals(new IndexStats(2, 600, 610), await(index.stats()));
    await(index.removePeer(nodeId(1)));
    await(index.withdraw(nodeId(2), holdings.stream().map(Holding::track).collect(java.util.stream.Collectors.toList())));
    assertNoKeysLeft();
  }

  @Test
  void peerKeysCarryASafetyTtlAndTrackKeysNone() {
    PeerIndexConfig config = PeerIndexConfig.builder().ttl(Duration.ofMinutes(30)).build();
    RedisPeerIndex index = open(config);
    await(index.announce(peer(1), true, List.of(complete(1)), T0));
    long ttl = config.ttlMillis();
    for (byte[] key : List.of(Keys.peerInfo(nodeId(1)), Keys.peerTracks(nodeId(1)))) {
      long pttl = (Long) onOwner(key, ascii("PTTL"), key);
      assertTrue(pttl > ttl && pttl <= 2 * ttl, str(key) + " PTTL " + pttl);
    }
    for (byte[] key : List.of(Keys.trackEntries(track(1)), Keys.trackHoldings(track(1)))) {
      assertEquals(-1L, onOwner(key, ascii("PTTL"), key), str(key));
    }
  }

  /**
   * The shard's track registry holds each track's oldest entry time (what expiry goes by); an
   * announce rewrites it only when that may have moved, so check each way it can.
   */
  @Test
  void theShardRegistryKeepsEachTracksOldestTime() {
    RedisPeerIndex index = open(PeerIndexConfig.builder().keepPerTrack(3).build());
    byte[] registry = Keys.shardTracks(Keys.shard(track(1)));
    byte[] member = track(1).bytes();
    await(index.announce(peer(1), false, List.of(complete(1)), T0)); // a new track
    assertEquals(T0, oldest(registry, member));
    await(index.announce(peer(2), false, List.of(complete(1)), T0 + 5 * SECOND)); // a newer entry
    assertEquals(T0, oldest(registry, member));
    await(index.announce(peer(1), false, List.of(complete(1)), T0 + 10 * SECOND)); // the oldest, refreshed
    assertEquals(T0 + 5 * SECOND, oldest(registry, member));
    await(index.announce(peer(3), false, List.of(complete(1)), T0 + 2 * SECOND)); // an instance whose clock is behind
    assertEquals(T0 + 2 * SECOND, oldest(registry, member));
    await(index.announce(peer(2), false, List.of(complete(1)), T0 + 3 * SECOND)); // not the oldest, still older
    assertEquals(T0 + 2 * SECOND, oldest(registry, member));
    await(index.announce(peer(4), false, List.of(complete(1)), T0 + 20 * SECOND)); // evicts peer 3
    assertEquals(T0 + 3 * SECOND, oldest(registry, member));
    await(index.announce(peer(4), false, List.of(complete(1)), T0 + 30 * SECOND)); // the newest, refreshed
    assertEquals(T0 + 3 * SECOND, oldest(registry, member));
    assertEquals(List.of(nodeId(4), nodeId(1), nodeId(2)), ids(await(index.candidates(track(1), T0 + 30 * SECOND))));
    assertEquals(new IndexStats(3, 1, 3), await(index.stats()));
  }

  private long oldest(byte[] registry, byte[] member) {
    return Long.parseLong(new String((byte[]) onOwner(registry, ascii("ZSCORE"), registry, member), StandardCharsets.US_ASCII));
  }

  @Test
  void scriptsMissingFromTheServersCacheAreSentAgain() {
    RedisPeerIndex index = open(PeerIndexConfig.defaults());
    await(index.announce(peer(1), true, List.of(complete(1)), T0));
    for (RedisServer s : servers()) {
      assertEquals("OK", s.commandString("SCRIPT", "FLUSH"));
    }
    await(index.announce(peer(2), true, List.of(complete(1)), T0 + SECOND));
    assertEquals(List.of(nodeId(2), nodeId(1)), ids(await(index.candidates(track(1), T0 + SECOND))));
    assertEquals(new IndexStats(2, 1, 2), await(index.stats()));
  }

  @Test
  void anEntryWhosePeerRecordVanishedIsLeftOutByAnInstanceThatReadsIt() {
    RedisPeerIndex index = open(PeerIndexConfig.defaults());
    await(index.announce(peer(1), true, List.of(complete(1)), T0));
    await(index.announce(peer(2), true, List.of(complete(1)), T0));
    byte[] info = Keys.peerInfo(nodeId(1));
    // As if its safety TTL had run out while its entry lives: only with clocks far apart.
    assertEquals(1L, onOwner(info, ascii("DEL"), info));
    RedisPeerIndex other = open(PeerIndexConfig.defaults());
    assertEquals(List.of(nodeId(2)), ids(await(other.candidates(track(1), T0))));
    // The announcing instance holds the info in the entry's version and answers it (documented).
    assertEquals(List.of(nodeId(2), nodeId(1)), ids(await(index.candidates(track(1), T0))));
  }

  @Test
  void aRemovedPeerIsGoneFromEveryInstanceThatHeldItsInfo() {
    RedisPeerIndex a = open(PeerIndexConfig.defaults());
    RedisPeerIndex b = open(PeerIndexConfig.defaults());
    List<Holding> tracks = new ArrayList<>();
    for (int t = 0; t < 40; t++) {
      tracks.add(complete(t));
    }
    await(a.announce(peer(1), true, tracks, T0));
    await(a.announce(peer(2), true, List.of(complete(3)), T0));
    assertEquals(List.of(nodeId(2), nodeId(1)), ids(await(b.candidates(track(3), T0 + 1))));
    await(b.removePeer(nodeId(1)));
    for (int t = 0; t < 40; t++) {
      assertEquals(t == 3 ? List.of(nodeId(2)) : List.of(), ids(await(a.candidates(track(t), T0 + 2))), "track " + t);
      assertEquals(t == 3 ? List.of(nodeId(2)) : List.of(), ids(await(b.candidates(track(t), T0 + 2))), "track " + t);
    }
    assertEquals(new IndexStats(1, 1, 1), await(a.stats()));
  }

  @Test
  void expiryWorksThroughManySmallBatches() {
    // keepPerTrack 1000 makes a batch 4 tracks: 600 tracks take many calls.
    RedisPeerIndex index = open(PeerIndexConfig.builder().keepPerTrack(1000).ttl(Duration.ofSeconds(10)).build());
    List<Holding> holdings = new ArrayList<>();
    for (int t = 0; t < 600; t++) {
      holdings.add(complete(t));
    }
    await(index.announce(peer(1), true, holdings, T0));
    await(index.announce(peer(2), true, holdings.subList(0, 100), T0 + 5 * SECOND));
    assertEquals(new IndexStats(2, 600, 700), await(index.stats()));
    assertEquals(600L, await(index.expire(T0 + 10 * SECOND)));
    assertEquals(new IndexStats(1, 100, 100), await(index.stats()));
    assertEquals(100L, await(index.expire(T0 + 15 * SECOND)));
    assertEquals(new IndexStats(0, 0, 0), await(index.stats()));
    assertNoKeysLeft();
  }

  @Test
  void everythingRemovedLeavesNoKeysBehind() {
    RedisPeerIndex index = open(PeerIndexConfig.builder().keepPerTrack(2).build());
    for (int p = 0; p < 10; p++) {
      await(index.announce(peer(p), true, List.of(complete(p % 3), partial(3, p)), T0 + p * SECOND));
    }
    for (int p = 0; p < 10; p++) {
      await(index.removePeer(nodeId(p)));
    }
    assertEquals(new IndexStats(0, 0, 0), await(index.stats()));
    assertNoKeysLeft();
  }

  @Test
  void aPeersNewInfoReachesAnotherInstanceThatHadDecodedTheOldOneOnEveryTrack() {
    PeerIndexConfig config = PeerIndexConfig.builder().ttl(Duration.ofSeconds(60)).build();
    RedisPeerIndex a = open(config);
    RedisPeerIndex b = open(config);
    List<Holding> tracks = new ArrayList<>();
    for (int t = 0; t < 40; t++) { // tracks of many shards: on a cluster, several re-version calls
      tracks.add(complete(t));
    }
    await(a.announce(peer(1), true, tracks, T0));
    for (int t = 0; t < 40; t++) {
      assertEquals(peer(1), await(b.candidates(track(t), T0 + 1)).get(0).peer());
    }
    PeerInfo moved = peer(1, ipv4(198, 51, 100, 9), 5000, coordinate(50, 60, 3), "us-east");
    await(a.announce(moved, false, List.of(complete(7)), T0 + 2));
    for (int t = 0; t < 40; t++) {
      assertEquals(new Candidate(moved, complete(t), t == 7 ? T0 + 2 : T0), await(b.candidates(track(t), T0 + 3)).get(0),
          "track " + t);
    }
    // Back to the first info, with an empty delta: the version of the first info again, which b holds no more.
    await(a.announce(peer(1), false, List.of(), T0 + 4));
    for (int t = 0; t < 40; t++) {
      assertEquals(peer(1), await(b.candidates(track(t), T0 + 5)).get(0).peer(), "track " + t);
    }
  }

  @Test
  void aCoordinateOnlyAnnounceKeepsEveryEntrysVersionAndAnotherInstanceTakesTheNewCoordinateAfterTheBound() {
    PeerIndexConfig config = PeerIndexConfig.builder().ttl(Duration.ofMinutes(10)).build();
    RedisPeerIndex a = open(config);
    RedisPeerIndex b = open(config);
    PeerInfo first = peer(1, ipv4(192, 0, 2, 1), 5000, coordinate(1, 1, 1), "eu");
    List<Holding> tracks = new ArrayList<>();
    for (int t = 0; t < 40; t++) { // tracks of many shards
      tracks.add(complete(t));
    }
    await(a.announce(first, true, tracks, T0));
    for (int t = 0; t < 40; t++) {
      assertEquals(first, await(b.candidates(track(t), T0 + 1)).get(0).peer());
    }
    byte[][] before = entries(1, 40);

    // The coordinate moves (as with every RTT sample); the node announces one track.
    PeerInfo drifted = peer(1, ipv4(192, 0, 2, 1), 5000, coordinate(1.5f, 0.5f, 2), "eu");
    await(a.announce(drifted, false, List.of(complete(7)), T0 + 2));
    byte[][] after = entries(1, 40);
    for (int t = 0; t < 40; t++) {
      assertEquals(Blobs.entryVersion(before[t]), Blobs.entryVersion(after[t]), "track " + t);
      if (t != 7) {
        assertArrayEquals(before[t], after[t], "an unlisted entry is not rewritten: track " + t);
      }
    }
    // The announcing instance answers the new coordinate at once, on every track.
    for (int t = 0; t < 40; t++) {
      assertEquals(drifted, await(a.candidates(track(t), T0 + 3)).get(0).peer(), "track " + t);
    }
    // b decoded the peer at T0 + 1: the old coordinate until its copy is older than the bound ...
    long bound = RedisPeerIndex.COORDINATE_STALENESS_MILLIS;
    for (int t = 0; t < 40; t++) {
      assertEquals(first, await(b.candidates(track(t), T0 + 1 + bound)).get(0).peer(), "track " + t);
    }
    // ... then the new one, on every track.
    for (int t = 0; t < 40; t++) {
      assertEquals(drifted, await(b.candidates(track(t), T0 + 2 + bound)).get(0).peer(), "track " + t);
    }
  }

  /** The entry values of peer {@code p} on tracks 0..n-1, as stored. */
  private byte[][] entries(int p, int n) {
    byte[][] out = new byte[n][];
    for (int t = 0; t < n; t++) {
      byte[] key = Keys.trackHoldings(track(t));
      out[t] = (byte[]) onOwner(key, ascii("HGET"), key, nodeId(p).bytes());
    }
    return out;
  }

  @Test
  void aRedisWithAnotherLayoutIsRefusedSayingWhatToDo() {
    open(PeerIndexConfig.defaults()).close();
    assertEquals("4", new String((byte[]) onOwner(Keys.LAYOUT_KEY, ascii("GET"), Keys.LAYOUT_KEY), StandardCharsets.US_ASCII));

    // Layout 1 had no marker; its shard registries (same names in both layouts) show it is there.
    onOwner(Keys.LAYOUT_KEY, ascii("DEL"), Keys.LAYOUT_KEY);
    byte[] registry = Keys.shardPeers(7);
    onOwner(registry, ascii("ZADD"), registry, ascii("1"), ascii("a node"));
    RedisLayoutException old = assertThrows(RedisLayoutException.class, () -> open(PeerIndexConfig.defaults()));
    assertTrue(old.getMessage().contains("layout 1;") && old.getMessage().contains("stop every tracker"), old.getMessage());

    onOwner(registry, ascii("DEL"), registry);
    // Layout 2 (holding values without the entry's time) is refused as well, with the same advice.
    onOwner(Keys.LAYOUT_KEY, ascii("SET"), Keys.LAYOUT_KEY, ascii("2"));
    RedisLayoutException previous = assertThrows(RedisLayoutException.class, () -> open(PeerIndexConfig.defaults()));
    assertTrue(previous.getMessage().contains("layout 2;") && previous.getMessage().contains("stop every tracker"),
        previous.getMessage());

    // Layout 3 (entry values without the peer's info version) too.
    onOwner(Keys.LAYOUT_KEY, ascii("SET"), Keys.LAYOUT_KEY, ascii("3"));
    RedisLayoutException layout3 = assertThrows(RedisLayoutException.class, () -> open(PeerIndexConfig.defaults()));
    assertTrue(layout3.getMessage().contains("layout 3;") && layout3.getMessage().contains("stop every tracker"),
        layout3.getMessage());

    onOwner(Keys.LAYOUT_KEY, ascii("SET"), Keys.LAYOUT_KEY, ascii("5"));
    RedisLayoutException newer = assertThrows(RedisLayoutException.class, () -> open(PeerIndexConfig.defaults()));
    assertTrue(newer.getMessage().contains("layout 5;"), newer.getMessage());
  }

  @Test
  void invalidArgumentsAndAClosedIndexFailTheStage() {
    RedisPeerIndex index = open(PeerIndexConfig.defaults());
    assertInstanceOf(IllegalArgumentException.class, failure(index.announce(peer(1), true, List.of(complete(1)), -1)));
    assertInstanceOf(IllegalArgumentException.class, failure(index.candidates(track(1), -5)));
    assertInstanceOf(NullPointerException.class, failure(index.withdraw(null, List.of())));
    List<Holding> withNull = new ArrayList<>();
    withNull.add(null);
    assertInstanceOf(NullPointerException.class, failure(index.announce(peer(1), false, withNull, T0)));
    index.close();
    index.close();
    assertInstanceOf(IllegalStateException.class, failure(index.stats()));
    assertInstanceOf(IllegalStateException.class, failure(index.announce(peer(1), true, List.of(), T0)));
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Every key of the index is gone; the layout marker stays. */
  void assertNoKeysLeft() {
    for (RedisServer s : servers()) {
      List<String> left = new ArrayList<>();
      for (Object key : (List<?>) s.command("KEYS", "chorus:*")) {
        if (!Arrays.equals(Keys.LAYOUT_KEY, (byte[]) key)) {
          left.add(str((byte[]) key));
        }
      }
      assertEquals(List.of(), left, s + " keeps keys after everything went");
    }
  }

  static List<dev.chorus.protocol.NodeId> ids(List<Candidate> candidates) {
    List<dev.chorus.protocol.NodeId> ids = new ArrayList<>();
    candidates.forEach(c -> ids.add(c.peer().nodeId()));
    return ids;
  }
}
