package dev.chorus.node.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.testing.Await;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.testing.process.FreePorts;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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

  /** The Host line a player of {@link StreamServer#url} sends. */
  static String host() {
    return "Host: 127.0.0.1:" + server.port() + "\r\n";
  }

  /** An answer read off a raw connection, up to the server's close. */
  record Raw(String status, String head, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8).strip();
    }
  }

  /** Sends {@code request} as is on a new connection and reads until the server closes it. */
  static Raw raw(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(60_000); // only stops a hung build
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      byte[] all = s.getInputStream().readAllBytes();
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      assertTrue(end > 0, text);
      return new Raw(text.substring(0, text.indexOf("\r\n")), text.substring(0, end).toLowerCase(Locale.ROOT),
          Arrays.copyOfRange(all, end + 4, all.length));
    }
  }

  static String get(String path, String... headerLines) {
    return "GET " + path + " HTTP/1.1\r\n" + String.join("", Arrays.stream(headerLines).map(h -> h + "\r\n").toList())
        + "\r\n";
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
  void urlPrefixIsTheRootWithoutAToken() {
    assertEquals(URI.create("http://127.0.0.1:" + server.port() + "/"), server.urlPrefix());
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

  @Test
  void aTrackTheNodeCannotFetchIsABadGatewayThatSaysWhy() throws Exception {
    int deadPort = FreePorts.loopback(); // nothing listens: the origin refuses every connection
    NodeConfig config = NodeConfig.builder().origin(URI.create("http://127.0.0.1:" + deadPort + "/"))
        .bindHost("127.0.0.1").cacheDirectory(dir.resolve("cut-off")).cacheCapacityBytes(16L << 20).build();
    HttpResponse<byte[]> r;
    try (ChorusNode cut = ChorusNode.start(config);
        StreamServer cutServer = StreamServer.start(cut, new InetSocketAddress("127.0.0.1", 0), new RecordingListener())) {
      r = send("GET", cutServer.url(track.trackId()));
    }
    assertEquals(502, r.statusCode());
    String body = text(r);
    assertTrue(body.startsWith("track unavailable: "), body);
    assertTrue(body.length() > "track unavailable: ".length() + "(the node's log has the details)".length() + 5,
        "the body gives a reason: " + body);
    assertTrue(body.contains("could not connect to origin"), body);
    assertFalse(body.contains("\n"), body);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/index.html", "/ui", "/ui/", "/ui/other.json", "/tracks", "/tracks/", "/other/x", "/tracks/a/b"})
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
      String req = "GET " + path + " HTTP/1.1\r\n" + host() + "Range: bytes=0-9\r\n\r\n"
          + "GET /nope HTTP/1.1\r\n" + host() + "\r\n"
          + "GET " + path + " HTTP/1.1\r\n" + host() + "Range: bytes=-5\r\nConnection: close\r\n\r\n";
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
      out.write(("GET " + path + " HTTP/1.1\r\n" + host() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      assertTrue(in.read(new byte[100]) > 0);
    }
    Await.until(() -> events.ends.size() > before, "the server notices");
    RecordingListener.Ended e = events.ends.get(before);
    assertEquals(200, e.status());
    // Complete if the whole response fitted in the socket buffers before the client left.
    assertTrue(!e.complete() || e.bytesSent() == LENGTH, e.toString());
  }

  // DNS rebinding: a page on http://evil.example:port/ whose name now resolves to 127.0.0.1.

  @ParameterizedTest
  @ValueSource(strings = {"evil.example", "evil.example:PORT", "127.0.0.1.evil.example", "127.0.0.1.nip.io:PORT",
      "localhost.", "0177.0.0.1"})
  void aRequestNamingAnotherHostIsMisdirectedAndItsConnectionClosed(String host) throws Exception {
    int before = events.refusals.size();
    String path = "/tracks/" + track.trackId().toHex();
    // Pipelined after it: a request with a good Host, which must not be answered.
    Raw r = raw(server.port(), get(path, "Host: " + host.replace("PORT", String.valueOf(server.port())),
        "Range: bytes=0-9") + get(path, host().strip()));
    assertEquals("HTTP/1.1 421 Misdirected Request", r.status());
    assertTrue(r.head().contains("connection: close"), r.head());
    assertTrue(r.head().contains("content-type: text/plain"), r.head());
    assertEquals(HostRule.FOREIGN_HOST + ": this endpoint answers to localhost, 127.0.0.0/8 or [::1]", r.text());
    assertEquals(List.of(HostRule.FOREIGN_HOST), events.refusals.subList(before, events.refusals.size()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:PORT", "localhost", "LOCALHOST:PORT", "127.0.0.1:PORT", "127.0.0.1",
      "127.9.8.7:PORT", "[::1]:80", "[::1]", "[0:0:0:0:0:0:0:1]:PORT"})
  void loopbackHostsAreServed(String host) throws Exception {
    Raw r = raw(server.port(), get("/tracks/" + track.trackId().toHex(),
        "Host: " + host.replace("PORT", String.valueOf(server.port())), "Range: bytes=100-199", "Connection: close"));
    assertEquals("HTTP/1.1 206 Partial Content", r.status(), host);
    assertArrayEquals(Arrays.copyOfRange(content, 100, 200), r.body(), host);
  }

  @Test
  void aRequestWithoutHostIsABadRequest() throws Exception {
    for (String version : new String[] {"HTTP/1.1", "HTTP/1.0"}) {
      int before = events.refusals.size();
      Raw r = raw(server.port(), "GET /tracks/" + track.trackId().toHex() + " " + version + "\r\n\r\n");
      assertEquals(version + " 400 Bad Request", r.status());
      assertEquals(HostRule.NO_HOST, r.text());
      assertEquals(List.of(HostRule.NO_HOST), events.refusals.subList(before, events.refusals.size()));
    }
  }

  @Test
  void aRequestWithTwoHostsIsABadRequest() throws Exception {
    Raw r = raw(server.port(), get("/tracks/" + track.trackId().toHex(), host().strip(), "Host: evil.example"));
    assertEquals("HTTP/1.1 400 Bad Request", r.status());
    assertTrue(r.head().contains("connection: close"), r.head());
    assertEquals(HostRule.SEVERAL_HOSTS, r.text());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[::1%25lo]:PORT", "localhost:", "localhost:99999", "127.0.0.1 :PORT"})
  void aMalformedHostIsABadRequest(String host) throws Exception {
    Raw r = raw(server.port(), get("/tracks/" + track.trackId().toHex(),
        "Host: " + host.replace("PORT", String.valueOf(server.port()))));
    assertEquals("HTTP/1.1 400 Bad Request", r.status(), host);
    assertEquals(HostRule.MALFORMED_HOST, r.text(), host);
  }

  @Test
  void aRefusalAfterAGoodPipelinedRequestIsAnsweredInItsTurn() throws Exception {
    String path = "/tracks/" + track.trackId().toHex();
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(60_000);
      s.getOutputStream().write((get(path, host().strip(), "Range: bytes=0-9")
          + get(path, "Host: evil.example", "Range: bytes=0-9")
          + get(path, host().strip(), "Range: bytes=0-9")).getBytes(StandardCharsets.ISO_8859_1));
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(text.startsWith("HTTP/1.1 206"), text);
      int refused = text.indexOf("HTTP/1.1 421");
      assertTrue(refused > 0, text);
      assertEquals(-1, text.indexOf("HTTP/1.1", refused + 1), text);
    }
  }

  // The per-start token.

  @Test
  void withATokenOnlyTheTokenUrlIsServed() throws Exception {
    RecordingListener tokenEvents = new RecordingListener();
    try (StreamServer t = StreamServer.start(node, new InetSocketAddress("127.0.0.1", 0), tokenEvents, true)) {
      String prefix = t.urlPrefix().toString();
      assertTrue(prefix.matches("http://127\\.0\\.0\\.1:" + t.port() + "/t/[0-9a-f]{32}/"), prefix);
      String token = prefix.substring(prefix.indexOf("/t/") + 3, prefix.length() - 1);
      assertEquals(URI.create(prefix + "tracks/" + track.trackId().toHex()), t.url(track.trackId()));

      HttpResponse<byte[]> ok = send("GET", t.url(track.trackId()), "Range", "bytes=50000-50999");
      assertEquals(206, ok.statusCode());
      assertArrayEquals(Arrays.copyOfRange(content, 50_000, 51_000), ok.body());

      String id = track.trackId().toHex();
      String wrong = (token.charAt(0) == 'a' ? "b" : "a") + token.substring(1);
      for (String path : new String[] {"/tracks/" + id, "/t/" + wrong + "/tracks/" + id, "/t//tracks/" + id,
          "/t/" + token + "x/tracks/" + id, "/t/" + token.substring(1) + "/tracks/" + id, "/t/" + token,
          "/x/" + token + "/tracks/" + id}) {
        Raw r = raw(t.port(), get(path, "Host: 127.0.0.1:" + t.port(), "Connection: keep-alive"));
        assertEquals("HTTP/1.1 403 Forbidden", r.status(), path);
        assertEquals(StreamServer.WRONG_TOKEN, r.text(), path);
        assertTrue(r.head().contains("connection: close"), r.head());
      }
      assertEquals(7, tokenEvents.refusals.size(), tokenEvents.refusals.toString());
      // The Host rule holds with a token too.
      Raw foreign = raw(t.port(), get(t.url(track.trackId()).getRawPath(), "Host: evil.example"));
      assertEquals("HTTP/1.1 421 Misdirected Request", foreign.status());
      // The token is not reported (nor logged: the same path goes to the log), unless a client put
      // it somewhere else than /t/<token>/.
      assertTrue(tokenEvents.responses.stream().noneMatch(e -> e.path().startsWith("/t/") && e.path().contains(token)),
          tokenEvents.responses.toString());
      assertTrue(tokenEvents.responses.contains(new RecordingListener.Responded("GET", "/t/…/tracks/" + id, 206,
          50_000, 50_999)), tokenEvents.responses.toString());
    }
  }
}
