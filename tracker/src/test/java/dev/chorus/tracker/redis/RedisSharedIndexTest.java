package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.coordinate;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.RedisFixture;
import dev.chorus.testing.TestServers;
import dev.chorus.testing.process.FreePorts;
import dev.chorus.testing.process.RedisServer;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerInfo;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SharedIndexChecks} on one real redis-server, and what happens when it goes away. */
class RedisSharedIndexTest extends SharedIndexChecks {
  @RegisterExtension
  static final RedisFixture redis = RedisFixture.server();

  @Override
  String uri() {
    return redis.uri();
  }

  @Override
  List<RedisServer> servers() {
    return redis.servers();
  }

  @Test
  void anAnnounceIsOneScriptCallUnlessItDropsOrEvicts() {
    RedisPeerIndex index = open(PeerIndexConfig.builder().keepPerTrack(2).build());
    await(index.announce(peer(1), true, List.of(complete(1), complete(2)), T0)); // loads the scripts
    resetCommandStats();
    await(index.announce(peer(2), false, List.of(complete(1), complete(2), complete(3)), T0 + 1));
    assertEquals(1, scriptCalls());
    // A full announce that drops a track: also the dropped track's removal.
    resetCommandStats();
    await(index.announce(peer(2), true, List.of(complete(1), complete(2)), T0 + 2));
    assertEquals(2, scriptCalls());
    // Evicting peer 1 from tracks 1 and 2 (keep 2): also its unlink.
    resetCommandStats();
    await(index.announce(peer(3), false, List.of(complete(1), complete(2)), T0 + 3));
    assertEquals(2, scriptCalls());
    assertEquals(new IndexStats(2, 2, 4), await(index.stats()));
    assertEquals(List.of(nodeId(3), nodeId(2)), ids(await(index.candidates(track(1), T0 + 3))));
  }

  @Test
  void aLookupWhosePeersAreKnownIsOneHgetallAndOnlyUnknownOrChangedPeersAreRead() {
    RedisPeerIndex writer = open(PeerIndexConfig.defaults());
    RedisPeerIndex reader = open(PeerIndexConfig.defaults());
    for (int p = 1; p <= 3; p++) {
      await(writer.announce(peer(p), true, List.of(complete(1), complete(2)), T0 + p));
    }
    resetCommandStats();
    assertEquals(List.of(nodeId(3), nodeId(2), nodeId(1)), ids(await(reader.candidates(track(1), T0 + 5))));
    assertEquals(1, calls("hgetall"));
    assertEquals(1, calls("mget"));
    assertEquals(3, keysRead(), "a reader new to the peers reads all three");

    // The writer holds the infos it announced: one command from the start.
    resetCommandStats();
    assertEquals(List.of(nodeId(3), nodeId(2), nodeId(1)), ids(await(writer.candidates(track(2), T0 + 5))));
    assertEquals(1, calls("hgetall"));
    assertEquals(0, calls("mget"));

    // Track 2 has the same peers in the same versions: one command.
    resetCommandStats();
    assertEquals(3, await(reader.candidates(track(2), T0 + 5)).size());
    assertEquals(1, calls("hgetall"));
    assertEquals(0, calls("mget"));

    // Peer 2 moves, announcing track 1 only: its entry on track 2 is re-versioned, and the
    // reader reads that one peer again, and gets the new info on both tracks.
    PeerInfo moved = peer(2, ipv4(198, 51, 100, 9), 5000, coordinate(50, 60, 3), "us-east");
    await(writer.announce(moved, false, List.of(complete(1)), T0 + 6));
    resetCommandStats();
    assertEquals(moved, await(reader.candidates(track(2), T0 + 7)).get(1).peer());
    assertEquals(1, calls("mget"));
    assertEquals(1, keysRead());
    resetCommandStats();
    assertEquals(moved, await(reader.candidates(track(1), T0 + 7)).get(0).peer());
    assertEquals(0, calls("mget"));
  }

  @Test
  void aCoordinateOnlyIncrementalAnnounceReVersionsNoEntryAndAnAddressChangeAllTheOthers() {
    RedisPeerIndex index = open(PeerIndexConfig.defaults());
    List<Holding> tracks = new ArrayList<>();
    for (int t = 0; t < 40; t++) {
      tracks.add(complete(t));
    }
    await(index.announce(peer(1, ipv4(192, 0, 2, 1), 5000, coordinate(1, 1, 1), ""), true, tracks, T0));
    resetCommandStats();
    await(index.announce(peer(1, ipv4(192, 0, 2, 1), 5000, coordinate(2, 0, 1), ""), false, List.of(complete(7)), T0 + 1));
    assertEquals(1, scriptCalls(), "the announce only: no tracks_retag");
    assertEquals(0, calls("hget"));
    // An address change: tracks_retag reads and writes the 39 unlisted entries.
    resetCommandStats();
    await(index.announce(peer(1, ipv4(198, 51, 100, 9), 5000, coordinate(2, 0, 1), ""), false, List.of(complete(7)), T0 + 2));
    assertEquals(2, scriptCalls());
    assertEquals(39, calls("hget"));
  }

  /** Calls of a command since the last reset. */
  private long calls(String command) {
    for (String line : redis.servers().get(0).commandString("INFO", "commandstats").split("\\r?\\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        return stat(line, "calls");
      }
    }
    return 0;
  }

  /** Keys read since the last reset: keyspace hits and misses (INFO stats). */
  private long keysRead() {
    long n = 0;
    for (String line : redis.servers().get(0).commandString("INFO", "stats").split("\\r?\\n")) {
      if (line.startsWith("keyspace_hits:") || line.startsWith("keyspace_misses:")) {
        n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return n - calls("hgetall");
  }

  private void resetCommandStats() {
    assertEquals("OK", redis.servers().get(0).commandString("CONFIG", "RESETSTAT"));
  }

  /**
   * Scripts run since the last reset: EVALSHA and EVAL calls, less the failed ones (an EVALSHA of
   * a script not cached yet fails with NOSCRIPT and is sent again as EVAL).
   */
  private long scriptCalls() {
    long calls = 0;
    for (String line : redis.servers().get(0).commandString("INFO", "commandstats").split("\\r?\\n")) {
      if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        calls += stat(line, "calls") - stat(line, "failed_calls");
      }
    }
    return calls;
  }

  /** A field of an INFO commandstats line ({@code cmdstat_x:calls=3,usec=...,failed_calls=0}). */
  private static long stat(String line, String name) {
    for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
      if (field.startsWith(name + "=")) {
        return Long.parseLong(field.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + name + " in " + line);
  }

  @Test
  void connectingToNothingFailsAtOnce() throws Exception {
    int port = FreePorts.loopback();
    assertThrows(RedisConnectionException.class,
        () -> RedisPeerIndex.connect("redis://127.0.0.1:" + port, PeerIndexConfig.defaults()));
  }

  @Test
  void operationsFailRatherThanHangWhenRedisIsGone() throws Exception {
    RedisServer doomed = TestServers.redis();
    try (RedisPeerIndex index = RedisPeerIndex.connect(doomed.uri() + "?timeout=300ms", PeerIndexConfig.defaults())) {
      await(index.announce(peer(1), true, List.of(complete(1)), T0));
      doomed.close();
      long start = System.nanoTime();
      Throwable e = failure(index.candidates(track(1), T0));
      assertTrue(System.nanoTime() - start < 10_000_000_000L, "took too long to fail");
      assertInstanceOf(RedisException.class, e);
      assertInstanceOf(RedisException.class, failure(index.stats()));
    } finally {
      doomed.close();
    }
  }
}
