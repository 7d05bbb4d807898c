package dev.chorus.tracker.index.redis;

import dev.chorus.testing.TestServers;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.testing.process.RedisCluster;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerIndexContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The peer index contract against {@link RedisPeerIndex} on a real three-master Redis Cluster. */
@ExtendWith(NoLeaks.class)
class RedisClusterPeerIndexTest extends PeerIndexContract {
  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestServers.redisCluster();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void flush() {
    cluster.flushAll();
  }

  @Override
  protected PeerIndex newIndex(PeerIndexConfig config) {
    return RedisPeerIndex.connect(cluster.uri(), config);
  }
}
