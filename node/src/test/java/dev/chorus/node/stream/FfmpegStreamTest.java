package dev.chorus.node.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeStats;
import dev.chorus.node.SwarmConfig;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.testing.Await;
import dev.chorus.testing.ExternalTool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real decoder plays tracks through a node's stream endpoint: real Ogg Opus and Ogg Vorbis made
 * with ffmpeg are published to a catalog served by nginx; a holder node plays them first and is
 * listed by a real tracker; a listener node then gets them mostly from the holder, and ffmpeg
 * decodes them from the listener's URL — completely, and from the middle (a seek, i.e. a Range
 * request). Timeouts only stop a hung build; nothing asserts on elapsed time.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FfmpegStreamTest {
  static final int SECONDS = 20;
  static final int RATE = 48_000;
  /** Decoded durations may differ from the container's by codec padding, well below this. */
  static final double TOLERANCE_SECONDS = 0.1;

  enum Codec {
    OPUS("libopus", "opus", "audio/ogg; codecs=opus"),
    VORBIS("libvorbis", "ogg", "audio/ogg; codecs=vorbis");

    final String encoder;
    final String extension;
    final String mimeType;

    Codec(String encoder, String extension, String mimeType) {
      this.encoder = encoder;
      this.extension = extension;
      this.mimeType = mimeType;
    }
  }

  record Source(Path file, double seconds, TrackManifest manifest) {}

  @TempDir static Path dir;
  static Path ffmpeg;
  static Path ffprobe;
  static StreamSwarm swarm;
  static final Map<Codec, Source> sources = new EnumMap<>(Codec.class);

  @BeforeAll
  static void publishAndSeed() throws Exception {
    ffmpeg = ExternalTool.require("ffmpeg", "ffmpeg");
    ffprobe = ExternalTool.require("ffprobe", "ffmpeg");
    swarm = new StreamSwarm(dir);
    swarm.startTracker();
    for (Codec c : Codec.values()) {
      Path file = dir.resolve("a." + c.extension);
      // A tone with a little noise, at 128 kbit/s: ~300 kB, so that a pure sine does not shrink
      // the file to a handful of chunks.
      run(List.of(ffmpeg.toString(), "-nostdin", "-v", "error", "-f", "lavfi", "-i",
          "sine=frequency=440:duration=" + SECONDS, "-f", "lavfi", "-i",
          "anoisesrc=duration=" + SECONDS + ":amplitude=0.1:seed=1", "-filter_complex",
          "amix=inputs=2:duration=first", "-c:a", c.encoder, "-b:a", "128k", file.toString()));
      double seconds = Double.parseDouble(run(List.of(ffprobe.toString(), "-v", "error", "-show_entries",
          "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", file.toString())).strip());
      // Small chunks, so that a short file has many (and the swarm has something to share).
      TrackManifest m = swarm.publish(file, "audio/a." + c.extension, c.mimeType, Math.round(seconds * 1000), 4096);
      sources.put(c, new Source(file, seconds, m));
    }
    ChorusNode holder = swarm.startNode("holder", b -> b);
    for (Source s : sources.values()) {
      StreamSwarm.play(holder, s.manifest().trackId());
    }
    for (Source s : sources.values()) {
      swarm.awaitHolder(s.manifest().trackId());
    }
  }

  @AfterAll
  static void stop() {
    if (swarm != null) {
      swarm.close();
    }
  }

  /**
   * A listener that takes only the first half second from the CDN, then asks peers. It reads no
   * further ahead from the CDN while it looks for peers, and looks for them for long enough that
   * a slow (loaded) machine still finds the holder before the CDN would take over.
   */
  static ChorusNode listener(String name) throws IOException {
    return swarm.startNode(name, b -> b.swarm(SwarmConfig.builder()
        .initialCdnWindow(Duration.ofMillis(500))
        .cdnReadAhead(Duration.ofMillis(500))
        .discoveryGrace(Duration.ofSeconds(30))
        .build()));
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void decodesATrackCompletelyThroughANodeFedByPeers(Codec codec) throws Exception {
    Source source = sources.get(codec);
    ChorusNode node = listener("listener-" + codec);
    RecordingListener events = new RecordingListener();
    StreamServer server = swarm.serve(node, events);

    Decoded streamed = decode(server.url(source.manifest().trackId()).toString(), null);
    Decoded local = decode(source.file().toString(), null);

    System.out.printf("%s: source %.3f s, decoded through the node %.3f s, %s%n", codec, source.seconds(),
        streamed.seconds(), node.stats());
    assertEquals(source.seconds(), streamed.seconds(), TOLERANCE_SECONDS, "decoded duration");
    assertArrayEquals(local.sha256(), streamed.sha256(), "the same samples as decoding the file itself");
    Await.until(() -> node.stats().bytesFromPeers() > 0, "the listener counts bytes from peers");
    NodeStats stats = node.stats();
    assertTrue(stats.bytesFromPeers() > 0, stats.toString());
    assertTrue(events.responses.stream().allMatch(r -> r.status() == 200 || r.status() == 206),
        events.responses.toString());
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void seeksToTheMiddleWithARangeRequest(Codec codec) throws Exception {
    Source source = sources.get(codec);
    ChorusNode node = listener("seeker-" + codec);
    RecordingListener events = new RecordingListener();
    StreamServer server = swarm.serve(node, events);
    double half = source.seconds() / 2;

    Decoded rest = decode(server.url(source.manifest().trackId()).toString(), half);

    System.out.printf("%s: seek to %.3f s of %.3f s, decoded %.3f s; responses %s%n", codec, half,
        source.seconds(), rest.seconds(), events.responses);
    assertEquals(source.seconds() - half, rest.seconds(), TOLERANCE_SECONDS, "decoded duration after the seek");
    long length = source.manifest().sizeBytes();
    assertTrue(events.responses.stream().anyMatch(r -> r.status() == 206 && r.first() >= length / 4
        && r.first() <= length * 3 / 4), "a 206 from the middle of the track: " + events.responses);
  }

  record Decoded(long bytes, byte[] sha256) {
    double seconds() {
      return bytes / 2.0 / RATE; // mono s16le
    }
  }

  /** Decodes {@code input} (from {@code seekSeconds} if given) to mono 16-bit PCM at 48 kHz. */
  static Decoded decode(String input, Double seekSeconds) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ffmpeg.toString(), "-nostdin", "-v", "error"));
    if (seekSeconds != null) {
      cmd.addAll(List.of("-ss", String.format(Locale.ROOT, "%.3f", seekSeconds)));
    }
    cmd.addAll(List.of("-i", input, "-map", "0:a", "-ac", "1", "-ar", String.valueOf(RATE), "-c:a", "pcm_s16le",
        "-f", "s16le", "pipe:1"));
    Path err = Files.createTempFile(dir, "ffmpeg", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long total = 0;
    try (InputStream in = p.getInputStream()) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) >= 0) {
        sha.update(buf, 0, n);
        total += n;
      }
    }
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("ffmpeg hung: " + cmd);
    }
    String log = Files.readString(err);
    assertEquals(0, p.exitValue(), "ffmpeg " + cmd + " failed: " + log);
    assertTrue(log.isBlank(), "ffmpeg reported errors: " + log);
    return new Decoded(total, sha.digest());
  }

  static String run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("hung: " + cmd);
    }
    assertEquals(0, p.exitValue(), cmd + ": " + out);
    return out;
  }

}
