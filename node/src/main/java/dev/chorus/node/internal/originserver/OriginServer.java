package dev.chorus.node.internal.originserver;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chorus.protocol.http.ByteRange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 file server for a published catalog, for local use and the demo (production
 * puts the catalog on S3 or behind a CDN). Built on the JDK's {@code com.sun.net.httpserver}.
 *
 * <ul>
 *   <li>{@code GET} and {@code HEAD} of {@code /<path>} serve {@code <root>/<path>}; other methods
 *       get 405. Keep-alive connections; files are streamed, never held in memory.
 *   <li>{@code Range}: one range, {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}, gets a
 *       206 with {@code Content-Range}; a range starting at or beyond the end gets a 416 with
 *       {@code Content-Range: bytes *}{@code /size}; no Range, or one that is not a single valid
 *       byte range (several ranges, junk), gets the whole file with 200. Every file answer has
 *       {@code Accept-Ranges: bytes} and {@code Content-Length}.
 *   <li>{@code Content-Type}: {@code audio/ogg} for {@code .ogg}, {@code .oga} and {@code .opus},
 *       {@code audio/mpeg}, {@code audio/flac}, {@code application/json}, else {@code
 *       application/octet-stream}. Audio objects and manifests are content-addressed, so they are
 *       sent as immutable for caches; {@code index.json} as {@code no-cache}.
 *   <li>Safety: percent-decoded path segments that are empty, {@code .}, {@code ..}, hidden
 *       ({@code .name}, e.g. a publisher's temporary file) or contain {@code /}, {@code \} or NUL
 *       are refused (400 for bad segments, 404 for hidden ones), and so is any file whose real
 *       path (symbolic links followed) is outside the root. Directories and missing files are 404.
 * </ul>
 *
 * <p>Usage: {@code try (OriginServer s = OriginServer.start(config)) { URI base = s.baseUri(); }}.
 * Thread-safe.
 */
public final class OriginServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OriginServer.class);
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final AtomicInteger SERVERS = new AtomicInteger();

  private final OriginServerConfig config;
  private final Path realRoot;
  private final HttpServer http;
  private final ExecutorService executor;
  private volatile boolean closed;

  private OriginServer(OriginServerConfig config, Path realRoot, HttpServer http, ExecutorService executor) {
    this.config = config;
    this.realRoot = realRoot;
    this.http = http;
    this.executor = executor;
  }

  /**
   * Starts serving {@code config.root()}.
   *
   * @throws IOException if the root is not a readable directory or the address cannot be bound
   *     (the message says which)
   */
  public static OriginServer start(OriginServerConfig config) throws IOException {
    Objects.requireNonNull(config, "config");
    Path root = config.root();
    if (!Files.isDirectory(root)) {
      throw new IOException("the catalog root " + root + " is not a directory"
          + (Files.exists(root) ? "" : " (it does not exist)"));
    }
    Path realRoot = root.toRealPath();
    InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
    if (address.isUnresolved()) {
      throw new IOException("cannot resolve the host " + config.host());
    }
    HttpServer http;
    try {
      http = HttpServer.create(address, 0);
    } catch (BindException e) {
      throw new IOException("cannot listen on " + config.host() + ":" + config.port() + ": "
          + e.getMessage() + (config.port() == 0 ? "" : " (is another server using the port?)"), e);
    }
    int n = SERVERS.incrementAndGet();
    AtomicInteger threadCount = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(config.threads(), config.threads(),
        30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "chorus-origin-" + n + "-" + threadCount.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    OriginServer server = new OriginServer(config, realRoot, http, executor);
    http.createContext("/", server::handle);
    http.setExecutor(executor);
    http.start();
    LOG.info("origin serving {} at {}", realRoot, server.baseUri());
    return server;
  }

  /** The port it listens on (the one chosen when the configuration said 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** The address it listens on. */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** {@code http://host:port/}, the base URL to give nodes ({@code NodeConfig.origin}). */
  public URI baseUri() {
    String host = config.host();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  public OriginServerConfig config() {
    return config;
  }

  /** Stops listening and closes connections; exchanges in flight are cut. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    http.stop(0);
    executor.shutdownNow();
    LOG.info("origin at port {} stopped", port());
  }

  @Override
  public String toString() {
    return "OriginServer[" + realRoot + " at " + (closed ? "closed" : baseUri()) + "]";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      boolean head = "HEAD".equals(method);
      if (!head && !"GET".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        sendError(exchange, 405, "method not allowed", false);
        return;
      }
      Path file;
      try {
        file = resolve(exchange.getRequestURI().getRawPath());
      } catch (BadPathException e) {
        sendError(exchange, 400, "bad path", head);
        return;
      }
      if (file == null) {
        sendError(exchange, 404, "not found", head);
        return;
      }
      serve(exchange, file, head);
    } catch (IOException e) {
      // Mostly a client that went away; the connection is closed.
      LOG.debug("origin: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e.toString());
    }
  }

  private void serve(HttpExchange exchange, Path file, boolean head) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      Headers h = exchange.getResponseHeaders();
      h.set("Accept-Ranges", "bytes");
      h.set("Content-Type", contentType(file));
      h.set("Cache-Control", cacheControl(file));
      ByteRange range = ByteRange.parse(exchange.getRequestHeaders().getFirst("Range"), size);
      if (range.kind() == ByteRange.Kind.UNSATISFIABLE) {
        h.set("Content-Range", range.contentRange());
        sendError(exchange, 416, null, head);
        return;
      }
      long first = range.first();
      long length = range.size();
      int status = 200;
      if (range.kind() == ByteRange.Kind.PARTIAL) {
        status = 206;
        h.set("Content-Range", range.contentRange());
      }
      log(exchange, status, length);
      if (head) {
        h.set("Content-Length", Long.toString(length));
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
      OutputStream out = exchange.getResponseBody();
      ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
      long position = first;
      long remaining = length;
      while (remaining > 0) {
        buf.clear().limit((int) Math.min(BUFFER_BYTES, remaining));
        int n = channel.read(buf, position);
        if (n < 0) {
          throw new IOException(file + " shrank while being sent");
        }
        out.write(buf.array(), 0, n);
        position += n;
        remaining -= n;
      }
      out.flush();
    } catch (java.nio.file.NoSuchFileException e) {
      sendError(exchange, 404, "not found", head);
    }
  }

  private static void sendError(HttpExchange exchange, int status, String text, boolean head) throws IOException {
    log(exchange, status, 0);
    if (text == null || head) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static void log(HttpExchange exchange, int status, long bytes) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} {} {} {}", exchange.getRemoteAddress(), exchange.getRequestMethod(),
          exchange.getRequestURI().getRawPath(), status, bytes);
    }
  }

  /** The regular file a request path names under the root, or null (404). */
  Path resolve(String rawPath) throws BadPathException {
    if (rawPath == null || !rawPath.startsWith("/")) {
      throw new BadPathException();
    }
    Path file = realRoot;
    String[] segments = rawPath.substring(1).split("/", -1);
    for (String raw : segments) {
      String segment = percentDecode(raw);
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
          || segment.indexOf('/') >= 0 || segment.indexOf('\\') >= 0 || segment.indexOf('\0') >= 0) {
        if (segments.length == 1 && segment.isEmpty()) {
          return null; // "/": no listing
        }
        throw new BadPathException();
      }
      if (segment.startsWith(".")) {
        return null;
      }
      file = file.resolve(segment);
    }
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      Path real = file.toRealPath();
      if (!real.startsWith(realRoot) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
      return real;
    } catch (IOException e) {
      return null;
    }
  }

  /** RFC 3986 percent-decoding of one path segment as UTF-8 ('+' is a plus). */
  static String percentDecode(String s) throws BadPathException {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteBuffer bytes = ByteBuffer.allocate(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new BadPathException();
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new BadPathException();
        }
        bytes.put((byte) (hi * 16 + lo));
        i += 2;
      } else if (c < 0x80) {
        bytes.put((byte) c);
      } else {
        throw new BadPathException(); // a raw path is ASCII
      }
    }
    bytes.flip();
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new BadPathException();
    }
  }

  static String contentType(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    switch (dot < 0 ? "" : name.substring(dot + 1)) {
      case "ogg":
      case "oga":
      case "opus":
        return "audio/ogg";
      case "mp3":
        return "audio/mpeg";
      case "flac":
        return "audio/flac";
      case "json":
        return "application/json";
      default:
        return "application/octet-stream";
    }
  }

  private String cacheControl(Path file) {
    Path relative = realRoot.relativize(file);
    String top = relative.getNameCount() > 1 ? relative.getName(0).toString() : "";
    return top.equals("audio") || top.equals("manifests")
        ? "public, max-age=31536000, immutable"
        : "no-cache";
  }

  /** A request path that cannot name a file under the root (400). */
  static final class BadPathException extends Exception {
    private static final long serialVersionUID = 1L;

    BadPathException() {
      super("bad path", null, false, false);
    }
  }
}
