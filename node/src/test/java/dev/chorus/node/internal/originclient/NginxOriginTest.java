package dev.chorus.node.internal.originclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.originclient.OriginException.Kind;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.testing.TestServers;
import dev.chorus.testing.process.FreePorts;
import dev.chorus.testing.process.NginxServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OriginClient} against a real nginx serving a published catalog. */
class NginxOriginTest {
  @TempDir static Path catalog;
  static NginxServer nginx;

  /** Several chunks, the last one short; a key that needs percent-encoding. */
  static final TestCatalog.Track LONG =
      TestCatalog.track(1, 5 * TestCatalog.CHUNK_BYTES + 1234, "audio/ab/long track é+1 #2.ogg");
  /** Smaller than one chunk. */
  static final TestCatalog.Track SHORT = TestCatalog.track(2, 999, "audio/cd/short.ogg");
  /** Exactly two chunks. */
  static final TestCatalog.Track EXACT = TestCatalog.track(3, 2 * TestCatalog.CHUNK_BYTES, "audio/ef/exact.opus");
  /** Published with an audio object shorter than its manifest says. */
  static final TestCatalog.Track TRUNCATED = TestCatalog.track(4, 3 * TestCatalog.CHUNK_BYTES, "audio/gh/cut.ogg");

  @BeforeAll
  static void publishAndStart() throws IOException {
    for (TestCatalog.Track t : List.of(LONG, SHORT, EXACT)) {
      TestCatalog.publish(catalog, t);
    }
    TestCatalog.publish(catalog, TRUNCATED.manifest(),
        Arrays.copyOf(TRUNCATED.content(), TRUNCATED.content().length - 100));
    nginx = TestServers.nginx(catalog);
  }

  @AfterAll
  static void stop() {
    if (nginx != null) {
      nginx.close();
    }
  }

