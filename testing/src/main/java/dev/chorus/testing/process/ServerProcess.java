package dev.chorus.testing.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A server program started by a test or a benchmark: it runs in a temporary directory of its own
 * (configuration, logs, data), its output goes to {@code stdout.log} there, {@link #close} stops
 * it and deletes the directory, and a shutdown hook kills it if the JVM exits first.
 */
public final class ServerProcess implements AutoCloseable {
  /** Attempts of {@link #onFreePort}. */
  static final int PORT_ATTEMPTS = 3;
  private static final int LOG_TAIL_CHARS = 4000;

  private final String name;
  private final Process process;
  private final Path dir;
  private final Duration stopGrace;
  private final List<String> logFiles;
  private final Thread killer;

  private ServerProcess(String name, Process process, Path dir, Duration stopGrace, List<String> logFiles) {
    this.name = name;
    this.process = process;
    this.dir = dir;
    this.stopGrace = stopGrace;
    this.logFiles = logFiles;
    this.killer = new Thread(this::kill, "kill " + name);
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /** Starts a server on {@code port}; see {@link #onFreePort}. */
  @FunctionalInterface
  public interface OnPort<T> {
    T start(int port) throws IOException;
  }

  /**
   * {@code start} with a free loopback port, up to three times: another process can take the port
   * between its being found free and the server binding it, and then the server exits. The last
   * failure is thrown.
   */
  public static <T> T onFreePort(OnPort<T> start) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      try {
        return start.start(FreePorts.loopback());
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  /**
   * Starts {@code command} in {@code dir} (a fresh directory this process then owns and deletes)
   * and waits until {@code ready} is true.
   *
   * @param name for messages and thread names, e.g. {@code redis-server :6379}
   * @param stopGrace how long {@link #close} waits after SIGTERM before it kills
   * @param startTimeout how long the server has to become ready
   * @param ready polled every 10 ms until true; must not throw
   * @param logFiles files in {@code dir} the server writes, whose tail {@link #log} shows besides
   *     {@code stdout.log}
   * @throws IOException if the server exits or is not ready in time (the message has the tail of
   *     its logs); it is then stopped and its directory deleted
   */
  public static ServerProcess start(String name, Path dir, List<String> command, Duration stopGrace,
      Duration startTimeout, BooleanSupplier ready, String... logFiles) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    } catch (IOException e) {
      deleteTree(dir);
      throw e;
    }
    ServerProcess server = new ServerProcess(name, p, dir, stopGrace,
        Stream.concat(Stream.of("stdout.log"), Stream.of(logFiles)).toList());
    try {
      server.awaitReady(startTimeout, ready);
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private void awaitReady(Duration timeout, BooleanSupplier ready) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with " + process.exitValue() + ": " + log());
      }
      if (ready.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(name + " was not ready within " + timeout + ": " + log());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting " + name, e);
      }
    }
  }

  /** Its directory. */
  public Path dir() {
    return dir;
  }

  public long pid() {
    return process.pid();
  }

  /** The tail of what it wrote to its output and log files, for failure messages. */
  public String log() {
    StringBuilder b = new StringBuilder();
    for (String f : logFiles) {
      try {
        b.append(Files.readString(dir.resolve(f)));
      } catch (IOException e) {
        // not written (yet)
      }
    }
    return b.length() > LOG_TAIL_CHARS ? b.substring(b.length() - LOG_TAIL_CHARS) : b.toString();
  }

  /**
   * Stops it (SIGTERM; after the stop grace SIGKILL to it and to the processes it had started,
   * such as nginx's workers) and deletes its directory. Idempotent.
   */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      children.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // the JVM is exiting; the hook kills it
    }
    deleteTree(dir);
  }

  /** The shutdown hook: no waiting, the JVM is going. */
  private void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
