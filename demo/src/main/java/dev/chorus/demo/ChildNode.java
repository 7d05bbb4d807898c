package dev.chorus.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node in a child JVM ({@code chorus node}, {@code dev.chorus.node.internal.cli.NodeCommand}) on
 * fixed ports and a cache directory of its own, so that it can be killed with SIGKILL, frozen with
 * SIGSTOP and started again on the same cache and identity. Its counters are read from its
 * {@code /metrics}; a kill loses what it counted since the last {@link #scrape()}.
 */
final class ChildNode implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern SAMPLE = Pattern.compile(
      "^(chorus_node_bytes_(?:played|received)_bytes_total|chorus_node_stutters_total)\\{([^}]*)} ([0-9.eE+]+)$");

  final int number;
  final Path cacheDir;
  final int streamPort;
  private final List<String> command;
  private final Path logFile;
  private final int metricsPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  /**
   * Incremented by every kill and every restart: a play that saw it change overlapped the soak's
   * doing (a connection the dying JVM had accepted, one made while it came up), not the node's.
   */
  private final AtomicInteger lifecycle = new AtomicInteger();
  private volatile boolean down = true;
  /** Counters of earlier incarnations, and the last scrape of the current one. */
  private final Map<String, Double> earlier = new java.util.HashMap<>();
  private Map<String, Double> current = Map.of();

  ChildNode(int number, Path dir, String classpath, List<String> nodeArgs, int streamPort, int metricsPort,
      int listenPort) throws IOException {
    this.number = number;
    this.cacheDir = Files.createDirectories(dir.resolve("cache"));
    this.streamPort = streamPort;
    this.metricsPort = metricsPort;
    this.logFile = dir.resolve("node.log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", classpath, "dev.chorus.node.internal.cli.NodeCommand",
        "--cache-dir", cacheDir.toString(), "--key", dir.resolve("node.key").toString(), "--bind", "127.0.0.1",
        "--listen-port", String.valueOf(listenPort), "--stream-port", String.valueOf(streamPort),
        "--metrics-port", String.valueOf(metricsPort)));
    cmd.addAll(nodeArgs);
    this.command = List.copyOf(cmd);
  }

  /** Starts the node and waits until its stream endpoint answers. */
  synchronized void start() throws IOException, InterruptedException {
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("child node " + number + " exited with " + process.exitValue() + ": " + logTail());
      }
      if (healthy()) {
        down = false;
        lifecycle.incrementAndGet();
        return;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    process.destroyForcibly();
    throw new IOException("child node " + number + " did not start within " + START_TIMEOUT + ": " + logTail());
  }

  /** SIGKILL, and waits for the process to be gone. */
  synchronized void kill() throws InterruptedException {
    lifecycle.incrementAndGet();
    down = true;
    scrapeInto(earlier); // what the last scrape saw is all that survives
    current = Map.of();
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGSTOP (true) or SIGCONT (false): the node freezes with its connections open. */
  void freeze(boolean stop) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", String.valueOf(process.pid())).start();
    if (p.waitFor() != 0) {
      throw new IOException("kill " + (stop ? "-STOP" : "-CONT") + " " + process.pid() + " failed");
    }
  }

  /** Kills and restarts so far (see {@link #lifecycle}). */
  int lifecycleChanges() {
    return lifecycle.get();
  }

  boolean isDown() {
    return down;
  }

  /** Reads the node's counters from its /metrics (kept until the next kill). */
  void scrape() {
    if (down) {
      return;
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
          + "/metrics")).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      Map<String, Double> values = new java.util.HashMap<>();
      for (String line : r.body().split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (m.matches()) {
          String source = m.group(2).replaceAll(".*source=\"([a-z]+)\".*", "$1");
          String key = m.group(1) + (m.group(2).contains("source=") ? ":" + source : "");
          values.merge(key, Double.parseDouble(m.group(3)), Double::sum);
        }
      }
      synchronized (this) {
        if (!down) {
          current = values;
        }
      }
    } catch (IOException e) {
      // frozen or just killed: the last scrape stands
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A counter summed over this node's incarnations, as far as scraped. */
  synchronized long counter(String key) {
    return Math.round(earlier.getOrDefault(key, 0.0) + current.getOrDefault(key, 0.0));
  }

  private void scrapeInto(Map<String, Double> into) {
    current.forEach((k, v) -> into.merge(k, v, Double::sum));
  }

  private boolean healthy() {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
          + "/healthz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String logTail() {
    try (InputStream in = Files.newInputStream(logFile)) {
      byte[] all = in.readAllBytes();
      int from = Math.max(0, all.length - 3000);
      return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGKILL if still running (the soak ends every child that way, then checks its cache). */
  @Override
  public synchronized void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    down = true;
  }
}
