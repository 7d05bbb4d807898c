package dev.chorus.tracker.index.redis;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian package redis-server) for tests: started on a free loopback
 * port with a temporary directory, no persistence, stopped by {@link #close} and killed when the
 * JVM exits. Also a minimal RESP client for the fixture's own commands (PING, FLUSHALL, INFO…), so
 * the fixture does not depend on the code under test.
 *
 * <p>When redis-server is not installed the test is skipped with a message saying what to install
 * — or fails, when the environment variable CI is {@code true}.
 */
public final class RedisProcess implements AutoCloseable {
  static final String INSTALL_HINT = "apt-get install redis-server";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final Path dir;
  private final int port;
  private final Thread killer;

  private RedisProcess(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.killer = new Thread(process::destroyForcibly, "kill redis-server :" + port);
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /** A standalone server. */
  public static RedisProcess start() throws IOException {
    return start(List.of());
  }

  /** A server with extra configuration arguments ({@code --name value} pairs). */
  static RedisProcess start(List<String> extraArgs) throws IOException {
    Path server = requireTool("redis-server");
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken before redis binds it
      int port = freePort();
      Path dir = Files.createTempDirectory("chorus-redis-" + port + "-");
      List<String> cmd = new ArrayList<>(List.of(server.toString(),
          "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
          "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString(), "--daemonize", "no"));
      for (String a : extraArgs) {
        cmd.add(a.replace("$PORT", Integer.toString(port)).replace("$DIR", dir.toString()));
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile()).start();
      RedisProcess r = new RedisProcess(p, dir, port);
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

  /**
   * The path of {@code tool} on PATH (or in /usr/bin, /usr/sbin, /usr/local/bin). If it is
   * missing, skips the test — or fails it when CI=true.
   */
  static Path requireTool(String tool) {
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        if (!d.isEmpty()) {
          dirs.add(Path.of(d));
        }
      }
    }
    dirs.addAll(List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"), Path.of("/usr/local/bin")));
    for (Path d : dirs) {
      Path p = d.resolve(tool);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    String message = tool + " is not installed, so the Redis tests cannot run: " + INSTALL_HINT;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message + " (CI=true: a missing tool is a failure)");
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:port}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  Path dir() {
    return dir;
  }

  /** Sends one command and returns the reply: String, Long, byte[] (bulk), List, or null. */
  public Object command(String... args) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String a : args) {
        byte[] b = a.getBytes(StandardCharsets.UTF_8);
        req.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        req.writeBytes(b);
        req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write(req.toByteArray());
      out.flush();
      return readReply(new BufferedInputStream(s.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException("redis :" + port + " " + String.join(" ", args), e);
    }
  }

  /** {@link #command} for a reply that is a status or bulk string. */
  public String commandString(String... args) {
    Object r = command(args);
    return r instanceof byte[] ? new String((byte[]) r, StandardCharsets.UTF_8) : String.valueOf(r);
  }

  /** One field of INFO, e.g. {@code info("memory", "used_memory")}. */
  public String info(String section, String field) {
    for (String line : commandString("INFO", section).split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    throw new AssertionError("INFO " + section + " has no " + field);
  }

  public void flushAll() {
    String r = commandString("FLUSHALL", "SYNC");
    if (!r.equals("OK")) {
      throw new AssertionError("FLUSHALL on :" + port + " answered " + r);
    }
  }

  private static Object readReply(InputStream in) throws IOException {
    int type = in.read();
    String line = readLine(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IOException("redis error: " + line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] b = in.readNBytes(n);
        readLine(in);
        return b;
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(readReply(in));
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP type " + type);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("connection closed mid-reply");
      }
      b.write(c);
    }
    in.read(); // \n
    return b.toString(StandardCharsets.UTF_8);
  }

  private void awaitPing() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("redis-server on port " + port + " exited with " + process.exitValue() + ": " + log());
      }
      try {
        if ("PONG".equals(commandString("PING"))) {
          return;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("redis-server on port " + port + " did not answer PING within " + START_TIMEOUT + ": " + log());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  String log() {
    StringBuilder b = new StringBuilder();
    for (String f : List.of("stdout.log", "redis.log")) {
      try {
        b.append(Files.readString(dir.resolve(f)));
      } catch (IOException e) {
        // not written
      }
    }
    return b.length() > 4000 ? b.substring(b.length() - 4000) : b.toString();
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and deletes its directory. Idempotent. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // the JVM is already exiting; the hook kills it
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort: it is a temp dir
    }
  }

  @Override
  public String toString() {
    return "redis-server :" + port;
  }
}
