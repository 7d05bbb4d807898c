package dev.chorus.node.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeListener;
import dev.chorus.node.SwarmConfig;
import dev.chorus.node.TrackStream;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.testing.leaks.NoLeaks;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ready to play, through the API and the endpoint, on a real node with nginx as its origin. The
 * node is configured to want the whole track buffered before it starts (a minimum buffer longer
 * than the track), so "ready" is visible from outside: the track is then cached. Timeouts only stop
 * a hung build.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NoLeaks.class)
class StreamStartTest {
  private static final int LENGTH = 600_000; // 30 s at 20,000 bytes/s, 147 chunks of 4 KiB

  @TempDir Path dir;
  private StreamSwarm swarm;
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (swarm != null) {
      swarm.close();
    }
  }

  private TrackManifest publish() throws Exception {
    swarm = new StreamSwarm(dir);
    byte[] content = new byte[LENGTH];
    new Random(7).nextBytes(content);
    return swarm.publish(content, "audio/whole.opus", "audio/ogg; codecs=opus", 4096);
  }

  private ChorusNode wholeTrackBufferNode(TrackId id) throws Exception {
    NodeListener listener = new NodeListener() {
      @Override
      public void playbackStarted(TrackId trackId, long startLatencyNanos) {
        events.add("ready " + (startLatencyNanos > 0));
      }
    };
    return swarm.startNode("node", b -> b.listener(listener)
        .swarm(SwarmConfig.builder().startBuffer(Duration.ofMinutes(5)).build()));
  }

  @Test
  void awaitReadyReturnsWhenThePolicyIsSatisfiedAndCountsOneStart() throws Exception {
    TrackManifest track = publish();
    ChorusNode node = wholeTrackBufferNode(track.trackId());
    try (TrackStream in = node.open(track.trackId())) {
      assertEquals(0, node.stats().playbacks());
      in.awaitReady();
      assertTrue(node.isCached(track.trackId()), "a 5-minute minimum buffer means the whole track is held");
      assertEquals(List.of("ready true"), events);
      in.awaitReady(); // already ready: no second start
      in.transferTo(OutputStream.nullOutputStream());
    }
    assertEquals(1, node.stats().playbacks());
    assertTrue(node.stats().startLatencyP50Nanos() > 0);
  }

  @Test
  void theEndpointSendsNothingBeforeTheTrackIsReadyToPlay() throws Exception {
    TrackManifest track = publish();
    ChorusNode node = wholeTrackBufferNode(track.trackId());
    StreamListener responses = new StreamListener() {
      @Override
      public void responded(String method, String path, int status, long first, long last) {
        events.add("responded " + status + " cached " + node.isCached(track.trackId()));
      }
    };
    StreamServer server = swarm.serve(node, responses);
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(server.url(track.trackId())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertEquals(LENGTH, r.body().length);
    assertEquals(List.of("ready true", "responded 200 cached true"), events);
  }
}
