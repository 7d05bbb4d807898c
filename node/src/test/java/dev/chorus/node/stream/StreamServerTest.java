package dev.chorus.node.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.ChorusNode;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.testing.Await;
import dev.chorus.testing.leaks.NoLeaks;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The endpoint over HTTP against a real node (nginx as its origin), with java.net.http.
 * Timeouts only stop a hung build.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(NoLeaks.class)
class StreamServerTest {
  static final int LENGTH = 100_000;
  static final String MIME = "audio/ogg; codecs=opus";

  @TempDir static Path dir;
  static StreamSwarm swarm;
  static ChorusNode node;
  static StreamServer server;
  static final RecordingListener events = new RecordingListener();
  static TrackManifest track;
  static byte[] content;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    swarm = new StreamSwarm(dir);
    content = new byte[LENGTH];
    new Random(42).nextBytes(content);
    track = swarm.publish(content, "audio/t.opus", MIME, 4096);
    node = swarm.startNode("node", b -> b);
    server = swarm.serve(node, events);
  }

  @AfterAll
  static void stop() {
    if (swarm != null) {
      swarm.close();
    }
  }

  static HttpResponse<byte[]> send(String method, URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8).strip();
  }

  @Test
  void urlIsOnLoopback() {
    assertEquals(URI.create("http://127.0.0.1:" + server.port() + "/tracks/" + track.trackId().toHex()),
        server.url(track.trackId()));
  }

  @Test
  void headGivesTheHeadersWithoutTheBody() throws Exception {
    HttpResponse<byte[]> r = send("HEAD", server.url(track.trackId()));
    assertEquals(200, r.statusCode());
    assertEquals(MIME, header(r, "content-type"));
    assertEquals(String.valueOf(LENGTH), header(r, "content-length"));
    assertEquals("bytes", header(r, "accept-ranges"));
    assertEquals("\"" + track.trackId().toHex() + "\"", header(r, "etag"));
    assertEquals(0, r.body().length);
  }

  @Test
  void getGivesTheWholeTrack() throws Exception {
    HttpResponse<byte[]> r = send("GET", server.url(track.trackId()));
    assertEquals(200, r.statusCode());
    assertEquals(MIME, header(r, "content-type"));
    assertEquals(String.valueOf(LENGTH), header(r, "content-length"));
    assertEquals("bytes", header(r, "accept-ranges"));
    assertArrayEquals(content, r.body());
  }

  @Test
  void aRangeGivesPartialContent() throws Exception {
    HttpResponse<byte[]> r = send("GET", server.url(track.trackId()), "Range", "bytes=50000-50999");
    assertEquals(206, r.statusCode());
    assertEquals("bytes 50000-50999/" + LENGTH, header(r, "content-range"));
    assertEquals("1000", header(r, "content-length"));
    assertEquals(MIME, header(r, "content-type"));
    assertArrayEquals(Arrays.copyOfRange(content, 50_000, 51_000), r.body());
    assertTrue(events.responses.contains(new RecordingListener.Responded("GET",
        "/tracks/" + track.trackId().toHex(), 206, 50_000, 50_999)), events.responses.toString());
  }

  @Test
  void openEndedAndSuffixRanges() throws Exception {
    HttpResponse<byte[]> tail = send("GET", server.url(track.trackId()), "Range", "bytes=99000-");
    assertEquals(206, tail.statusCode());
    assertEquals("bytes 99000-99999/" + LENGTH, header(tail, "content-range"));
    assertArrayEquals(Arrays.copyOfRange(content, 99_000, LENGTH), tail.body());

    HttpResponse<byte[]> suffix = send("GET", server.url(track.trackId()), "Range", "bytes=-123");
    assertEquals(206, suffix.statusCode());
    assertEquals("bytes " + (LENGTH - 123) + "-" + (LENGTH - 1) + "/" + LENGTH, header(suffix, "content-range"));
    assertArrayEquals(Arrays.copyOfRange(content, LENGTH - 123, LENGTH), suffix.body());
  }

  @Test
  void aRangeAfterTheEndIsNotSatisfiable() throws Exception {
    HttpResponse<byte[]> r = send("GET", server.url(track.trackId()), "Range", "bytes=" + LENGTH + "-");
    assertEquals(416, r.statusCode());
    assertEquals("bytes */" + LENGTH, header(r, "content-range"));
    assertEquals("range not satisfiable", text(r));
  }

  @Test
  void severalRangesOrAnInvalidOneGetTheWholeTrack() throws Exception {
    for (String range : new String[] {"bytes=0-9,100-109", "bytes=9-0", "lines=1-2"}) {
      HttpResponse<byte[]> r = send("GET", server.url(track.trackId()), "Range", range);
      assertEquals(200, r.statusCode(), range);
      assertArrayEquals(content, r.body(), range);
    }
  }

  @Test
  void ifRangeWithAnotherValidatorGetsTheWholeTrack() throws Exception {
    HttpResponse<byte[]> same = send("GET", server.url(track.trackId()), "Range", "bytes=10-19",
        "If-Range", "\"" + track.trackId().toHex() + "\"");
    assertEquals(206, same.statusCode());
    HttpResponse<byte[]> other = send("GET", server.url(track.trackId()), "Range", "bytes=10-19",
        "If-Range", "\"something-else\"");
    assertEquals(200, other.statusCode());
    assertEquals(LENGTH, other.body().length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0123", "zz", "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"})
  void malformedIdsAreBadRequests(String id) throws Exception {
    HttpResponse<byte[]> r = send("GET", URI.create("http://127.0.0.1:" + server.port() + "/tracks/" + id));
    assertEquals(400, r.statusCode());
    assertEquals("malformed track id", text(r));
  }

  @Test
  void anUnknownTrackIsNotFound() throws Exception {
    byte[] bytes = new byte[TrackId.BYTES];
    new Random(7).nextBytes(bytes);
    HttpResponse<byte[]> r = send("GET", server.url(TrackId.fromBytes(bytes)));
    assertEquals(404, r.statusCode());
    assertEquals("unknown track", text(r));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/tracks", "/tracks/", "/other/x", "/tracks/a/b"})
  void otherPathsAreNotFound(String path) throws Exception {
    HttpResponse<byte[]> r = send("GET", URI.create("http://127.0.0.1:" + server.port() + path));
    assertEquals(path.equals("/tracks/") ? 400 : 404, r.statusCode(), path);
  }

  @Test
  void otherMethodsAreNotAllowed() throws Exception {
    HttpResponse<byte[]> r = send("POST", server.url(track.trackId()));
    assertEquals(405, r.statusCode());
    assertEquals("GET, HEAD", header(r, "allow"));
  }

  @Test
  void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
    String path = "/tracks/" + track.trackId().toHex();
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(60_000);
      String req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n"
          + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET " + path + " HTTP/1.1\r\nHost: x\r\nRange: bytes=-5\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
      byte[] all = s.getInputStream().readAllBytes(); // the server closes after the third
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int first = text.indexOf("HTTP/1.1 206");
      int second = text.indexOf("HTTP/1.1 404");
      int third = text.indexOf("HTTP/1.1 206", first + 1);
      assertTrue(first == 0 && second > first && third > second, text);
      assertTrue(text.substring(first, second).endsWith(new String(content, 0, 10, StandardCharsets.ISO_8859_1)), text);
      assertTrue(text.endsWith(new String(content, LENGTH - 5, 5, StandardCharsets.ISO_8859_1)), text);
    }
  }

  @Test
  void aClientThatGoesAwayEndsItsResponse() throws Exception {
    String path = "/tracks/" + track.trackId().toHex();
    int before = events.ends.size();
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setReceiveBufferSize(4096);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      assertTrue(in.read(new byte[100]) > 0);
    }
    Await.until(() -> events.ends.size() > before, "the server notices");
    RecordingListener.Ended e = events.ends.get(before);
    assertEquals(200, e.status());
    // Complete if the whole response fitted in the socket buffers before the client left.
    assertTrue(!e.complete() || e.bytesSent() == LENGTH, e.toString());
  }
}
