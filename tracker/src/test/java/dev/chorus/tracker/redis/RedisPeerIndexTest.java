package dev.chorus.tracker.redis;

import dev.chorus.testing.RedisFixture;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerIndexContract;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The peer index contract against {@link RedisPeerIndex} on one real redis-server. */
@ExtendWith(NoLeaks.class)
class RedisPeerIndexTest extends PeerIndexContract {
  @RegisterExtension
  static final RedisFixture redis = RedisFixture.server();

  @Override
  protected PeerIndex newIndex(PeerIndexConfig config) {
    return RedisPeerIndex.connect(redis.uri(), config);
  }
}
