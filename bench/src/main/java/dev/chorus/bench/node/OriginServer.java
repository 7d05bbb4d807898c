package dev.chorus.bench.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chorus.protocol.http.ByteRange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The catalog origin of the node benchmark: an in-process {@code com.sun.net.httpserver} on a
 * loopback port serving objects held in memory, with single-range {@code Range} requests
 * ({@link ByteRange}) answered 206 (what a CDN or nginx does). Only GET and HEAD; unknown paths
 * are 404, unsatisfiable ranges 416.
 */
final class OriginServer implements AutoCloseable {
  private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bodyBytes = new AtomicLong();
  /** Wall time in the handler up to the response headers sent: the origin's own work. */
  private final AtomicLong headerNanos = new AtomicLong();
  /** Wall time in the handler writing response bodies: the transfer, on loopback. */
  private final AtomicLong bodyNanos = new AtomicLong();

  private OriginServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts a server on 127.0.0.1 and a free port, with {@code threads} handler threads. */
  static OriginServer start(int threads) throws IOException {
    // Without it the JDK server writes headers and body as separate segments with Nagle on, and a
    // response can sit out a 40 ms delayed ACK: a CDN (nginx tcp_nodelay on) would not.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "bench-origin");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    OriginServer origin = new OriginServer(server, executor);
    server.createContext("/", origin::handle);
    server.start();
    return origin;
  }

  /** The base URL nodes are configured with. */
  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** Publishes an object under {@code key} (no leading slash). */
  void put(String key, byte[] content) {
    objects.put("/" + key, content);
  }

  long requests() {
    return requests.get();
  }

  long bodyBytes() {
    return bodyBytes.get();
  }

  long headerNanos() {
    return headerNanos.get();
  }

  long bodyNanos() {
    return bodyNanos.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    long entered = System.nanoTime();
    try (exchange) {
      requests.incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      String method = exchange.getRequestMethod();
      boolean head = method.equals("HEAD");
      if (!head && !method.equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] content = objects.get(exchange.getRequestURI().getPath());
      if (content == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      ByteRange range = ByteRange.parse(exchange.getRequestHeaders().getFirst("Range"), content.length);
      if (range.kind() == ByteRange.Kind.UNSATISFIABLE) {
        exchange.getResponseHeaders().set("Content-Range", range.contentRange());
        exchange.sendResponseHeaders(416, -1);
        return;
      }
      int from = (int) range.first();
      int length = (int) range.size();
      int status = 200;
      if (range.kind() == ByteRange.Kind.PARTIAL) {
        status = 206;
        exchange.getResponseHeaders().set("Content-Range", range.contentRange());
      }
      if (head) {
        exchange.getResponseHeaders().set("Content-Length", Integer.toString(length));
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      exchange.sendResponseHeaders(status, length);
      long headersSent = System.nanoTime();
      headerNanos.addAndGet(headersSent - entered);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(content, from, length);
      }
      bodyNanos.addAndGet(System.nanoTime() - headersSent);
      bodyBytes.addAndGet(length);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
