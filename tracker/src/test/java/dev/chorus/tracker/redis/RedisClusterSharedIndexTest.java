package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.RedisFixture;
import dev.chorus.testing.process.RedisServer;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link SharedIndexChecks} on a real three-master Redis Cluster, and how the data spreads. */
class RedisClusterSharedIndexTest extends SharedIndexChecks {
  @RegisterExtension
  static final RedisFixture cluster = RedisFixture.cluster();

  @Override
  String uri() {
    return cluster.uri();
  }

  @Override
  List<RedisServer> servers() {
    return cluster.servers();
  }

  @Test
  void theClusterAgreesWithOurSlotsAndTheShardsSpreadEvenly() {
    RedisServer any = cluster.servers().get(0);
    for (int s = 0; s < Keys.SHARDS; s++) {
      assertEquals((long) s * (Keys.SLOTS / Keys.SHARDS), any.command("CLUSTER", "KEYSLOT", str(Keys.tag(s))));
    }
    RedisPeerIndex index = open(PeerIndexConfig.defaults());
    for (int p = 0; p < 30; p++) {
      List<Holding> holdings = new ArrayList<>();
      for (int t = 0; t < 100; t++) {
        holdings.add(complete(p * 100 + t));
      }
      await(index.announce(peer(p), true, holdings, T0));
    }
    assertEquals(new IndexStats(30, 3000, 3000), await(index.stats()));
    long total = 0;
    for (RedisServer node : cluster.servers()) {
      long keys = (Long) node.command("DBSIZE");
      total += keys;
      // 2 keys per track, 2 per peer, 3 per shard: a third each, give or take.
      assertTrue(keys > 1500 && keys < 2700, node + " holds " + keys + " keys");
    }
    assertTrue(total > 6000, "total " + total);
  }
}
