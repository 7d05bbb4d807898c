package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.RedisFixture;
import dev.chorus.testing.TestServers;
import dev.chorus.testing.process.FreePorts;
import dev.chorus.testing.process.RedisServer;
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
