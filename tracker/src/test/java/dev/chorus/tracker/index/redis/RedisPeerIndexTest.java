package dev.chorus.tracker.index.redis;

import dev.chorus.testing.TestServers;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.testing.process.RedisServer;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerIndexContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The peer index contract against {@link RedisPeerIndex} on one real redis-server. */
@ExtendWith(NoLeaks.class)
class RedisPeerIndexTest extends PeerIndexContract {
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = TestServers.redis();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void flush() {
    redis.flushAll();
  }

  @Override
  protected PeerIndex newIndex(PeerIndexConfig config) {
    return RedisPeerIndex.connect(redis.uri(), config);
  }
}
