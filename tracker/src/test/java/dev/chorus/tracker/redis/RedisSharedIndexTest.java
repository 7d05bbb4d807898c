package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
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
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
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