  private static OriginClient client(OriginListener listener, String... bases) {
    OriginConfig.Builder b = OriginConfig.builder()
        .connectTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofSeconds(10))
        .initialBackoff(Duration.ofMillis(1))
        .maxBackoff(Duration.ofMillis(5));
    for (String base : bases) {
      b.addBaseUri(base);
    }
    return OriginClient.create(b.build(), listener, new Random(7));
  }

  private static OriginClient client() {
    return client(OriginListener.NO_OP, nginx.baseUri().toString());
  }

  @Test
  void fetchesAndVerifiesManifests() {
    try (OriginClient c = client()) {
      for (TestCatalog.Track t : List.of(LONG, SHORT, EXACT)) {
        TrackManifest m = Await.value(c.fetchManifest(t.manifest().trackId()));
        assertEquals(t.manifest(), m);
      }
    }
  }

  @Test
  void fetchesEveryChunkByRange() {
    try (OriginClient c = client()) {
      for (TestCatalog.Track t : List.of(LONG, SHORT, EXACT)) {
        TrackManifest m = t.manifest();
        for (int i = 0; i < m.chunkCount(); i++) {
          List<byte[]> one = Await.value(c.fetchChunks(m, i, 1));
          assertEquals(1, one.size());
          assertArrayEquals(t.chunk(i), one.get(0), "chunk " + i + " of " + m.originKey());
          assertArrayEquals(t.chunk(i), Await.value(c.fetchRange(m, m.chunkOffset(i), m.chunkLength(i))));
        }
        List<byte[]> all = Await.value(c.fetchChunks(m, 0, m.chunkCount()));
        for (int i = 0; i < m.chunkCount(); i++) {
          assertArrayEquals(t.chunk(i), all.get(i));
        }
      }
    }
  }

  @Test
  void fetchesArbitraryRangesIncludingTheEndOfTheFile() {
    TrackManifest m = LONG.manifest();
    long size = m.sizeBytes();
    try (OriginClient c = client()) {
      assertArrayEquals(LONG.range(size - 100, 100), Await.value(c.fetchRange(m, size - 100, 100)));
      assertArrayEquals(LONG.range(size - 1, 1), Await.value(c.fetchRange(m, size - 1, 1)));
      assertArrayEquals(LONG.range(12_345, 20_000), Await.value(c.fetchRange(m, 12_345, 20_000)));
      assertArrayEquals(LONG.content(), Await.value(c.fetchRange(m, 0, (int) size)));
      assertThrows(IllegalArgumentException.class, () -> c.fetchRange(m, size - 100, 101));
      assertThrows(IllegalArgumentException.class, () -> c.fetchRange(m, -1, 10));
      assertThrows(IllegalArgumentException.class, () -> c.fetchRange(m, 0, 0));
      assertThrows(IllegalArgumentException.class, () -> c.fetchChunks(m, m.chunkCount() - 1, 2));
    }
  }

  @Test
  void encodesKeysSoThatTheServerFindsTheFile() throws InterruptedException {
    // nginx decodes %20, %C3%A9, %2B and %23 back to the file name; an unencoded '#' would end the path.
    int before = nginx.accessLog().size();
    try (OriginClient c = client()) {
      Await.value(c.fetchRange(LONG.manifest(), 0, 10));
    }
    // nginx writes the access log line when it finalizes the request, which can be after the
    // client has the response: wait for the line rather than read the log once.
    dev.chorus.testing.Await.until(() -> {
      List<String> log = nginx.accessLog();
      return log.subList(Math.min(before, log.size()), log.size()).stream()
          .anyMatch(l -> l.contains("/audio/ab/long%20track%20%C3%A9%2B1%20%232.ogg") && l.contains(" 206 "));
    }, Duration.ofSeconds(10), Duration.ofMillis(20), () -> "no 206 for the encoded key in nginx's access log: "
        + nginx.accessLog().subList(Math.min(before, nginx.accessLog().size()), nginx.accessLog().size()));
  }

  @Test
  void unknownTrackIsNotFoundWithAClearMessage() {
    byte[] id = new byte[TrackId.BYTES];
    id[0] = (byte) 0xab;
    id[1] = 0x12;
    RecordingListener listener = new RecordingListener();
    try (OriginClient c = client(listener, nginx.baseUri().toString())) {
      OriginException e = Await.failure(c.fetchManifest(TrackId.fromBytes(id)));
      assertEquals(Kind.NOT_FOUND, e.kind());
      assertEquals(OptionalInt.of(404), e.statusCode());
      assertEquals(1, e.attempts(), "a 404 is not retried on the same origin");
      assertEquals(URI.create(nginx.baseUri() + "manifests/ab12" + "0".repeat(60)), e.uri());
      assertTrue(e.getMessage().startsWith("origin " + nginx.baseUri() + " answered 404 for manifests/ab12"),
          e.getMessage());
      assertTrue(e.getMessage().contains("not published there; check the origin base URL"), e.getMessage());
      assertEquals(1, listener.started.size());
    }
  }

  @Test
  void failsOverFromADeadOriginAndThenPrefersTheLiveOne() throws IOException {
    String dead = "http://127.0.0.1:" + FreePorts.loopback() + "/";
    RecordingListener listener = new RecordingListener();
    try (OriginClient c = client(listener, dead, nginx.baseUri().toString())) {
      TrackManifest m = Await.value(c.fetchManifest(SHORT.manifest().trackId()));
      assertEquals(SHORT.manifest(), m);
      assertEquals(List.of(URI.create(dead), nginx.baseUri()), listener.started);
      assertEquals(List.of(new RecordingListener.Failure(URI.create(dead), Kind.CONNECT_FAILED)), listener.failed);
      assertEquals(List.of(new RecordingListener.Retry(nginx.baseUri(), Kind.CONNECT_FAILED, 2, Duration.ZERO)),
          listener.retries, "failing over to an untried origin does not wait");

      // The origin that answered is preferred from now on: the dead one is not tried again.
      assertArrayEquals(SHORT.chunk(0), Await.value(c.fetchChunks(m, 0, 1)).get(0));
      assertEquals(List.of(URI.create(dead), nginx.baseUri(), nginx.baseUri()), listener.started);
    }
  }

  @Test
  void missingOnOneOriginIsFetchedFromTheOther(@TempDir Path emptyCatalog) throws IOException {
    try (NginxServer empty = TestServers.nginx(emptyCatalog);
        OriginClient c = client(OriginListener.NO_OP, empty.baseUri().toString(), nginx.baseUri().toString())) {
      assertEquals(EXACT.manifest(), Await.value(c.fetchManifest(EXACT.manifest().trackId())));
    }
  }

  @Test
  void objectShorterThanItsManifestIsBadContent() {
    TrackManifest m = TRUNCATED.manifest();
    try (OriginClient c = client()) {
      // Even a range the object holds: Content-Range gives the object's size, not the manifest's.
      OriginException e = Await.failure(c.fetchChunks(m, 0, 1));
      assertEquals(Kind.BAD_CONTENT, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("got Content-Range 'bytes 0-16383/49052'"), e.getMessage());
      assertEquals(1, e.attempts(), "bad content is not retried on the same origin");
      // A range starting past the end of the object: 416.
      OriginException past = Await.failure(c.fetchRange(m, m.sizeBytes() - 50, 50));
      assertEquals(Kind.BAD_CONTENT, past.kind(), past.getMessage());
      assertEquals(OptionalInt.of(416), past.statusCode());
    }
  }

  @Test
  void keepsTheBaseQueryOnEveryRequest() {
    String base = "http://127.0.0.1:" + nginx.port() + "/?token=s3cr3t&exp=1";
    List<String> before = nginx.accessLog();
    try (OriginClient c = client(OriginListener.NO_OP, base)) {
      TrackManifest m = Await.value(c.fetchManifest(SHORT.manifest().trackId()));
      Await.value(c.fetchChunks(m, 0, 1));
      OriginException e = Await.failure(c.fetchManifest(TrackId.fromBytes(new byte[TrackId.BYTES])));
      assertTrue(!e.getMessage().contains("s3cr3t") && !e.uri().toString().contains("s3cr3t"),
          "credentials must not leak into messages: " + e.getMessage());
    }
    List<String> log = nginx.accessLog();
    List<String> mine = log.subList(before.size(), log.size());
    assertEquals(3, mine.size(), mine.toString());
    for (String line : mine) {
      assertTrue(line.contains("?token=s3cr3t&exp=1 "), line);
    }
  }

  @Test
  void reusesConnections() {
    int requests = 40;
    TrackManifest m = LONG.manifest();
    try (OriginClient c = client()) {
      int before = nginx.accessLog().size();
      for (int i = 0; i < requests; i++) {
        Await.value(c.fetchChunks(m, i % m.chunkCount(), 1));
      }
      Set<String> sequential = connections(before);
      // Concurrent requests: at most maxConcurrentRequests (16) exchanges, hence connections, at once.
      before = nginx.accessLog().size();
      List<CompletableFuture<List<byte[]>>> futures = new ArrayList<>();
      for (int i = 0; i < 4 * requests; i++) {
        futures.add(c.fetchChunks(m, i % m.chunkCount(), 1));
      }
      futures.forEach(Await::value);
      Set<String> concurrent = connections(before);

      // One connection, barring a race between a response's end and the connection's return to the pool.
      assertTrue(sequential.size() <= 2, sequential.size() + " connections for " + requests + " sequential requests");
      assertTrue(concurrent.size() <= 2 * OriginConfig.DEFAULT_MAX_CONCURRENT_REQUESTS,
          concurrent.size() + " connections for " + 4 * requests + " concurrent requests");
    }
  }

  /** The distinct nginx connection ids of the access log lines from {@code from} on. */
  private static Set<String> connections(int from) {
    List<String> log = nginx.accessLog();
    Set<String> ids = new HashSet<>();
    for (String line : log.subList(from, log.size())) {
      assertTrue(line.contains(" 206 "), line);
      ids.add(line.substring(0, line.indexOf(' ')));
    }
    return ids;
  }
}
