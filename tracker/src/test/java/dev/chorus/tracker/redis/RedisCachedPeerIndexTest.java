package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.coordinate;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.testing.RedisFixture;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerIndexContract;
import dev.chorus.tracker.index.PeerInfo;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The peer index contract against {@link RedisPeerIndex} with its lookup cache on (TTL 1 s). One
 * rule differs, as tracker/docs/redis.md says: a peer's new info shows at once on the tracks its
 * announce lists, and on its other tracks once their cached read is a TTL old.
 */
@ExtendWith(NoLeaks.class)
class RedisCachedPeerIndexTest extends PeerIndexContract {
  private static final long CACHE_TTL = 1000;

  @RegisterExtension
  static final RedisFixture redis = RedisFixture.server();

  @Override
  protected PeerIndex newIndex(PeerIndexConfig config) {
    return RedisPeerIndex.connect(redis.uri(), config, LookupCacheConfig.of(Duration.ofMillis(CACHE_TTL), 1000));
  }

  @Override
  @Test
  public void anAnnounceUpdatesThePeersInfoOnAllItsEntries() throws Exception {
    PeerIndex index = open(PeerIndexConfig.defaults());
    announce(index, peer(0), true, T0, complete(1), complete(2));
    PeerInfo moved = peer(0, ipv4(198, 51, 100, 9), 5000, coordinate(50, 60, 3), "us-east");
    announce(index, moved, false, T0 + 1, complete(3));
    long now = T0 + 2;
    for (int t = 1; t <= 3; t++) {
      assertEquals(moved, candidates(index, t, now).get(0).peer(), "track " + t + ": not cached before");
    }
    PeerInfo movedAgain = peer(0, ipv4(198, 51, 100, 10), 5001, coordinate(1, 2, 3), "");
    announce(index, movedAgain, false, now, complete(2));
    assertEquals(movedAgain, candidates(index, 2, now).get(0).peer(), "listed: at once");
    assertEquals(moved, candidates(index, 1, now + CACHE_TTL - 1).get(0).peer(), "not listed: cached");
    assertEquals(movedAgain, candidates(index, 1, now + CACHE_TTL).get(0).peer(), "not listed: after the TTL");
  }
}
