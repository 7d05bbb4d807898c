package dev.chorus.node.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog the node's page lists: the {@code index.json} a publisher puts next to the manifests
 * ({@code chorus publish}), read from the first HTTP(S) origin that has one and kept for a minute.
 * Every field is checked and bounded (it comes from the network): at most {@value #MAX_BYTES}
 * bytes, {@value #MAX_TRACKS} tracks, track ids of 64 hex digits, titles and artists cut to
 * {@value #MAX_TEXT} characters. No catalog (no HTTP origin, none has an index, a bad index) is an
 * empty list with the reason, for the page to say.
 */
final class OriginCatalog {
  private static final Logger log = LoggerFactory.getLogger(StreamServer.class);
  static final int MAX_BYTES = 4 * 1024 * 1024;
  static final int MAX_TRACKS = 10_000;
  static final int MAX_TEXT = 200;
  private static final long KEEP_NANOS = 60_000_000_000L;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern TRACK_ID = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> origins;
  private final LongSupplier clock;
  private final HttpClient http;
  private CompletableFuture<Map<String, Object>> cached;
  private long cachedAt;

  OriginCatalog(List<URI> origins, LongSupplier clock) {
    this.origins = List.copyOf(origins);
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** {@code {"tracks": [{trackId, title, artist, durationMillis}…], "error": reason or null}}. */
  synchronized CompletableFuture<Map<String, Object>> tracks() {
    long now = clock.getAsLong();
    if (cached == null || now - cachedAt > KEEP_NANOS) {
      cachedAt = now;
      cached = fetch(0, "no HTTP origin");
    }
    return cached;
  }

  private CompletableFuture<Map<String, Object>> fetch(int i, String lastReason) {
    while (i < origins.size() && !isHttp(origins.get(i))) {
      i++;
    }
    if (i >= origins.size()) {
      return CompletableFuture.completedFuture(NodePage.ordered("tracks", List.of(), "error", lastReason));
    }
    int next = i + 1;
    URI uri = indexOf(origins.get(i));
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
        .thenApply(this::parse)
        .exceptionally(e -> {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          log.debug("catalog {}: {}", uri.getHost(), cause.toString());
          return NodePage.ordered("tracks", List.of(), "error", "index.json: " + cause.getMessage());
        })
        .thenCompose(r -> ((List<?>) r.get("tracks")).isEmpty() && r.get("error") != null
            ? fetch(next, (String) r.get("error")) : CompletableFuture.completedFuture(r));
  }

  private Map<String, Object> parse(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        return NodePage.ordered("tracks", List.of(), "error", "the origin has no index.json (HTTP "
            + response.statusCode() + ")");
      }
      byte[] body = in.readNBytes(MAX_BYTES + 1);
      if (body.length > MAX_BYTES) {
        return NodePage.ordered("tracks", List.of(), "error", "index.json is larger than " + MAX_BYTES + " bytes");
      }
      JsonNode tracks = JSON.readTree(body).path("tracks");
      List<Object> out = new ArrayList<>();
      for (JsonNode t : tracks) {
        String id = t.path("trackId").asText("");
        if (!TRACK_ID.matcher(id).matches()) {
          continue; // not a track this node can play
        }
        long millis = t.path("durationMillis").asLong(0);
        out.add(NodePage.ordered("trackId", id, "title", text(t, "title"), "artist", text(t, "artist"),
            "durationMillis", Math.max(0, millis)));
        if (out.size() == MAX_TRACKS) {
          break;
        }
      }
      return NodePage.ordered("tracks", out, "error", null);
    } catch (IOException e) {
      return NodePage.ordered("tracks", List.of(), "error", "index.json is not valid JSON: " + e.getMessage());
    }
  }

  private static String text(JsonNode t, String field) {
    JsonNode v = t.get(field);
    if (v == null || !v.isTextual()) {
      return null;
    }
    String s = v.asText();
    return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
  }

  private static boolean isHttp(URI u) {
    return "http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme());
  }

  /** {@code <base>index.json}, keeping the base's query (a CDN token) as every origin request does. */
  static URI indexOf(URI base) {
    String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
    if (!path.endsWith("/")) {
      path += "/";
    }
    String query = base.getRawQuery();
    return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + "index.json"
        + (query == null ? "" : "?" + query));
  }
}
