package dev.chorus.testing.process;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} (Debian package redis-server) for tests and the tracker-redis
 * benchmark: on a free loopback port with a temporary directory and no persistence, stopped by
 * {@link #close} and killed when the JVM exits. Also a minimal RESP client for its own commands
 * (PING, FLUSHALL, INFO, CONFIG…), so that it does not depend on the code under test.
 *
 * <p>Tests start it through {@link dev.chorus.testing.TestServers#redis()}, which skips the test
 * (or fails it, with CI=true) when redis-server is not installed.
 */
public final class RedisServer implements AutoCloseable {
  /** The program and the Debian package it comes in. */
  public static final String PROGRAM = "redis-server";
  public static final String DEBIAN_PACKAGE = "redis-server";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final ServerProcess process;
  private final int port;

  private RedisServer(ServerProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** A standalone server run by {@code program} (the path of redis-server). */
  public static RedisServer start(Path program) throws IOException {
    return start(program, List.of());
  }

  /**
   * A server with extra configuration arguments ({@code --name value} pairs), in which {@code
   * $PORT} stands for its port and {@code $DIR} for its directory.
   */
  public static RedisServer start(Path program, List<String> extraArgs) throws IOException {
    return ServerProcess.onFreePort(port -> {
      Path dir = Files.createTempDirectory("chorus-redis-" + port + "-");
      List<String> cmd = new ArrayList<>(List.of(program.toString(),
          "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
          "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString(), "--daemonize", "no"));
      for (String a : extraArgs) {
        cmd.add(a.replace("$PORT", Integer.toString(port)).replace("$DIR", dir.toString()));
      }
      return new RedisServer(ServerProcess.start(PROGRAM + " :" + port, dir, cmd, STOP_GRACE, START_TIMEOUT,
          () -> answersPing(port), "redis.log"), port);
    });
  }

  private static boolean answersPing(int port) {
    try {
      return "PONG".equals(text(command(port, "PING")));
    } catch (UncheckedIOException e) {
      return false; // not listening yet
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:port}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Its directory ({@code --dir}). */
  public Path dir() {
    return process.dir();
  }

  public long pid() {
    return process.pid();
  }

  /** The tail of its output and log, for failure messages. */
  public String log() {
    return process.log();
  }

  /**
   * Sends one command on a connection of its own and returns the reply: String (status), Long,
   * byte[] (bulk), List, or null.
   *
   * @throws UncheckedIOException if it cannot be reached or answers with an error
   */
  public Object command(String... args) {
    return command(port, args);
  }

  /** {@link #command(String...)} with arguments as bytes (binary key names). */
  public Object command(byte[]... args) {
    return command(port, args);
  }

  /** {@link #command} for a reply that is a status, integer or bulk string. */
  public String commandString(String... args) {
    return text(command(args));
  }

  /**
   * One field of INFO, e.g. {@code info("memory", "used_memory")}.
   *
   * @throws IllegalStateException if the section has no such field
   */
  public String info(String section, String field) {
    for (String line : commandString("INFO", section).split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    throw new IllegalStateException("INFO " + section + " of " + this + " has no " + field);
  }

  /** FLUSHALL SYNC. */
  public void flushAll() {
    String r = commandString("FLUSHALL", "SYNC");
    if (!r.equals("OK")) {
      throw new IllegalStateException("FLUSHALL on :" + port + " answered " + r);
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and deletes its directory. Idempotent. */
  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return process.toString();
  }

  private static String text(Object reply) {
    return reply instanceof byte[] ? new String((byte[]) reply, StandardCharsets.UTF_8) : String.valueOf(reply);
  }

  private static Object command(int port, String... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return command(port, bytes);
  }

  private static Object command(int port, byte[]... args) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (byte[] b : args) {
        req.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        req.writeBytes(b);
        req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write(req.toByteArray());
      out.flush();
      return readReply(new BufferedInputStream(s.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException("redis :" + port + " " + new String(args[0], StandardCharsets.UTF_8)
          + (args.length > 1 ? " " + new String(args[1], StandardCharsets.ISO_8859_1) + (args.length > 2 ? " ..." : "") : ""), e);
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
}
