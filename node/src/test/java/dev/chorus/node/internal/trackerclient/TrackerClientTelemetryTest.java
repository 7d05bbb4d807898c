package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.chorus.node.internal.trackerclient.TrackerClientTest.TestSource;
import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.PlaybackReport;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.testing.leaks.NoLeaks;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Playback reports from the tracker client: sent only to a tracker that says it accepts them. */
@ExtendWith(NoLeaks.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrackerClientTelemetryTest {
  private final SecureRandom random = new SecureRandom();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicReference<PlaybackTotals> totals = new AtomicReference<>(PlaybackTotals.ZERO);
  private EventLoopGroup group;

  @BeforeEach
  void setUp() {
    group = new NioEventLoopGroup(1);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private ScriptedTracker tracker(String... capabilities) throws InterruptedException {
    ScriptedTracker t = new ScriptedTracker(random, capabilities);
    closeables.add(t);
    return t;
  }

  private TrackerClient client(ScriptedTracker tracker, Duration interval) throws Exception {
    TrackerClientConfig config = TrackerClientConfig.builder(NoiseKeyPair.generateX25519(random))
        .tracker(tracker.endpoint()).telemetryInterval(interval).build();
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient client = TrackerClient.start(config, group, new TestSource(), events, new Random(1), totals::get);
    closeables.add(client);
    tracker.await(TrackerMessage::hasHello);
    events.await("connected");
    return client;
  }

  private static PlaybackTotals played(long cdn, long plays) {
    long[] latency = new long[PlaybackReports.START_LATENCY_BUCKETS];
    latency[1] = plays;
    return new PlaybackTotals(0, 0, cdn, 0, plays, 0, latency, 0);
  }

  @Test
  void aTrackerThatAcceptsReportsGetsWhatWasPlayedOnceAndOnlyOnce() throws Exception {
    ScriptedTracker tracker = tracker("tracker", PlaybackReports.CAPABILITY);
    totals.set(played(1000, 1)); // before the connection: reports count from here on
    client(tracker, Duration.ofMillis(100));
    totals.set(played(5000, 3));
    long cdn = 0;
    long plays = 0;
    long latencies = 0;
    while (cdn < 4000 || plays < 2) {
      PlaybackReport r = tracker.await(TrackerMessage::hasPlaybackReport).getPlaybackReport();
      cdn += r.getPlayedCdnBytes();
      plays += r.getPlays();
      latencies += r.getStartLatencyCountsList().stream().mapToLong(Integer::longValue).sum();
    }
    assertEquals(4000, cdn);
    assertEquals(2, plays);
    assertEquals(2, latencies);
  }

  @Test
  void closingSendsWhatWasPlayedSinceTheLastReportBeforeTheGoodbye() throws Exception {
    ScriptedTracker tracker = tracker("tracker", PlaybackReports.CAPABILITY);
    TrackerClient client = client(tracker, Duration.ofHours(1));
    totals.set(played(7000, 2));
    client.close();
    TrackerMessage last = tracker.await(m -> m.hasPlaybackReport() || m.hasGoodbye());
    assertEquals(7000, last.getPlaybackReport().getPlayedCdnBytes(), last.toString());
    assertEquals(2, last.getPlaybackReport().getPlays());
    tracker.await(TrackerMessage::hasGoodbye);
  }

  @Test
  void anOlderTrackerGetsNoReports() throws Exception {
    ScriptedTracker tracker = tracker("tracker");
    TrackerClient client = client(tracker, Duration.ofMillis(100));
    totals.set(played(5000, 3));
    assertNoReportBeforeALookup(tracker, client);
  }

  @Test
  void noTelemetryMeansNoReports() throws Exception {
    ScriptedTracker tracker = tracker("tracker", PlaybackReports.CAPABILITY);
    TrackerClient client = client(tracker, Duration.ZERO);
    totals.set(played(5000, 3));
    assertNoReportBeforeALookup(tracker, client);
  }

  /** Gives a report several intervals to appear, then checks none came before a lookup sent after them. */
  private static void assertNoReportBeforeALookup(ScriptedTracker tracker, TrackerClient client) throws Exception {
    Thread.sleep(500);
    client.lookup(TrackerClientTest.track(1));
    AtomicBoolean reported = new AtomicBoolean();
    tracker.await(m -> {
      reported.compareAndSet(false, m.hasPlaybackReport());
      return m.hasLookup();
    });
    assertFalse(reported.get(), "a playback report was sent");
  }
}
