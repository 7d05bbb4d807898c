package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PlaybackReport;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Playback reports through a real tracker, with the tracker's clock in the test's hands. */
@ExtendWith(NoLeaks.class)
class TrackerTelemetryTest {
  private static final long SECOND = 1_000_000_000L;

  private final SecureRandom random = seeded();
  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final RecordingListener listener = new RecordingListener();
  private final List<TestNode> nodes = new ArrayList<>();
  private EventLoopGroup clients;
  private PeerIndex index;
  private TrackerServer server;

  private static SecureRandom seeded() {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(20);
      return r;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    clients = new NioEventLoopGroup(1);
    index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
    TrackerConfig config = TrackerConfig.builder(NoiseKeyPair.generateX25519(random))
        .listenAddress(new InetSocketAddress("127.0.0.1", 0)).ioThreads(1)
        .telemetryRegions(Set.of("eu-west")).build();
    server = TrackerServer.start(config, index, listener, clock::get, System::currentTimeMillis, 3);
  }

  @AfterEach
  void tearDown() throws Exception {
    nodes.forEach(TestNode::close);
    server.close();
    index.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private TestNode node(String localIp) throws Exception {
    TestNode n = TestNode.connect(clients, server.address(), server.publicKey(),
        NoiseKeyPair.generateX25519(random), localIp, 0);
    n.awaitReady();
    nodes.add(n);
    return n;
  }

  private static TrackerMessage report(PlaybackReport.Builder r) {
    return TrackerMessage.newBuilder().setPlaybackReport(r).build();
  }

  @Test
  void theTrackerSaysItAcceptsReports() throws Exception {
    TestNode n = TestNode.connect(clients, server.address(), server.publicKey(),
        NoiseKeyPair.generateX25519(random), "127.0.0.1", 0);
    nodes.add(n);
    TrackerMessage hello = n.await(TrackerMessage::hasHello);
    assertTrue(hello.getHello().getCapabilitiesList().contains(PlaybackReports.CAPABILITY), hello.toString());
  }

  @Test
  void aReportIsAddedUpAndCheckedAgainstTheTimeSinceThePreviousOne() throws Exception {
    TestNode n = node("127.0.0.1");
    clock.addAndGet(60 * SECOND);
    long lotsForAMinute = PlaybackReports.MAX_PLAYED_BYTES_PER_SECOND * 65;
    n.send(report(PlaybackReport.newBuilder().setPlayedCdnBytes(lotsForAMinute).setPlayedPeerBytes(7).setPlays(2)
        .setStutters(1).addStartLatencyCounts(1).addStartLatencyCounts(0).addStartLatencyCounts(1)));
    listener.awaitCount("report:OK", 1);
    assertEquals(TrackerConfig.NO_REGION_LABEL, listener.reports.get(0).getKey());
    PlaybackReports.Figures f = listener.reports.get(0).getValue();
    assertEquals(lotsForAMinute, f.playedCdnBytes());
    assertEquals(7, f.playedPeerBytes());
    assertEquals(2, f.plays());
    assertArrayEquals(new long[] {1, 0, 1, 0, 0, 0}, f.startLatencyCounts());

    // The same figures a second later are not plausible: dropped, said, and the connection stays.
    clock.addAndGet(SECOND);
    n.send(report(PlaybackReport.newBuilder().setPlayedCdnBytes(lotsForAMinute).setSequence(7)));
    TrackerMessage error = n.await(TrackerMessage::hasError);
    assertEquals(ErrorCode.BAD_REQUEST, error.getError().getCode());
    assertEquals(7, error.getError().getReportSequence());
    assertTrue(error.getError().getDetail().contains("played_cdn_bytes"), error.getError().getDetail());
    listener.awaitCount("report:INVALID", 1);
    n.send(TestNode.lookup(5, new byte[32], 10));
    n.await(TrackerMessage::hasLookupResult);
    assertEquals(1, listener.count("report:OK"));
  }

  @Test
  void reportsAreRateLimitedPerConnection() throws Exception {
    TestNode n = node("127.0.0.2");
    for (int i = 0; i < TrackerSessionHandler.REPORT_BURST + 1; i++) {
      n.send(report(PlaybackReport.newBuilder().setPlays(1).setSequence(i + 1)));
    }
    dev.chorus.protocol.wire.Error refused = n.await(TrackerMessage::hasError).getError();
    assertEquals(ErrorCode.RATE_LIMITED, refused.getCode());
    assertEquals(TrackerSessionHandler.REPORT_BURST + 1, refused.getReportSequence(), "the refusal names the report");
    assertEquals(0, refused.getLookupId());
    listener.awaitCount("report:RATE_LIMITED", 1);
    assertEquals(TrackerSessionHandler.REPORT_BURST, listener.count("report:OK"));

    clock.addAndGet(10 * SECOND); // one token back
    n.send(report(PlaybackReport.newBuilder().setPlays(1)));
    listener.awaitCount("report:OK", TrackerSessionHandler.REPORT_BURST + 1);
  }

  @Test
  void regionLabelsAreOnlyTheConfiguredOnes() throws Exception {
    TestNode known = node("127.0.0.3");
    TestNode unknown = node("127.0.0.4");
    known.send(TrackerMessage.newBuilder().setAnnounce(Announce.newBuilder().setFull(true).setRegion("eu-west")).build());
    known.send(report(PlaybackReport.newBuilder().setPlays(1)));
    listener.awaitCount("report:OK", 1);
    unknown.send(TrackerMessage.newBuilder().setAnnounce(Announce.newBuilder().setFull(true).setRegion("mars-1")).build());
    unknown.send(report(PlaybackReport.newBuilder().setPlays(1)));
    listener.awaitCount("report:OK", 2);
    assertEquals("eu-west", listener.reports.get(0).getKey());
    assertEquals(TrackerConfig.OTHER_REGION_LABEL, listener.reports.get(1).getKey());
  }
}
