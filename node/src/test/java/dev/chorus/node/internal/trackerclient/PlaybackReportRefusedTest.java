package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.trackerclient.TrackerClientTest.TestSource;
import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.testing.Await;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node that reports faster than the real tracker accepts (every 200 ms against about one per 10
 * s after a burst of two): the refused reports are named by their sequence, their figures go out
 * with a later report, and the tracker's totals end equal to the node's.
 */
@ExtendWith(NoLeaks.class)
class PlaybackReportRefusedTest {
  /** The node's counters grow for this many reads of its totals, then stay. */
  private static final int GROWING_READS = 12;

  @Test
  void afterRefusedReportsTheTrackersTotalsEqualTheNodes() throws Exception {
    SecureRandom random = new SecureRandom();
    NoiseKeyPair trackerKey = NoiseKeyPair.generateX25519(random);
    EventLoopGroup group = new NioEventLoopGroup(1);
    Summing tracker = new Summing();
    AtomicInteger reads = new AtomicInteger();
    PlaybackSource source = () -> totals(Math.min(reads.getAndIncrement(), GROWING_READS));
    AtomicInteger carried = new AtomicInteger();
    AtomicInteger dropped = new AtomicInteger();
    TrackerClientListener events = new TrackerClientListener() {
      @Override
      public void playbackReportRefused(ErrorCode code, boolean carriedOver) {
        (carriedOver ? carried : dropped).incrementAndGet();
      }
    };
    TrackerConfig config = TrackerConfig.builder(trackerKey).listenAddress(new InetSocketAddress("127.0.0.1", 0))
        .ioThreads(1).build();
    try (PeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
        TrackerServer server = TrackerServer.start(config, index, tracker)) {
      TrackerClientConfig clientConfig = TrackerClientConfig.builder(NoiseKeyPair.generateX25519(random))
          .tracker(TrackerEndpoint.of(trackerKey.publicKey(), "127.0.0.1", server.address().getPort()))
          .telemetryInterval(Duration.ofMillis(200)).build();
      try (TrackerClient client = TrackerClient.start(clientConfig, group, new TestSource(), events, source)) {
        PlaybackTotals node = totals(GROWING_READS);
        // The tracker's bucket refills one report per 10 s: the totals meet after the next one.
        Await.until(() -> tracker.cdn.get() == node.playedCdnBytes() && tracker.plays.get() == node.plays(),
            Duration.ofSeconds(60), Duration.ofMillis(50),
            () -> "the tracker counted " + tracker.cdn.get() + " CDN bytes of the node's " + node.playedCdnBytes()
                + " (" + carried.get() + " refusals carried over, " + dropped.get() + " dropped)");
        assertTrue(carried.get() > 0, "some reports were refused over the rate and carried over");
        assertEquals(0, dropped.get());
        assertEquals(node.playedCacheBytes(), tracker.cache.get());
        assertEquals(node.playedPeerBytes(), tracker.peers.get());
        assertEquals(node.plays(), tracker.plays.get());
        assertEquals(node.stutters(), tracker.stutters.get());
        assertEquals(node.uploadedBytes(), tracker.uploaded.get());
        assertEquals(node.startLatencyCounts()[1], tracker.latencyBucket1.get());
        assertTrue(client.isConnected());
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /**
   * What the node has counted by its {@code k}-th read. Plays grow slowly: a report may carry at
   * most 2 a second of its interval, and the reads before the refusals start see none of them.
   */
  private static PlaybackTotals totals(int k) {
    long[] latency = new long[PlaybackReports.START_LATENCY_BUCKETS];
    latency[1] = k / 6;
    return new PlaybackTotals(1000L * k, 2000L * k, 3000L * k, 0, k / 6, k / 12, latency, 500L * k);
  }

  /** The tracker's side: the figures of every report it accepted, summed. */
  private static final class Summing implements TrackerListener {
    final AtomicLong cache = new AtomicLong();
    final AtomicLong peers = new AtomicLong();
    final AtomicLong cdn = new AtomicLong();
    final AtomicLong plays = new AtomicLong();
    final AtomicLong stutters = new AtomicLong();
    final AtomicLong uploaded = new AtomicLong();
    final AtomicLong latencyBucket1 = new AtomicLong();

    @Override
    public void playbackReported(String region, PlaybackReports.Figures f) {
      cache.addAndGet(f.playedCacheBytes());
      peers.addAndGet(f.playedPeerBytes());
      plays.addAndGet(f.plays());
      stutters.addAndGet(f.stutters());
      uploaded.addAndGet(f.uploadedBytes());
      latencyBucket1.addAndGet(f.startLatencyCounts()[1]);
      cdn.addAndGet(f.playedCdnBytes()); // last: the test waits on it
    }
  }
}
