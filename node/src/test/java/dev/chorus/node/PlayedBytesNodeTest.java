package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.node.internal.originserver.OriginServer;
import dev.chorus.node.internal.originserver.OriginServerConfig;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real node (in-memory cache, no tracker) with the in-process origin: the bytes a {@link
 * TrackStream} hands out are counted in {@link NodeStats#played()} by source, each once per play.
 * The timeout only stops a broken build from hanging; nothing asserts on elapsed time.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PlayedBytesNodeTest {
  static final int CHUNK = 16_384;

  @TempDir Path dir;
  OriginServer origin;
  ChorusNode node;
  final PublisherKeyPair publisher = PublisherKeyPair.generate(new SecureRandom());

  @BeforeEach
  void start() throws IOException {
    Files.createDirectories(dir.resolve("manifests"));
    origin = OriginServer.start(OriginServerConfig.builder().root(dir).build());
    node = ChorusNode.start(NodeConfig.builder().origin(origin.baseUri()).bindHost("127.0.0.1")
        .trustedPublisher(publisher.publicKey()).build());
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  record Track(TrackManifest manifest, byte[] content) {}

  Track publish(long seed, int size) throws IOException {
    byte[] content = new byte[size];
    new Random(seed).nextBytes(content);
    TrackManifest m = TrackManifest.builder().mimeType("audio/ogg; codecs=opus").originKey("audio/" + seed + ".opus")
        .durationMillis(size / 20).bitsPerSecond(160_000).chunkSizeBytes(CHUNK).publish(content, publisher);
    Files.write(dir.resolve("manifests").resolve(m.trackId().toHex()), m.encoded());
    Files.createDirectories(dir.resolve("audio"));
    Files.write(dir.resolve(m.originKey()), content);
    return new Track(m, content);
  }

  static byte[] read(TrackStream in, long bytes) throws IOException {
    byte[] out = new byte[(int) bytes];
    int n = 0;
    while (n < out.length) {
      int r = in.read(out, n, Math.min(5000, out.length - n)); // reads straddle chunk boundaries
      if (r < 0) {
        break;
      }
      n += r;
    }
    return Arrays.copyOf(out, n);
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    while (!condition.getAsBoolean()) {
      Thread.sleep(20);
    }
  }

  @Test
  void aFirstPlayComesFromTheCdnAndAReplayFromTheCacheEachByteOncePerPlay() throws Exception {
    Track t = publish(1, 10 * CHUNK + 123);
    long size = t.content().length;
    try (TrackStream in = node.open(t.manifest().trackId())) {
      assertArrayEquals(t.content(), read(in, size));
    }
    NodeStats first = node.stats();
    assertEquals(new PlayedBytes(0, 0, size), first.played());
    assertEquals(size, first.bytesFromCdn());
    assertEquals(0, first.bytesFetchedNotPlayed());

    long half = size / 2;
    try (TrackStream in = node.open(t.manifest().trackId())) {
      read(in, half);
      in.seek(100); // back: 100..half was counted already
      read(in, half - 100 + 7_000); // 7 000 new bytes past the half
      in.seek(size - 1_000);
      read(in, 5_000); // the last 1 000
    }
    NodeStats second = node.stats();
    assertEquals(new PlayedBytes(half + 7_000 + 1_000, 0, size), second.played());
    assertEquals(size, second.bytesFromCdn(), "nothing was fetched again");
  }

  @Test
  void theRestOfASkippedTrackIsFetchedButNotPlayed() throws Exception {
    Track t = publish(2, 40 * CHUNK);
    long size = t.content().length;
    long listened = 3 * CHUNK + 500;
    try (TrackStream in = node.open(t.manifest().trackId())) {
      read(in, listened);
    }
    await(() -> node.isCached(t.manifest().trackId())); // the node goes on downloading it
    NodeStats s = node.stats();
    assertEquals(new PlayedBytes(0, 0, listened), s.played());
    assertEquals(size, s.bytesFromCdn());
    assertEquals(size - listened, s.bytesFetchedNotPlayed());
  }
}
