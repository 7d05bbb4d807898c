package dev.chorus.tracker.redis;

import dev.chorus.testing.RedisFixture;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerIndexContract;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The peer index contract against {@link RedisPeerIndex} on a real three-master Redis Cluster. */
@ExtendWith(NoLeaks.class)
class RedisClusterPeerIndexTest extends PeerIndexContract {
  @RegisterExtension
  static final RedisFixture cluster = RedisFixture.cluster();

  @Override
  protected PeerIndex newIndex(PeerIndexConfig config) {
    return RedisPeerIndex.connect(cluster.uri(), config);
  }
}
