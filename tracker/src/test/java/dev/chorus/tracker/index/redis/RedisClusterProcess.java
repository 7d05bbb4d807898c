package dev.chorus.tracker.index.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A small real Redis Cluster for tests: three masters (no replicas) on free loopback ports, each
 * with its own temporary directory and explicit cluster bus port, joined with {@code redis-cli
 * --cluster create}. Needs redis-server and redis-cli 7.0 or newer (Debian package redis-server);
 * skips or fails like {@link RedisProcess} when they are missing.
 */
public final class RedisClusterProcess implements AutoCloseable {
  static final int MASTERS = 3;
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STATE_TIMEOUT = Duration.ofSeconds(30);

  private final List<RedisProcess> nodes;

  private RedisClusterProcess(List<RedisProcess> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  public static RedisClusterProcess start() throws IOException {
    Path cli = RedisProcess.requireTool("redis-cli");
    RedisProcess.requireTool("redis-server");
    List<RedisProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < MASTERS; i++) {
        nodes.add(RedisProcess.start(List.of("--cluster-enabled", "yes",
            "--cluster-config-file", "$DIR/nodes.conf", "--cluster-node-timeout", "5000",
            "--cluster-port", Integer.toString(RedisProcess.freePort()))));
      }
      List<String> cmd = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
      for (RedisProcess n : nodes) {
        cmd.add("127.0.0.1:" + n.port());
      }
      cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process create = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] output = create.getInputStream().readAllBytes();
      if (!create.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || create.exitValue() != 0) {
        create.destroyForcibly();
        throw new IOException("redis-cli --cluster create failed: " + new String(output, StandardCharsets.UTF_8));
      }
      RedisClusterProcess cluster = new RedisClusterProcess(nodes);
      cluster.awaitState();
      return cluster;
    } catch (IOException | RuntimeException | Error e) {
      nodes.forEach(RedisProcess::close);
      throw e;
    } catch (InterruptedException e) {
      nodes.forEach(RedisProcess::close);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private void awaitState() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STATE_TIMEOUT.toNanos();
    for (RedisProcess n : nodes) {
      while (!n.commandString("CLUSTER", "INFO").contains("cluster_state:ok")) {
        if (System.nanoTime() > deadline) {
          throw new IOException(n + " never reached cluster_state:ok: " + n.commandString("CLUSTER", "INFO"));
        }
        Thread.sleep(50);
      }
    }
  }

  /** The masters. */
  public List<RedisProcess> nodes() {
    return nodes;
  }

  /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. */
  public String uri() {
    return "redis-cluster://" + nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
  }

  /** FLUSHALL on every master. */
  public void flushAll() {
    nodes.forEach(RedisProcess::flushAll);
  }

  @Override
  public void close() {
    nodes.forEach(RedisProcess::close);
  }

  @Override
  public String toString() {
    return "Redis Cluster " + uri();
  }
}
