package dev.chorus.bench.tracker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} for the benchmark: started on a free loopback port in a temporary
 * directory without persistence, stopped (and its directory removed) by {@link #close}, killed if
 * the JVM exits first. A few commands of its own (PING, INFO) over a minimal RESP client.
 */
final class RedisServer implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final int port;
  private final Thread killer;

  private RedisServer(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.killer = new Thread(process::destroyForcibly, "kill redis-server");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  static RedisServer start() throws IOException, InterruptedException {
    Path server = find("redis-server");
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // the free port may be taken before redis binds it
      int port = freePort();
      Path dir = Files.createTempDirectory("chorus-bench-redis-");
      Process p = new ProcessBuilder(server.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
      RedisServer r = new RedisServer(p, dir, port);
      try {
        r.awaitPing();
        return r;
      } catch (IOException e) {
        last = e;
        r.close();
      }
    }
    throw last;
  }

  private static Path find(String tool) {
    for (String d : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        Path p = Path.of(d, tool);
        if (!d.isEmpty() && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException(tool + " is not installed; the tracker-redis benchmark needs it: apt-get install redis-server");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  private void awaitPing() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try {
        if ("PONG".equals(command("PING"))) {
          return;
        }
      } catch (IOException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IOException("redis-server did not start on port " + port + " (see " + dir.resolve("redis.log") + ")", e);
        }
      }
      Thread.sleep(50);
    }
  }

  long pid() {
    return process.pid();
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** A field of {@code INFO section}, e.g. info("memory", "used_memory"), or null. */
  String info(String section, String field) throws IOException {
    for (String line : command("INFO", section).split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  /** Sends one command, returns a simple, integer or bulk reply as text. */
  String command(String... args) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = new BufferedInputStream(s.getInputStream());
      int type = in.read();
      String line = readLine(in);
      switch (type) {
        case '+':
        case ':':
          return line;
        case '-':
          throw new IOException("redis: " + line);
        case '$':
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          byte[] body = in.readNBytes(n);
          return new String(body, StandardCharsets.UTF_8);
        default:
          throw new IOException("unexpected RESP reply type " + type);
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\r') {
      line.write(c);
    }
    in.read(); // \n
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs anyway
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
