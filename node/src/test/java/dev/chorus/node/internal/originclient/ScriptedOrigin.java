package dev.chorus.node.internal.originclient;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake HTTP origin on a loopback port whose answers follow a script: each request takes the next
 * {@link Step}, and once the script is used up, the fallback step. Objects are served from a map
 * of paths to bytes, honouring {@code Range: bytes=a-b}. Every request is recorded.
 */
final class ScriptedOrigin implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

  /** How to answer one request. */
  @FunctionalInterface
  interface Step {
    void answer(ScriptedOrigin origin, HttpExchange exchange) throws IOException;
  }

  /** A request as the server saw it. */
  record Request(String path, String query, String range) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, byte[]> objects;
  private final Queue<Step> script = new ConcurrentLinkedQueue<>();
  private final Step fallback;
  private final CountDownLatch released = new CountDownLatch(1);
  final List<Request> requests = new CopyOnWriteArrayList<>();

  /** Serves {@code objects} (path without leading slash to bytes) once the script is used up. */
  ScriptedOrigin(Map<String, byte[]> objects, Step... script) throws IOException {
    this(objects, ScriptedOrigin::serve, script);
  }

  /** Answers every request past the script with {@code fallback}. */
  static ScriptedOrigin withFallback(Map<String, byte[]> objects, Step fallback, Step... script)
      throws IOException {
    return new ScriptedOrigin(objects, fallback, script);
  }

  private ScriptedOrigin(Map<String, byte[]> objects, Step fallback, Step[] script) throws IOException {
    this.objects = Map.copyOf(objects);
    this.fallback = fallback;
    this.script.addAll(Arrays.asList(script));
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", ex -> {
      try (ex) {
        URI u = ex.getRequestURI();
        requests.add(new Request(u.getPath(), u.getRawQuery(), ex.getRequestHeaders().getFirst("Range")));
        Step step = this.script.poll();
        (step == null ? this.fallback : step).answer(this, ex);
      }
    });
    server.start();
  }

  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** Lets every stalled step go on. */
  void release() {
    released.countDown();
  }

  /** Stops the server; stalled steps are released first. */
  @Override
  public void close() {
    release();
    server.stop(0);
    threads.shutdownNow();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- steps ----

  /** Serves the object at the path, honouring Range (206), or 404. */
  static void serve(ScriptedOrigin o, HttpExchange ex) throws IOException {
    byte[] object = o.object(ex);
    if (object == null) {
      status(ex, 404);
      return;
    }
    o.serveRange(ex, object, object);
  }

  /** Answers {@code code} with a short text body. */
  static Step status(int code) {
    return (o, ex) -> status(ex, code);
  }

  /** Like {@link #serve} but every byte of the body is flipped: right length, wrong content. */
  static Step corrupt() {
    return (o, ex) -> {
      byte[] object = o.object(ex);
      byte[] wrong = object.clone();
      for (int i = 0; i < wrong.length; i++) {
        wrong[i] = (byte) ~wrong[i];
      }
      o.serveRange(ex, object, wrong);
    };
  }

  /** Serves {@code body} (with a 200) whatever the path. */
  static Step body(byte[] body) {
    return (o, ex) -> {
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
    };
  }

  /** Answers 200 with the whole object, ignoring Range. */
  static Step ignoreRange() {
    return (o, ex) -> {
      byte[] object = o.object(ex);
      ex.sendResponseHeaders(200, object.length);
      ex.getResponseBody().write(object);
    };
  }

  /** Answers 206 with the requested bytes but a Content-Range one byte off. */
  static Step wrongContentRange() {
    return (o, ex) -> {
      byte[] object = o.object(ex);
      long[] r = range(ex, object.length);
      ex.getResponseHeaders().set("Content-Range", "bytes " + (r[0] + 1) + "-" + (r[1] + 1) + "/" + object.length);
      ex.sendResponseHeaders(206, r[1] - r[0] + 1);
      ex.getResponseBody().write(object, (int) r[0], (int) (r[1] - r[0] + 1));
    };
  }

  /** Answers 206 with the right Content-Range but a longer body than asked for. */
  static Step tooLong() {
    return (o, ex) -> {
      byte[] object = o.object(ex);
      long[] r = range(ex, object.length);
      int len = (int) (r[1] - r[0] + 1);
      ex.getResponseHeaders().set("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + object.length);
      ex.sendResponseHeaders(206, 0); // chunked: the client only finds out by reading
      OutputStream out = ex.getResponseBody();
      out.write(object, (int) r[0], len); // the right bytes, then one too many
      out.flush();
      out.write(0);
    };
  }

  /** Sends nothing until {@link #release()}, then serves. */
  static Step stallBeforeHeaders() {
    return (o, ex) -> {
      o.awaitRelease();
      serve(o, ex);
    };
  }

  /**
   * Sends the headers and 1 KiB of the range, stalls until {@link #release()}, then writes the
   * rest; {@code writeFailed} learns whether that failed (the client closed the connection).
   */
  static Step stallBody(java.util.concurrent.CompletableFuture<Boolean> writeFailed) {
    return (o, ex) -> {
      byte[] object = o.object(ex);
      long[] r = range(ex, object.length);
      int len = (int) (r[1] - r[0] + 1);
      ex.getResponseHeaders().set("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + object.length);
      ex.sendResponseHeaders(206, len);
      OutputStream out = ex.getResponseBody();
      out.write(object, (int) r[0], 1024);
      out.flush();
      o.awaitRelease();
      try {
        for (int off = 1024; off < len; off += 4096) {
          out.write(object, (int) r[0] + off, Math.min(4096, len - off));
          out.flush();
        }
        writeFailed.complete(false);
      } catch (IOException e) {
        writeFailed.complete(true);
        throw e;
      }
    };
  }

  // ---- helpers ----

  private byte[] object(HttpExchange ex) {
    return objects.get(ex.getRequestURI().getPath().substring(1));
  }

  private void serveRange(HttpExchange ex, byte[] object, byte[] content) throws IOException {
    String rangeHeader = ex.getRequestHeaders().getFirst("Range");
    if (rangeHeader == null) {
      ex.sendResponseHeaders(200, content.length);
      ex.getResponseBody().write(content);
      return;
    }
    long[] r = range(ex, object.length);
    int len = (int) (r[1] - r[0] + 1);
    ex.getResponseHeaders().set("Content-Range", "bytes " + r[0] + "-" + r[1] + "/" + object.length);
    ex.sendResponseHeaders(206, len);
    ex.getResponseBody().write(content, (int) r[0], len);
  }

  private static long[] range(HttpExchange ex, long size) {
    Matcher m = RANGE.matcher(String.valueOf(ex.getRequestHeaders().getFirst("Range")));
    if (!m.matches()) {
      throw new AssertionError("expected a Range header, got " + ex.getRequestHeaders().getFirst("Range"));
    }
    return new long[] {Long.parseLong(m.group(1)), Math.min(Long.parseLong(m.group(2)), size - 1)};
  }

  private static void status(HttpExchange ex, int code) throws IOException {
    byte[] body = ("status " + code + "\n").getBytes(StandardCharsets.US_ASCII);
    ex.sendResponseHeaders(code, body.length);
    ex.getResponseBody().write(body);
  }

  private void awaitRelease() {
    try {
      released.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
