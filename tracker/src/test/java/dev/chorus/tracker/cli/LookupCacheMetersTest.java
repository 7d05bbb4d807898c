package dev.chorus.tracker.cli;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.RedisFixture;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.redis.LookupCacheConfig;
import dev.chorus.tracker.redis.RedisPeerIndex;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis index's lookup cache under the Prometheus names tracker/README.md lists. */
class LookupCacheMetersTest {
  @RegisterExtension
  static final RedisFixture redis = RedisFixture.server();

  @Test
  void hitsSharedReadsAndMissesAreCountedByOutcome() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (RedisPeerIndex index = RedisPeerIndex.connect(redis.uri(), PeerIndexConfig.defaults(), LookupCacheConfig.defaults())) {
      TrackerMain.bindLookupCacheMeters(registry, index);
      index.announce(peer(1), false, List.of(complete(1)), T0).toCompletableFuture().get(30, TimeUnit.SECONDS);
      index.candidates(track(1), T0).toCompletableFuture().get(30, TimeUnit.SECONDS);
      index.candidates(track(1), T0 + 1).toCompletableFuture().get(30, TimeUnit.SECONDS);
      index.candidates(track(1), T0 + 2).toCompletableFuture().get(30, TimeUnit.SECONDS);
      String scrape = registry.scrape();
      for (String line : new String[] {
          "chorus_tracker_redis_lookup_cache_total{outcome=\"hit\"} 2.0",
          "chorus_tracker_redis_lookup_cache_total{outcome=\"miss\"} 1.0",
          "chorus_tracker_redis_lookup_cache_total{outcome=\"shared\"} 0.0",
          "chorus_tracker_redis_lookup_cache_tracks 1.0"}) {
        assertTrue(scrape.contains(line), line + " in\n" + scrape);
      }
    }
  }
}
