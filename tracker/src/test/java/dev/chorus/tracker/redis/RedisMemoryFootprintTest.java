package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.TestServers;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.testing.process.RedisServer;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What one (track, peer) entry costs in Redis: loads {@code tracks} tracks with 20 peers each
 * (every peer holding {@code tracksPerPeer} tracks) and compares INFO memory's used_memory before
 * and after. The default size keeps the test quick; tracker/docs/redis.md quotes
 * {@code -Dchorus.redis.footprint.tracks=10000}, with tracksPerPeer 100 and 10000.
 */
@ExtendWith(NoLeaks.class)
class RedisMemoryFootprintTest {
  private static final int PER_TRACK = 20;

  @Test
  void bytesPerEntry() throws Exception {
    int tracks = Integer.getInteger("chorus.redis.footprint.tracks", 400);
    int tracksPerPeer = Integer.getInteger("chorus.redis.footprint.tracksPerPeer", 100);
    int peers = tracks * PER_TRACK / tracksPerPeer;
    try (RedisServer redis = TestServers.redis();
        RedisPeerIndex index = RedisPeerIndex.connect(redis.uri(), PeerIndexConfig.defaults())) {
      String listpack = System.getProperty("chorus.redis.footprint.zsetListpackEntries");
      if (listpack != null) {
        redis.command("CONFIG", "SET", "zset-max-listpack-entries", listpack);
      }
      await(index.stats()); // scripts loaded, connection warm
      long before = Long.parseLong(redis.info("memory", "used_memory"));

      // Peer p holds tracks p*tracksPerPeer .. +tracksPerPeer-1 (mod tracks): 20 peers per track.
      List<CompletableFuture<Void>> window = new ArrayList<>();
      for (int p = 0; p < peers; p++) {
        List<Holding> holdings = new ArrayList<>(tracksPerPeer);
        for (int j = 0; j < tracksPerPeer; j++) {
          holdings.add(complete((int) (((long) p * tracksPerPeer + j) % tracks)));
        }
        window.add(index.announce(peer(p), true, holdings, T0 + p).toCompletableFuture());
        if (window.size() == 32) {
          window.forEach(RedisMemoryFootprintTest::await);
          window.clear();
        }
      }
      window.forEach(RedisMemoryFootprintTest::await);
      long entries = (long) tracks * PER_TRACK;
      assertEquals(new IndexStats(peers, tracks, entries), await(index.stats()));

      long after = Long.parseLong(redis.info("memory", "used_memory"));
      double perEntry = (after - before) / (double) entries;
      String trackKey = new String(Keys.trackEntries(track(0)), StandardCharsets.US_ASCII);
      String holdingKey = new String(Keys.trackHoldings(track(0)), StandardCharsets.US_ASCII);
      String infoKey = new String(Keys.peerInfo(nodeId(0)), StandardCharsets.US_ASCII);
      String peerTracksKey = new String(Keys.peerTracks(nodeId(0)), StandardCharsets.US_ASCII);
      System.out.printf("REDIS-FOOTPRINT redis %s (zset-max-listpack-entries %s), %d tracks x %d peers = %d entries, %d peers holding %d tracks each: "
              + "%d bytes used, %.1f bytes per entry; MEMORY USAGE: track sorted set %s, holdings hash %s, "
              + "peer info %s, peer track set %s%n",
          redis.info("server", "redis_version"),
          ((List<?>) redis.command("CONFIG", "GET", "zset-max-listpack-entries")).stream()
              .map(o -> new String((byte[]) o, StandardCharsets.US_ASCII)).reduce((a, b) -> b).orElse("?"),
          tracks, PER_TRACK, entries, peers, tracksPerPeer,
          after - before, perEntry, redis.command("MEMORY", "USAGE", trackKey),
          redis.command("MEMORY", "USAGE", holdingKey), redis.command("MEMORY", "USAGE", infoKey),
          redis.command("MEMORY", "USAGE", peerTracksKey));
      // A loose bound, so that a layout change that doubles the cost is noticed.
      assertTrue(perEntry < 400, perEntry + " bytes per entry");
    }
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    return SharedIndexChecks.await(stage);
  }
}
