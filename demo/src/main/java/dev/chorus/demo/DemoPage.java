package dev.chorus.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The demo's page: {@code /} shows the whole swarm live from {@code /state.json}, which the demo
 * replaces about once a second ({@link #show}) and which ends with the table the terminal prints.
 * It is served on 127.0.0.1 only, under the same rule as the nodes' stream endpoints: a request
 * whose {@code Host} is not {@code localhost}, {@code 127.0.0.1} or {@code [::1]} (with any port)
 * is refused with 421, so a page on another name re-pointed at 127.0.0.1 (DNS rebinding) cannot
 * read it. {@code GET} and {@code HEAD} only: nothing here changes the demo. The page, its script
 * and its style come from the classpath; nothing is fetched from elsewhere.
 */
final class DemoPage implements AutoCloseable {
  private static final String RESOURCES = "/dev/chorus/demo/page/";
  /** The loopback names, with an optional port: the stream endpoint's rule for a loopback bind. */
  private static final Pattern LOOPBACK_HOST =
      Pattern.compile("(?i)(localhost|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]{1,5})?");
  private static final Map<String, String> PAGE_HEADERS = Map.of(
      "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
          + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      "X-Content-Type-Options", "nosniff",
      "X-Frame-Options", "DENY",
      "Referrer-Policy", "no-referrer",
      "Cache-Control", "no-store");

  private record Asset(byte[] body, String contentType) {}

  private static final Map<String, Asset> ASSETS = Map.of(
      "/", load("demo.html", "text/html; charset=utf-8"),
      "/demo.js", load("demo.js", "text/javascript; charset=utf-8"),
      "/demo.css", load("demo.css", "text/css; charset=utf-8"));

  private final HttpServer http;
  private final ExecutorService executor;
  private volatile byte[] state = "{\"phase\":\"starting\"}".getBytes(StandardCharsets.UTF_8);

  private DemoPage(HttpServer http, ExecutorService executor) {
    this.http = http;
    this.executor = executor;
  }

  /** Serves the page on 127.0.0.1:{@code port} (0: a free port). */
  static DemoPage start(int port) throws IOException {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
    } catch (IOException e) {
      throw new IOException("cannot serve the demo page on 127.0.0.1:" + port + ": " + e.getMessage()
          + " (choose another --page-port)", e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "chorus-demo-page");
      t.setDaemon(true);
      return t;
    });
    DemoPage page = new DemoPage(http, executor);
    http.createContext("/", page::handle);
    http.setExecutor(executor);
    http.start();
    return page;
  }

  /** The page's address. */
  URI url() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
  }

  /** What {@code /state.json} answers from now on. */
  void show(byte[] json) {
    state = json.clone();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      List<String> hosts = exchange.getRequestHeaders().get("Host");
      if (hosts == null || hosts.size() != 1 || !LOOPBACK_HOST.matcher(hosts.get(0)).matches()) {
        respond(exchange, 421, "text/plain; charset=utf-8",
            "Host not answered here: this page answers to localhost, 127.0.0.1 or [::1]\n".getBytes(
                StandardCharsets.UTF_8), Map.of());
        return;
      }
      String method = exchange.getRequestMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8),
            Map.of());
        return;
      }
      String path = exchange.getRequestURI().getPath();
      Asset asset = ASSETS.get(path);
      if (asset != null) {
        respond(exchange, 200, asset.contentType(), asset.body(), PAGE_HEADERS);
      } else if ("/state.json".equals(path)) {
        respond(exchange, 200, "application/json", state, Map.of("Cache-Control", "no-store",
            "X-Content-Type-Options", "nosniff"));
      } else {
        respond(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8), Map.of());
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body,
      Map<String, String> headers) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    headers.forEach(exchange.getResponseHeaders()::set);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static Asset load(String name, String contentType) {
    try (InputStream in = DemoPage.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCES + name + " (a broken build)");
      }
      return new Asset(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
