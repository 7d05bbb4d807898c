package dev.chorus.node.internal.originserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OriginServer} over real HTTP: ranges, HEAD, errors, traversal, keep-alive. */
class OriginServerTest {
  @TempDir static Path dir;
  static Path root;
  static byte[] audio;
  static OriginServer server;
  static HttpClient http;

  @BeforeAll
  static void start() throws IOException {
    root = Files.createDirectories(dir.resolve("catalog"));
    audio = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(audio);
    Files.createDirectories(root.resolve("audio/ab"));
    Files.write(root.resolve("audio/ab/track.opus"), audio);
    Files.createDirectories(root.resolve("manifests"));
    Files.write(root.resolve("manifests/00ff"), new byte[] {1, 2, 3});
    Files.write(root.resolve("empty.bin"), new byte[0]);
    Files.writeString(root.resolve("index.json"), "{}\n");
    Files.writeString(root.resolve("audio/ab/.tmp-1.part"), "partial");
    Files.writeString(root.resolve("audio/ab/name with space é.mp3"), "mp3!");
    Files.writeString(dir.resolve("secret.txt"), "outside the root");
    Files.createSymbolicLink(root.resolve("link-out"), dir.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("link-in"), root.resolve("index.json"));
    server = OriginServer.start(OriginServerConfig.builder().root(root).port(0).build());
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<byte[]> get(String path, String range) throws Exception {
    return send("GET", path, range);
  }

  private static HttpResponse<byte[]> send(String method, String path, String range) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.baseUri().resolve(path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (range != null) {
      b.header("Range", range);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  void wholeFile() throws Exception {
    HttpResponse<byte[]> r = get("audio/ab/track.opus", null);
    assertEquals(200, r.statusCode());
    assertArrayEquals(audio, r.body());
    assertEquals(String.valueOf(audio.length), header(r, "Content-Length"));
    assertEquals("bytes", header(r, "Accept-Ranges"));
    assertEquals("audio/ogg", header(r, "Content-Type"));
    assertEquals(null, header(r, "Content-Range"));
    assertTrue(header(r, "Cache-Control").contains("immutable"));
  }

  @Test
  void closedRange() throws Exception {
    HttpResponse<byte[]> r = get("audio/ab/track.opus", "bytes=16384-32767");
    assertEquals(206, r.statusCode());
    assertArrayEquals(Arrays.copyOfRange(audio, 16384, 32768), r.body());
    assertEquals("bytes 16384-32767/" + audio.length, header(r, "Content-Range"));
    assertEquals("16384", header(r, "Content-Length"));
  }

  @Test
  void oneByteAndLastByte() throws Exception {
    HttpResponse<byte[]> first = get("audio/ab/track.opus", "bytes=0-0");
    assertEquals(206, first.statusCode());
    assertArrayEquals(new byte[] {audio[0]}, first.body());
    int last = audio.length - 1;
    HttpResponse<byte[]> end = get("audio/ab/track.opus", "bytes=" + last + "-" + last);
    assertEquals("bytes " + last + "-" + last + "/" + audio.length, header(end, "Content-Range"));
    assertArrayEquals(new byte[] {audio[last]}, end.body());
  }

  @Test
  void openAndSuffixRanges() throws Exception {
    HttpResponse<byte[]> open = get("audio/ab/track.opus", "bytes=3000000-");
    assertEquals(206, open.statusCode());
    assertArrayEquals(Arrays.copyOfRange(audio, 3_000_000, audio.length), open.body());
    assertEquals("bytes 3000000-" + (audio.length - 1) + "/" + audio.length, header(open, "Content-Range"));

    HttpResponse<byte[]> suffix = get("audio/ab/track.opus", "bytes=-100");
    assertEquals(206, suffix.statusCode());
    assertArrayEquals(Arrays.copyOfRange(audio, audio.length - 100, audio.length), suffix.body());

    HttpResponse<byte[]> bigSuffix = get("audio/ab/track.opus", "bytes=-999999999");
    assertEquals(206, bigSuffix.statusCode());
    assertArrayEquals(audio, bigSuffix.body());
  }

  @Test
  void rangeEndBeyondTheFileIsClamped() throws Exception {
    HttpResponse<byte[]> r = get("audio/ab/track.opus", "bytes=" + (audio.length - 10) + "-99999999999");
    assertEquals(206, r.statusCode());
    assertEquals(10, r.body().length);
    assertEquals("bytes " + (audio.length - 10) + "-" + (audio.length - 1) + "/" + audio.length,
        header(r, "Content-Range"));
  }

  @Test
  void unsatisfiableRange() throws Exception {
    for (String range : new String[] {"bytes=" + audio.length + "-", "bytes=99999999-99999999", "bytes=-0"}) {
      HttpResponse<byte[]> r = get("audio/ab/track.opus", range);
      assertEquals(416, r.statusCode(), range);
      assertEquals("bytes */" + audio.length, header(r, "Content-Range"), range);
      assertEquals(0, r.body().length);
    }
    HttpResponse<byte[]> empty = get("empty.bin", "bytes=0-");
    assertEquals(416, empty.statusCode());
    assertEquals("bytes */0", header(empty, "Content-Range"));
  }

  @Test
  void invalidOrMultipleRangesGetTheWholeFile() throws Exception {
    for (String range : new String[] {"bytes=5-3", "bytes=0-1,5-9", "pages=1-2", "bytes=x-"}) {
      HttpResponse<byte[]> r = get("audio/ab/track.opus", range);
      assertEquals(200, r.statusCode(), range);
      assertEquals(audio.length, r.body().length, range);
    }
  }

  @Test
  void emptyFile() throws Exception {
    HttpResponse<byte[]> r = get("empty.bin", null);
    assertEquals(200, r.statusCode());
    assertEquals(0, r.body().length);
    assertEquals("0", header(r, "Content-Length"));
  }

  @Test
  void head() throws Exception {
    HttpResponse<byte[]> r = send("HEAD", "audio/ab/track.opus", null);
    assertEquals(200, r.statusCode());
    assertEquals(0, r.body().length);
    assertEquals(String.valueOf(audio.length), header(r, "Content-Length"));
    assertEquals("bytes", header(r, "Accept-Ranges"));

    HttpResponse<byte[]> ranged = send("HEAD", "audio/ab/track.opus", "bytes=10-19");
    assertEquals(206, ranged.statusCode());
    assertEquals("10", header(ranged, "Content-Length"));
    assertEquals("bytes 10-19/" + audio.length, header(ranged, "Content-Range"));

    assertEquals(404, send("HEAD", "nothing", null).statusCode());
  }

  @Test
  void contentTypes() throws Exception {
    assertEquals("application/octet-stream", header(get("manifests/00ff", null), "Content-Type"));
    HttpResponse<byte[]> index = get("index.json", null);
    assertEquals("application/json", header(index, "Content-Type"));
    assertEquals("no-cache", header(index, "Cache-Control"));
    HttpResponse<byte[]> mp3 = get("audio/ab/name%20with%20space%20%C3%A9.mp3", null);
    assertEquals(200, mp3.statusCode());
    assertEquals("audio/mpeg", header(mp3, "Content-Type"));
    assertEquals("mp3!", new String(mp3.body(), StandardCharsets.UTF_8));
  }

  @Test
  void missingDirectoriesAndHiddenFilesAre404() throws Exception {
    assertEquals(404, get("audio/ab/nothing.opus", null).statusCode());
    assertEquals(404, get("nothing/at/all", null).statusCode());
    assertEquals(404, get("audio/ab", null).statusCode());
    assertEquals(404, get("", null).statusCode());
    assertEquals(404, get("audio/ab/.tmp-1.part", null).statusCode());
  }

  @Test
  void symbolicLinksStayInsideTheRoot() throws Exception {
    assertEquals(404, get("link-out", null).statusCode());
    assertEquals(200, get("link-in", null).statusCode());
  }

  @Test
  void otherMethodsAre405() throws Exception {
    HttpResponse<byte[]> r = send("POST", "index.json", null);
    assertEquals(405, r.statusCode());
    assertEquals("GET, HEAD", header(r, "Allow"));
    assertEquals(405, send("DELETE", "index.json", null).statusCode());
  }

  @Test
  void traversalIsRefused() throws Exception {
    // Raw request lines: HTTP clients would normalise these paths away.
    for (String path : new String[] {"/../secret.txt", "/audio/../../secret.txt",
        "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/audio/%2F..%2F..%2Fsecret.txt",
        "/..%5csecret.txt", "/audio//ab/track.opus", "/./index.json", "/index.json%00",
        "/%zz", "/%c0%ae%c0%ae/secret.txt"}) {
      Raw r = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertTrue(r.status == 400 || r.status == 404, path + " -> " + r.status);
      assertTrue(!new String(r.body, StandardCharsets.UTF_8).contains("outside the root"), path);
    }
  }

  @Test
  void keepAlive() throws Exception {
    try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      for (int i = 0; i < 3; i++) {
        out.write(("GET /audio/ab/track.opus HTTP/1.1\r\nHost: x\r\nRange: bytes=" + i + "-" + (i + 9)
            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Raw r = readResponse(in);
        assertEquals(206, r.status);
        assertArrayEquals(Arrays.copyOfRange(audio, i, i + 10), r.body);
      }
      out.write("HEAD /index.json HTTP/1.1\r\nHost: x\r\n\r\nGET /index.json HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Raw headAnswer = readResponse(in, true);
      assertEquals(200, headAnswer.status);
      assertEquals("3", headAnswer.headers.get("content-length"));
      Raw getAnswer = readResponse(in);
      assertEquals("{}\n", new String(getAnswer.body, StandardCharsets.UTF_8));
    }
  }

  @Test
  void manyConcurrentRequests() throws Exception {
    var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>>();
    for (int i = 0; i < 40; i++) {
      int from = i * 50_000;
      futures.add(http.sendAsync(HttpRequest.newBuilder(server.baseUri().resolve("audio/ab/track.opus"))
          .header("Range", "bytes=" + from + "-" + (from + 49_999)).build(), HttpResponse.BodyHandlers.ofByteArray()));
    }
    for (int i = 0; i < futures.size(); i++) {
      HttpResponse<byte[]> r = futures.get(i).get();
      assertEquals(206, r.statusCode());
      assertArrayEquals(Arrays.copyOfRange(audio, i * 50_000, i * 50_000 + 50_000), r.body());
    }
  }

  @Test
  void badConfigurationAndMissingRoot() {
    assertThrows(IllegalArgumentException.class, () -> OriginServerConfig.builder().build());
    assertThrows(IllegalArgumentException.class, () -> OriginServerConfig.builder().root(root).port(70_000).build());
    IOException e = assertThrows(IOException.class, () -> OriginServer.start(
        OriginServerConfig.builder().root(dir.resolve("nope")).build()));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void portInUseIsAClearError() {
    IOException e = assertThrows(IOException.class, () -> OriginServer.start(
        OriginServerConfig.builder().root(root).port(server.port()).build()));
    assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + server.port()), e.getMessage());
  }

  @Test
  void baseUriAndClose() throws Exception {
    OriginServer other = OriginServer.start(OriginServerConfig.builder().root(root).build());
    URI base = other.baseUri();
    assertEquals(URI.create("http://127.0.0.1:" + other.port() + "/"), base);
    assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("index.json")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode());
    other.close();
    other.close();
    HttpClient fresh = HttpClient.newHttpClient();
    assertThrows(IOException.class, () -> fresh.send(HttpRequest.newBuilder(base.resolve("index.json")).build(),
        HttpResponse.BodyHandlers.discarding()));
  }

  private record Raw(int status, Map<String, String> headers, byte[] body) {}

  private static Raw raw(String request) throws IOException {
    try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readResponse(new BufferedInputStream(socket.getInputStream()));
    }
  }

  private static Raw readResponse(InputStream in) throws IOException {
    return readResponse(in, false);
  }

  private static Raw readResponse(InputStream in, boolean head) throws IOException {
    String status = line(in);
    Map<String, String> headers = new HashMap<>();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    byte[] body = new byte[0];
    if (!head && headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    }
    return new Raw(code, headers, body);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c < 0 && b.size() == 0) {
      throw new IOException("connection closed");
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
