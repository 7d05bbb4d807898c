package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.trackerclient.TrackerClientTest.TestSource;
import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.Await;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.metrics.MicrometerTrackerListener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A node's playback figures, through the real tracker client and tracker, in the tracker's exposition. */
@ExtendWith(NoLeaks.class)
class PlaybackReportEndToEndTest {
  @Test
  void whatTheNodePlayedShowsUpInTheTrackersMetricsUnderItsRegion() throws Exception {
    SecureRandom random = new SecureRandom();
    NoiseKeyPair trackerKey = NoiseKeyPair.generateX25519(random);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EventLoopGroup group = new NioEventLoopGroup(1);
    TrackerConfig config = TrackerConfig.builder(trackerKey).listenAddress(new InetSocketAddress("127.0.0.1", 0))
        .ioThreads(1).telemetryRegions(Set.of("eu-west")).build();
    // The client's first read is its baseline; every later one shows the same figures.
    AtomicInteger reads = new AtomicInteger();
    long[] latency = new long[PlaybackReports.START_LATENCY_BUCKETS];
    latency[0] = 2;
    PlaybackTotals played = new PlaybackTotals(1000, 2000, 3000, 400, 2, 1, latency, 5000);
    PlaybackSource source = () -> reads.getAndIncrement() == 0 ? PlaybackTotals.ZERO : played;
    try (PeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
        TrackerServer server = TrackerServer.start(config, index, new MicrometerTrackerListener(registry))) {
      TrackerClientConfig clientConfig = TrackerClientConfig.builder(NoiseKeyPair.generateX25519(random))
          .tracker(TrackerEndpoint.of(trackerKey.publicKey(), "127.0.0.1", server.address().getPort()))
          .region("eu-west").telemetryInterval(Duration.ofMillis(200)).build();
      try (TrackerClient client = TrackerClient.start(clientConfig, group, new TestSource(),
          TrackerClientListener.NOOP, source)) {
        // The tracker's listener records the report's counters before its start-latency timer,
        // so wait for both: a scrape between the two would see the bytes without the latency.
        Await.until(() -> {
          String scraped = registry.scrape();
          return scraped.contains(
              "chorus_tracker_playback_played_bytes_total{region=\"eu-west\",source=\"cdn\"} 3000.0")
              && scraped.contains(
              "chorus_tracker_playback_start_latency_seconds_bucket{region=\"eu-west\",le=\"0.25\"} 2");
        }, "the tracker exports the node's CDN bytes and its start latencies");
        assertTrue(client.isConnected(), "reports are not a reason to drop the node");
        String body = registry.scrape();
        for (String line : new String[] {
            "chorus_tracker_playback_played_bytes_total{region=\"eu-west\",source=\"cache\"} 1000.0",
            "chorus_tracker_playback_played_bytes_total{region=\"eu-west\",source=\"peers\"} 2000.0",
            "chorus_tracker_playback_unplayed_bytes_total{region=\"eu-west\"} 400.0",
            "chorus_tracker_playback_uploaded_bytes_total{region=\"eu-west\"} 5000.0",
            "chorus_tracker_playback_plays_total{region=\"eu-west\"} 2.0",
            "chorus_tracker_playback_stutters_total{region=\"eu-west\"} 1.0",
            "chorus_tracker_playback_start_latency_seconds_bucket{region=\"eu-west\",le=\"0.25\"} 2",
            "chorus_tracker_playback_reports_total{outcome=\"invalid\"} 0.0"}) {
          assertTrue(body.contains(line), line + " in\n" + body);
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
