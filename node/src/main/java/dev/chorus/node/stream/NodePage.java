package dev.chorus.node.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.node.internal.inspect.ChunkMap;
import dev.chorus.node.internal.inspect.NeighbourView;
import dev.chorus.node.internal.inspect.NodeInspector;
import dev.chorus.node.internal.inspect.NodeView;
import dev.chorus.node.NodeStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The node's own page, served by the stream endpoint under the same rules as the tracks (loopback,
 * {@code Host} check, the token if one is required): {@code /} the page, {@code /ui/page.js} and
 * {@code /ui/page.css} its script and style (from the classpath: no build step, nothing fetched
 * from elsewhere), {@code /ui/state.json} the node's state now, {@code /ui/catalog.json} the
 * origin's catalog. All are read-only ({@code GET} and {@code HEAD}); the page plays tracks with
 * an {@code <audio>} element on the endpoint's own {@code tracks/<id>} URLs.
 */
final class NodePage {
  static final String STATE = "/ui/state.json";
  static final String CATALOG = "/ui/catalog.json";
  private static final String RESOURCES = "/dev/chorus/node/stream/ui/";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Sent with every page answer: only this endpoint's own script, style, JSON and audio; never
   * framed (no clickjacking of the play buttons); no referrer (the token is in the URL).
   */
  /** Sent with the JSON: fresh every time, never sniffed as anything else. */
  static final Map<String, String> JSON_HEADERS = Map.of(
      "X-Content-Type-Options", "nosniff",
      "Cache-Control", "no-store");

  static final Map<String, String> PAGE_HEADERS = Map.of(
      "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
          + "media-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "X-Content-Type-Options", "nosniff",
      "X-Frame-Options", "DENY",
      "Referrer-Policy", "no-referrer",
      "Cache-Control", "no-store");

  /** A static part of the page: its bytes and content type. */
  record Asset(byte[] body, String contentType) {}

  private static final Map<String, Asset> ASSETS = Map.of(
      "/", load("page.html", "text/html; charset=utf-8"),
      "/ui/page.js", load("page.js", "text/javascript; charset=utf-8"),
      "/ui/page.css", load("page.css", "text/css; charset=utf-8"));

  private final NodeInspector inspector;
  private final OriginCatalog catalog;

  NodePage(NodeInspector inspector, OriginCatalog catalog) {
    this.inspector = inspector;
    this.catalog = catalog;
  }

  /** The static asset at {@code path}, or null. */
  static Asset asset(String path) {
    return ASSETS.get(path);
  }

  static boolean isJson(String path) {
    return STATE.equals(path) || CATALOG.equals(path);
  }

  /** The JSON at {@code path} ({@link #isJson}), when it is ready. */
  CompletableFuture<byte[]> json(String path, Executor executor) {
    if (CATALOG.equals(path)) {
      return catalog.tracks().thenApplyAsync(NodePage::write, executor);
    }
    return inspector.view(executor).thenApply(v -> write(state(v)));
  }

  static Map<String, Object> state(NodeView v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", v.nodeId().toHex());
    NodeStats s = v.stats();
    m.put("stats", ordered(
        "played", ordered("cache", s.played().fromCache(), "peers", s.played().fromPeers(), "cdn",
            s.played().fromCdn()),
        "fetched", ordered("peers", s.bytesFromPeers(), "cdn", s.bytesFromCdn()),
        "uploaded", s.bytesUploaded(),
        "playbacks", s.playbacks(),
        "startP50Ms", s.startLatencyP50Nanos() / 1e6,
        "startP90Ms", s.startLatencyP90Nanos() / 1e6,
        "stutters", s.stutters(),
        "banned", s.peersBanned()));
    m.put("cache", ordered("used", v.cacheUsedBytes(), "capacity", v.cacheCapacityBytes(), "caching", v.caching()));
    m.put("tracker", v.trackerConnected());
    ChunkMap c = v.current();
    m.put("current", c == null ? null : ordered(
        "trackId", c.trackId().toHex(),
        "sizeBytes", c.sizeBytes(),
        "durationMillis", c.durationMillis(),
        "readPosition", c.readPosition(),
        "open", c.open(),
        "chunks", c.chunks(),
        "peers", c.peers().stream().map(p -> p.toHex()).toList()));
    List<Object> neighbours = new ArrayList<>();
    for (NeighbourView n : v.neighbours()) {
      neighbours.add(ordered(
          "id", n.id().toHex(),
          "address", n.address().getAddress().getHostAddress() + ":" + n.address().getPort(),
          "rttMs", n.rttNanos() < 0 ? null : n.rttNanos() / 1e6,
          "bytesPerSecond", n.bytesPerSecond() < 0 ? null : n.bytesPerSecond(),
          "received", n.bytes().received(),
          "sent", n.bytes().sent()));
    }
    m.put("neighbours", neighbours);
    return m;
  }

  /** A JSON object with its keys in the order given: key, value, key, value… */
  static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  static byte[] write(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Asset load(String name, String contentType) {
    try (InputStream in = NodePage.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name + " (a broken build)");
      }
      return new Asset(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
