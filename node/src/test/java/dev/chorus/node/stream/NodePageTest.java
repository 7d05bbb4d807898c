package dev.chorus.node.stream;

import static dev.chorus.node.stream.StreamServerTest.get;
import static dev.chorus.node.stream.StreamServerTest.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.node.ChorusNode;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.testing.leaks.NoLeaks;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's page and its JSON over real HTTP: what they serve, that the state is the node's real
 * state (a track played through a peer shows up in the chunk map and the neighbours), and that
 * they are under the endpoint's rules (Host check, token, read-only). The page in a browser:
 * {@code PagesInBrowserTest} in the demo module.
 */
@ExtendWith(NoLeaks.class)
class NodePageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir static Path dir;
  static StreamSwarm swarm;
  static ChorusNode holder;
  static ChorusNode listener;
  static StreamServer server;
  static TrackManifest track;

  @BeforeAll
  static void start() throws Exception {
    swarm = new StreamSwarm(dir);
    swarm.startTracker();
    byte[] content = new byte[1_000_000];
    new Random(7).nextBytes(content);
    Path file = Files.write(dir.resolve("track.bin"), content);
    // 50 s of audio: the first 15 s come from the CDN, the rest from the holder.
    track = swarm.publish(file, "audio/t.opus", "audio/ogg", 50_000, 16 * 1024);
    holder = swarm.startNode("holder", b -> b);
    StreamSwarm.play(holder, track.trackId());
    swarm.awaitHolder(track.trackId());
    listener = swarm.startNode("listener", b -> b);
    server = swarm.serve(listener, StreamListener.NO_OP);
  }

  @AfterAll
  static void stop() {
    if (swarm != null) {
      swarm.close();
    }
  }

  static HttpResponse<byte[]> fetch(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static JsonNode state(StreamServer s) throws Exception {
    HttpResponse<byte[]> r = fetch(s.urlPrefix().resolve("ui/state.json"));
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    assertEquals("no-store", r.headers().firstValue("cache-control").orElse(""));
    return JSON.readTree(r.body());
  }

  @Test
  void thePageItsScriptAndStyleComeFromTheNodeWithAStrictPolicy() throws Exception {
    for (String[] asset : new String[][] {{"", "text/html"}, {"ui/page.js", "text/javascript"},
        {"ui/page.css", "text/css"}}) {
      HttpResponse<byte[]> r = fetch(server.urlPrefix().resolve(asset[0]));
      assertEquals(200, r.statusCode(), asset[0]);
      assertTrue(r.headers().firstValue("content-type").orElse("").startsWith(asset[1]), asset[0]);
      String csp = r.headers().firstValue("content-security-policy").orElse("");
      assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), csp);
      assertEquals("DENY", r.headers().firstValue("x-frame-options").orElse(""));
      String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
      assertFalse(body.contains("http://") || body.contains("https://"), asset[0] + " loads nothing from elsewhere");
    }
  }

  @Test
  void theStateIsTheNodesOwnAndShowsWhereEachChunkOfThisPlayCameFrom() throws Exception {
    JsonNode before = state(server);
    assertEquals(listener.nodeId().toHex(), before.get("node").asText());
    assertTrue(before.get("tracker").asBoolean());
    assertTrue(before.get("current").isNull(), "nothing was played yet: " + before);

    try (var in = listener.open(track.trackId())) {
      assertEquals(track.sizeBytes(), in.readAllBytes().length);
      JsonNode during = state(server);
      JsonNode current = during.get("current");
      assertEquals(track.trackId().toHex(), current.get("trackId").asText(), current.toString());
      assertEquals(track.sizeBytes(), current.get("sizeBytes").asLong());
      assertEquals(track.sizeBytes(), current.get("readPosition").asLong());
      assertTrue(current.get("open").asBoolean());
      // Every chunk was fetched for this play, from the CDN (the first 15 s) or from the holder.
      String chunks = current.get("chunks").asText();
      assertTrue(chunks.matches("[Na]{" + track.chunkCount() + "}"), chunks);
      assertTrue(chunks.indexOf('a') >= 0 && chunks.indexOf('N') >= 0, chunks);
      assertEquals(holder.nodeId().toHex(), current.get("peers").get(0).asText());
      assertEquals(1, current.get("peers").size());
      // The chunk map and the counters are one account: peer chunks are the bytes played from peers.
      long fromPeers = 0;
      for (int i = 0; i < chunks.length(); i++) {
        fromPeers += chunks.charAt(i) == 'a' ? track.chunkLength(i) : 0;
      }
      assertEquals(fromPeers, during.at("/stats/played/peers").asLong(), during.toString());
      assertEquals(track.sizeBytes() - fromPeers, during.at("/stats/played/cdn").asLong(), during.toString());
      JsonNode neighbour = during.get("neighbours").get(0);
      assertEquals(holder.nodeId().toHex(), neighbour.get("id").asText(), during.toString());
      assertTrue(neighbour.get("received").asLong() >= fromPeers, during.toString());
      assertTrue(neighbour.get("bytesPerSecond").asDouble() > 0, "the core measured the holder's rate: " + during);
      assertTrue(during.at("/cache/used").asLong() >= track.sizeBytes(), during.toString());
    }
    // Played again, every chunk is the node's own cache.
    try (var in = listener.open(track.trackId())) {
      in.readNBytes(100_000);
      JsonNode again = state(server).get("current");
      assertTrue(again.get("chunks").asText().matches("C{" + track.chunkCount() + "}"), again.toString());
      assertEquals(0, again.get("peers").size());
    }
    JsonNode closed = state(server);
    assertEquals(2, closed.at("/stats/playbacks").asLong());
    assertEquals(track.trackId().toHex(), closed.at("/current/trackId").asText(), "the last play stays shown");
    assertFalse(closed.at("/current/open").asBoolean());
  }

  @Test
  void theCatalogIsTheOriginsIndexCheckedAndBounded() throws Exception {
    JsonNode none = JSON.readTree(fetch(server.urlPrefix().resolve("ui/catalog.json")).body());
    assertEquals(0, none.get("tracks").size());
    assertTrue(none.get("error").asText().contains("404"), none.toString());

    String longTitle = "x".repeat(500);
    Files.writeString(swarm.catalog.resolve("index.json"), "{\"version\":1,\"tracks\":["
        + "{\"trackId\":\"" + track.trackId().toHex() + "\",\"title\":\"" + longTitle + "\",\"artist\":\"A <b>\","
        + "\"durationMillis\":50000},"
        + "{\"trackId\":\"../../etc/passwd\",\"title\":\"bad\"},"
        + "{\"trackId\":\"" + "ab".repeat(32) + "\",\"title\":7,\"durationMillis\":-5}]}");
    try (StreamServer fresh = swarm.serve(listener, StreamListener.NO_OP)) {
      JsonNode catalog = JSON.readTree(fetch(fresh.urlPrefix().resolve("ui/catalog.json")).body());
      assertTrue(catalog.get("error").isNull(), catalog.toString());
      assertEquals(2, catalog.get("tracks").size(), catalog.toString());
      JsonNode first = catalog.get("tracks").get(0);
      assertEquals(track.trackId().toHex(), first.get("trackId").asText());
      assertEquals(OriginCatalog.MAX_TEXT, first.get("title").asText().length());
      assertEquals("A <b>", first.get("artist").asText()); // the page sets it as text, never as HTML
      assertEquals(50_000, first.get("durationMillis").asLong());
      JsonNode second = catalog.get("tracks").get(1);
      assertTrue(second.get("title").isNull(), "a title that is not a string is none");
      assertEquals(0, second.get("durationMillis").asLong());
    } finally {
      Files.delete(swarm.catalog.resolve("index.json"));
    }
  }

  @Test
  void thePageAndItsJsonAreUnderTheEndpointsRules() throws Exception {
    int port = server.port();
    for (String path : new String[] {"/", "/ui/state.json", "/ui/catalog.json", "/ui/page.js"}) {
      StreamServerTest.Raw foreign = raw(port, get(path, "Host: evil.example:" + port));
      assertEquals("HTTP/1.1 421 Misdirected Request", foreign.status(), path);
      StreamServerTest.Raw none = raw(port, "GET " + path + " HTTP/1.0\r\n\r\n");
      assertEquals("HTTP/1.0 400 Bad Request", none.status(), path);
      StreamServerTest.Raw post = raw(port, "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
          + "Connection: close\r\n\r\n");
      assertEquals("HTTP/1.1 405 Method Not Allowed", post.status(), path);
    }
    try (StreamServer t = StreamServer.start(listener, new InetSocketAddress("127.0.0.1", 0), StreamListener.NO_OP,
        true)) {
      for (String path : new String[] {"/", "/ui/state.json", "/ui/catalog.json"}) {
        StreamServerTest.Raw r = raw(t.port(), get(path, "Host: 127.0.0.1:" + t.port()));
        assertEquals("HTTP/1.1 403 Forbidden", r.status(), path);
      }
      assertEquals(200, fetch(t.urlPrefix()).statusCode());
      assertEquals(listener.nodeId().toHex(), state(t).get("node").asText());
    }
  }
}
