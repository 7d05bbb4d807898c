package dev.chorus.testing.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real nginx (Debian package nginx) serving a directory over HTTP/1.1 on a free loopback port,
 * for tests of HTTP origin clients. Everything nginx writes (pid, logs, temp files, config) lives
 * in its own temporary directory; {@link #close()} stops it and deletes that directory, and a
 * shutdown hook kills it if the JVM exits first.
 *
 * <p>The access log has one line per request in the format {@code $connection
 * $connection_requests $status $request_method $request_uri "$http_range" $body_bytes_sent}, so
 * tests can see how requests were spread over connections. Keep-alive is on (up to 10,000 requests
 * per connection). Tests start it through {@link dev.chorus.testing.TestServers#nginx}, which
 * skips the test (or fails it, with CI=true) when nginx is not installed.
 */
public final class NginxServer implements AutoCloseable {
  /** The program and the Debian package it comes in. */
  public static final String PROGRAM = "nginx";
  public static final String DEBIAN_PACKAGE = "nginx";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private final ServerProcess process;
  private final int port;

  private NginxServer(ServerProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts {@code program} (the path of nginx) serving {@code root}, an existing directory. */
  public static NginxServer start(Path program, Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("not a directory: " + root);
    }
    return ServerProcess.onFreePort(port -> start(program, root, port));
  }

  /**
   * Starts {@code program} serving {@code root} on {@code port} (for a restart on the port an
   * earlier instance used); fails if the port is taken.
   */
  public static NginxServer start(Path program, Path root, int port) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("not a directory: " + root);
    }
    Path dir = Files.createTempDirectory("chorus-nginx-" + port + "-");
    Files.writeString(dir.resolve("nginx.conf"), config(dir, root.toAbsolutePath(), port, isRoot(dir)));
    // -e: the error log from the very start (before the config is read nginx would open
    // /var/log/nginx/error.log, which a non-root user cannot).
    List<String> cmd = List.of(program.toString(), "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(),
        "-e", dir.resolve("error.log").toString(), "-g", "daemon off;");
    // nginx writes its pid file after binding its port, so a port taken by someone else makes it
    // exit instead; then the port must accept a connection.
    return new NginxServer(ServerProcess.start(PROGRAM + " :" + port, dir, cmd, STOP_GRACE, START_TIMEOUT,
        () -> Files.exists(dir.resolve("nginx.pid")) && accepts(port), "error.log"), port);
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
      return Files.readAllLines(process.dir().resolve("access.log"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tail of nginx's output and error log, for failure messages. */
  public String log() {
    return process.log();
  }

  /** Stops nginx (SIGTERM, then SIGKILL of it and its workers after 5 s) and deletes its directory. */
  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return process.toString();
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

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
