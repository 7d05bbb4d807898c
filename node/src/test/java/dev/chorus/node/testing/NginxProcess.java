package dev.chorus.node.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx (Debian package nginx) serving a directory over HTTP/1.1 on a free loopback port,
 * for tests of HTTP origin clients. Everything nginx writes (pid, logs, temp files, config) lives
 * in its own temporary directory; {@link #close()} stops it and deletes that directory, and a
 * shutdown hook stops it if the JVM exits first.
 *
 * <p>The access log has one line per request in the format {@code $connection
 * $connection_requests $status $request_method $request_uri "$http_range" $body_bytes_sent}, so
 * tests can see how requests were spread over connections. Keep-alive is on (up to 10,000 requests
 * per connection). When nginx is missing the test is skipped with a message saying what to
 * install, or fails when the environment variable CI is {@code true}.
 */
public final class NginxProcess implements AutoCloseable {
  /** Where Debian installs nginx, and how. */
  public static final String PROGRAM = "nginx";
  public static final String DEBIAN_PACKAGE = "nginx";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final Path dir;
  private final int port;
  private final Thread killer;

  private NginxProcess(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.killer = new Thread(this::stop, "stop nginx :" + port);
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /** Starts nginx serving {@code root} (an existing directory) on a free loopback port. */
  public static NginxProcess start(Path root) throws IOException {
    Path nginx = ExternalTool.require(PROGRAM, DEBIAN_PACKAGE);
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("not a directory: " + root);
    }
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // the free port may be taken before nginx binds it
      int port = freePort();
      Path dir = Files.createTempDirectory("chorus-nginx-" + port + "-");
      Files.writeString(dir.resolve("nginx.conf"), config(dir, root.toAbsolutePath(), port, isRoot(dir)));
      // -e: the error log from the very start (before the config is read nginx would open
      // /var/log/nginx/error.log, which a non-root user cannot).
      Process p = new ProcessBuilder(nginx.toString(), "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
          "-e", dir.resolve("error.log").toString(), "-g", "daemon off;")
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      NginxProcess n = new NginxProcess(p, dir, port);
      try {
        n.awaitListening();
        return n;
      } catch (IOException e) {
        last = e;
        n.close();
      }
    }
    throw last;
  }

  /** A loopback port nothing listens on right now (nor, very likely, soon: for refused connections). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>/}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** The access log's lines so far (see the class comment for the format). */
  public List<String> accessLog() {
    try {
      return Files.readAllLines(dir.resolve("access.log"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tail of nginx's error log and output, for failure messages. */
  public String log() {
    StringBuilder b = new StringBuilder();
    for (String f : List.of("stdout.log", "error.log")) {
      try {
        b.append(Files.readString(dir.resolve(f)));
      } catch (IOException e) {
        // not written yet
      }
    }
    return b.length() > 4000 ? b.substring(b.length() - 4000) : b.toString();
  }

  /** Stops nginx (SIGTERM, then SIGKILL of it and its workers) and deletes its directory. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // the JVM is exiting; the hook stops it
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }

  @Override
  public String toString() {
    return "nginx :" + port;
  }

  private static String config(Path dir, Path root, int port, boolean runningAsRoot) {
    // As root, nginx's workers would switch to "nobody", which cannot enter the private temp dirs.
    String user = runningAsRoot ? "user root;\n" : "";
    return user
        + "worker_processes 1;\n"
        + "pid " + dir.resolve("nginx.pid") + ";\n"
        + "error_log " + dir.resolve("error.log") + " info;\n"
        + "events { worker_connections 256; }\n"
        + "http {\n"
        + "  log_format chorus '$connection $connection_requests $status $request_method $request_uri"
        + " \"$http_range\" $body_bytes_sent';\n"
        + "  access_log " + dir.resolve("access.log") + " chorus;\n"
        + "  client_body_temp_path " + dir.resolve("client_body") + ";\n"
        + "  proxy_temp_path " + dir.resolve("proxy") + ";\n"
        + "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
        + "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
        + "  scgi_temp_path " + dir.resolve("scgi") + ";\n"
        + "  default_type application/octet-stream;\n"
        + "  sendfile on;\n"
        + "  keepalive_timeout 60s;\n"
        + "  keepalive_requests 10000;\n"
        + "  server {\n"
        + "    listen 127.0.0.1:" + port + ";\n"
        + "    server_name localhost;\n"
        + "    root " + root + ";\n"
        + "    location / { }\n"
        + "  }\n"
        + "}\n";
  }

  /** Whether this JVM runs as root: the owner of a directory it just created. */
  private static boolean isRoot(Path justCreated) throws IOException {
    return ((Number) Files.getAttribute(justCreated, "unix:uid")).intValue() == 0;
  }

  /**
   * Waits for the pid file (nginx writes it after binding its port, so a port taken by someone
   * else makes nginx exit instead) and then for the port to accept a connection.
   */
  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("nginx on port " + port + " exited with " + process.exitValue() + ": " + log());
      }
      if (Files.exists(dir.resolve("nginx.pid")) && accepts()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("nginx on port " + port + " did not start within " + START_TIMEOUT + ": " + log());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGTERM (nginx's fast shutdown stops the workers); SIGKILL everything after 5 s. */
  private void stop() {
    List<ProcessHandle> workers = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        workers.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      workers.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
