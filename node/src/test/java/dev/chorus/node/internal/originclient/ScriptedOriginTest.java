package dev.chorus.node.internal.originclient;

import static dev.chorus.node.internal.originclient.ScriptedOrigin.corrupt;
import static dev.chorus.node.internal.originclient.ScriptedOrigin.ignoreRange;
import static dev.chorus.node.internal.originclient.ScriptedOrigin.stallBeforeHeaders;
import static dev.chorus.node.internal.originclient.ScriptedOrigin.stallBody;
import static dev.chorus.node.internal.originclient.ScriptedOrigin.status;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.originclient.OriginException.Kind;
import dev.chorus.node.internal.originclient.RecordingListener.Failure;
import dev.chorus.node.internal.originclient.RecordingListener.Retry;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link OriginClient}'s retries, timeouts, failover and content checks, against scripted fake
 * origins. Nothing asserts on elapsed time: backoff delays are checked as the values drawn from the
 * injected randomness, and a stalled answer stalls until the test releases it, so the request
 * timeout can be short ({@link #SHORT_TIMEOUT}) in the tests that need it and long elsewhere (a
 * slow machine must not turn a normal answer into a timeout).
 */
class ScriptedOriginTest {
  static final Duration INITIAL_BACKOFF = Duration.ofMillis(10);
  static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);
  static final TestCatalog.Track TRACK = TestCatalog.track(11, 3 * TestCatalog.CHUNK_BYTES + 77, "audio/t/track.ogg");
  static final TestCatalog.Track OTHER = TestCatalog.track(12, 5000, "audio/t/other.ogg");
  static final Map<String, byte[]> CATALOG = Map.of(
      OriginUris.manifestKey(TRACK.manifest().trackId()), TRACK.manifest().encoded(),
      TRACK.manifest().originKey(), TRACK.content());

  static OriginConfig.Builder config(ScriptedOrigin... origins) {
    OriginConfig.Builder b = OriginConfig.builder()
        .connectTimeout(Duration.ofSeconds(5))
        .requestTimeout(Duration.ofSeconds(30))
        .initialBackoff(INITIAL_BACKOFF)
        .maxBackoff(Duration.ofMillis(40));
    for (ScriptedOrigin o : origins) {
      b.addBaseUri(o.baseUri());
    }
    return b;
  }

  static OriginClient client(RecordingListener listener, ScriptedOrigin... origins) {
    return OriginClient.create(config(origins).build(), listener, new Random(42));
  }

  static OriginClient impatientClient(RecordingListener listener, ScriptedOrigin origin) {
    return OriginClient.create(config(origin).requestTimeout(SHORT_TIMEOUT).build(), listener, new Random(42));
  }

  static List<Kind> kinds(RecordingListener l) {
    List<Kind> kinds = new ArrayList<>();
    l.failed.forEach(f -> kinds.add(f.kind()));
    return kinds;
  }

  @Test
  void retriesServerErrorsWithFullJitterBackoff() throws IOException {
    RecordingListener listener = new RecordingListener();
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, status(503), status(503));
        OriginClient c = client(listener, origin)) {
      TrackManifest m = TRACK.manifest();
      assertArrayEquals(TRACK.chunk(1), Await.value(c.fetchChunks(m, 1, 1)).get(0));

      assertEquals(3, origin.requests.size());
      Random expected = new Random(42);
      long cap = INITIAL_BACKOFF.toNanos();
      assertEquals(List.of(
          new Retry(origin.baseUri(), Kind.SERVER_ERROR, 2, Duration.ofNanos(expected.nextLong(cap + 1))),
          new Retry(origin.baseUri(), Kind.SERVER_ERROR, 3, Duration.ofNanos(expected.nextLong(2 * cap + 1)))),
          listener.retries);
      assertEquals(List.of(Kind.SERVER_ERROR, Kind.SERVER_ERROR), kinds(listener));
      assertEquals(1, listener.succeeded.size());
    }
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastStatusAndEveryFailure() throws IOException {
    try (ScriptedOrigin origin = ScriptedOrigin.withFallback(CATALOG, status(500));
        OriginClient c = client(new RecordingListener(), origin)) {
      OriginException e = Await.failure(c.fetchManifest(TRACK.manifest().trackId()));
      assertEquals(Kind.SERVER_ERROR, e.kind());
      assertEquals(OptionalInt.of(500), e.statusCode());
      assertEquals(OriginConfig.DEFAULT_MAX_ATTEMPTS, e.attempts());
      assertEquals(OriginConfig.DEFAULT_MAX_ATTEMPTS - 1, e.getSuppressed().length);
      assertEquals(OriginConfig.DEFAULT_MAX_ATTEMPTS, origin.requests.size());
      assertTrue(e.getMessage().contains("answered 500") && e.getMessage().contains("gave up after 4 attempts"),
          e.getMessage());
    }
  }

  @Test
  void retriesThrottlingAndRequestTimeoutStatuses() throws IOException {
    RecordingListener listener = new RecordingListener();
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, status(429), status(408));
        OriginClient c = client(listener, origin)) {
      assertEquals(TRACK.manifest(), Await.value(c.fetchManifest(TRACK.manifest().trackId())));
      assertEquals(List.of(Kind.SERVER_ERROR, Kind.TIMEOUT), kinds(listener));
    }
  }

  @Test
  void noAnswerWithinTheRequestTimeoutIsRetried() throws IOException {
    RecordingListener listener = new RecordingListener();
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, stallBeforeHeaders());
        OriginClient c = impatientClient(listener, origin)) {
      assertEquals(TRACK.manifest(), Await.value(c.fetchManifest(TRACK.manifest().trackId())));
      assertEquals(List.of(Kind.TIMEOUT), kinds(listener));
      assertEquals(2, origin.requests.size());
    }
  }

  @Test
  void stalledBodyTimesOutAndItsConnectionIsClosed() throws IOException {
    CompletableFuture<Boolean> writeFailed = new CompletableFuture<>();
    RecordingListener listener = new RecordingListener();
    TrackManifest m = TRACK.manifest();
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, stallBody(writeFailed));
        OriginClient c = impatientClient(listener, origin)) {
      List<byte[]> chunks = Await.value(c.fetchChunks(m, 0, m.chunkCount()));
      assertArrayEquals(TRACK.chunk(2), chunks.get(2));
      assertEquals(List.of(Kind.TIMEOUT), kinds(listener));
      // The stalled exchange was aborted, not left reading in the background.
      origin.release();
      assertTrue(Await.value(writeFailed), "the server could still write to the timed-out connection");
    }
  }

  @Test
  void accessDeniedIsNotRetried() throws IOException {
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, status(403));
        OriginClient c = client(new RecordingListener(), origin)) {
      OriginException e = Await.failure(c.fetchRange(TRACK.manifest(), 0, 100));
      assertEquals(Kind.CLIENT_ERROR, e.kind());
      assertEquals(OptionalInt.of(403), e.statusCode());
      assertEquals(1, e.attempts());
      assertEquals(1, origin.requests.size());
      assertTrue(e.getMessage().contains("access denied"), e.getMessage());
    }
  }

  @Test
  void notFoundOnEveryOriginIsTriedOncePerOrigin() throws IOException {
    try (ScriptedOrigin a = new ScriptedOrigin(Map.of());
        ScriptedOrigin b = new ScriptedOrigin(Map.of());
        OriginClient c = client(new RecordingListener(), a, b)) {
      OriginException e = Await.failure(c.fetchManifest(TRACK.manifest().trackId()));
      assertEquals(Kind.NOT_FOUND, e.kind());
      assertEquals(2, e.attempts());
      assertEquals(1, a.requests.size());
      assertEquals(1, b.requests.size());
      assertEquals(1, e.getSuppressed().length);
      assertEquals(URI.create(b.baseUri() + OriginUris.manifestKey(TRACK.manifest().trackId())), e.uri());
    }
  }

  @Test
  void wrongBytesAreBadContentAndTheNextOriginServes() throws IOException {
    RecordingListener listener = new RecordingListener();
    TrackManifest m = TRACK.manifest();
    try (ScriptedOrigin bad = new ScriptedOrigin(CATALOG, corrupt(), corrupt());
        ScriptedOrigin good = new ScriptedOrigin(CATALOG);
        OriginClient c = client(listener, bad, good)) {
      assertArrayEquals(TRACK.chunk(0), Await.value(c.fetchChunks(m, 0, 2)).get(0));
      assertEquals(List.of(new Failure(bad.baseUri(), Kind.BAD_CONTENT)), listener.failed);
      assertEquals(List.of(new Retry(good.baseUri(), Kind.BAD_CONTENT, 2, Duration.ZERO)), listener.retries);
      // The good origin is preferred from now on.
      assertArrayEquals(TRACK.chunk(3), Await.value(c.fetchChunks(m, 3, 1)).get(0));
      assertEquals(1, bad.requests.size());
      assertEquals(2, good.requests.size());
    }
  }

  @Test
  void wrongBytesOnTheOnlyOriginFailWithBadContent() throws IOException {
    try (ScriptedOrigin bad = new ScriptedOrigin(CATALOG, corrupt());
        OriginClient c = client(new RecordingListener(), bad)) {
      OriginException e = Await.failure(c.fetchChunks(TRACK.manifest(), 1, 1));
      assertEquals(Kind.BAD_CONTENT, e.kind());
      assertEquals(1, e.attempts());
      assertTrue(e.getMessage().contains("chunk 1 does not verify"), e.getMessage());
    }
  }

  @Test
  void aManifestThatDoesNotVerifyIsBadContentAndTheNextOriginServes() throws IOException {
    RecordingListener listener = new RecordingListener();
    try (ScriptedOrigin bad = new ScriptedOrigin(CATALOG, ScriptedOrigin.body(OTHER.manifest().encoded()));
        ScriptedOrigin good = new ScriptedOrigin(CATALOG);
        OriginClient c = client(listener, bad, good)) {
      assertEquals(TRACK.manifest(), Await.value(c.fetchManifest(TRACK.manifest().trackId())));
      assertEquals(List.of(new Failure(bad.baseUri(), Kind.BAD_CONTENT)), listener.failed);
    }
  }

  @Test
  void anIgnoredRangeIsBadContentUnlessTheWholeFileWasAsked() throws IOException {
    TrackManifest m = TRACK.manifest();
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, ignoreRange(), ignoreRange());
        OriginClient c = client(new RecordingListener(), origin)) {
      OriginException e = Await.failure(c.fetchRange(m, 100, 100));
      assertEquals(Kind.BAD_CONTENT, e.kind());
      assertTrue(e.getMessage().contains("ignores Range"), e.getMessage());
      assertArrayEquals(TRACK.content(), Await.value(c.fetchRange(m, 0, (int) m.sizeBytes())));
    }
  }

  @Test
  void aWrongContentRangeOrALongerBodyIsBadContent() throws IOException {
    TrackManifest m = TRACK.manifest();
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, ScriptedOrigin.wrongContentRange(),
            ScriptedOrigin.tooLong());
        OriginClient c = client(new RecordingListener(), origin)) {
      OriginException wrongRange = Await.failure(c.fetchRange(m, 100, 100));
      assertEquals(Kind.BAD_CONTENT, wrongRange.kind());
      assertTrue(wrongRange.getMessage().contains("got Content-Range 'bytes 101-200/"), wrongRange.getMessage());
      OriginException tooLong = Await.failure(c.fetchRange(m, 100, 100));
      assertEquals(Kind.BAD_CONTENT, tooLong.kind());
      assertTrue(tooLong.getMessage().contains("longer than the expected 100 bytes"), tooLong.getMessage());
    }
  }

  @Test
  void cancellingTheFutureStopsTheRequest() throws Exception {
    RecordingListener listener = new RecordingListener();
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, stallBeforeHeaders());
        OriginClient c = client(listener, origin)) {
      CompletableFuture<TrackManifest> f = c.fetchManifest(TRACK.manifest().trackId());
      assertTrue(f.cancel(true));
      assertThrows(CancellationException.class, f::join);
      // The client keeps working, and the cancelled request was neither retried nor reported.
      origin.release();
      assertEquals(TRACK.manifest(), Await.value(c.fetchManifest(TRACK.manifest().trackId())));
      assertEquals(List.of(), listener.failed);
      assertEquals(List.of(), listener.retries);
    }
  }

  @Test
  void closingFailsPendingRequestsAsCancelled() throws IOException {
    try (ScriptedOrigin origin = new ScriptedOrigin(CATALOG, stallBeforeHeaders())) {
      OriginClient c = OriginClient.create(config(origin).build());
      CompletableFuture<TrackManifest> f = c.fetchManifest(TRACK.manifest().trackId());
      c.close();
      assertEquals(Kind.CANCELLED, Await.failure(f).kind());
      assertEquals(Kind.CANCELLED, Await.failure(c.fetchManifest(TRACK.manifest().trackId())).kind());
    }
  }

  @Test
  void atMostMaxConcurrentRequestsAreInFlight() throws Exception {
    BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
    Semaphore go = new Semaphore(0);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    ScriptedOrigin.Step gate = (o, ex) -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      arrivals.add(ex.getRequestURI().getPath());
      try {
        go.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inFlight.decrementAndGet();
      ScriptedOrigin.serve(o, ex);
    };
    TrackManifest m = TRACK.manifest();
    try (ScriptedOrigin origin = ScriptedOrigin.withFallback(CATALOG, gate);
        OriginClient c = OriginClient.create(config(origin).maxConcurrentRequests(1).build())) {
      List<CompletableFuture<List<byte[]>>> futures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        futures.add(c.fetchChunks(m, i, 1));
      }
      for (int i = 0; i < 3; i++) {
        String arrived = arrivals.poll(30, TimeUnit.SECONDS);
        assertEquals("/" + m.originKey(), arrived);
        go.release();
      }
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(TRACK.chunk(i), Await.value(futures.get(i)).get(0));
      }
      assertNull(arrivals.poll());
      assertEquals(1, maxInFlight.get());
    }
  }
}
