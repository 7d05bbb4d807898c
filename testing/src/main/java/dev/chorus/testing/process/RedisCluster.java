package dev.chorus.testing.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A small real Redis Cluster: three masters (no replicas) on free loopback ports, each a {@link
 * RedisServer} with its own directory and explicit cluster bus port, joined with {@code redis-cli
 * --cluster create}. Needs redis-server and redis-cli 7.0 or newer (Debian package redis-server).
 */
public final class RedisCluster implements AutoCloseable {
  /** The program that joins the servers, from the Debian package redis-server too. */
  public static final String CLI_PROGRAM = "redis-cli";
  public static final int MASTERS = 3;
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STATE_TIMEOUT = Duration.ofSeconds(30);

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /** Starts the masters with {@code server} (redis-server) and joins them with {@code cli} (redis-cli). */
  public static RedisCluster start(Path server, Path cli) throws IOException {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < MASTERS; i++) {
        nodes.add(RedisServer.start(server, List.of("--cluster-enabled", "yes",
            "--cluster-config-file", "$DIR/nodes.conf", "--cluster-node-timeout", "5000",
            "--cluster-port", Integer.toString(FreePorts.loopback()))));
      }
      List<String> cmd = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
      for (RedisServer n : nodes) {
        cmd.add("127.0.0.1:" + n.port());
      }
      cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process create = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] output = create.getInputStream().readAllBytes();
      if (!create.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || create.exitValue() != 0) {
        create.destroyForcibly();
        throw new IOException("redis-cli --cluster create failed: " + new String(output, StandardCharsets.UTF_8));
      }
      RedisCluster cluster = new RedisCluster(nodes);
      cluster.awaitState();
      return cluster;
    } catch (IOException | RuntimeException | Error e) {
      nodes.forEach(RedisServer::close);
      throw e;
    } catch (InterruptedException e) {
      nodes.forEach(RedisServer::close);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private void awaitState() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STATE_TIMEOUT.toNanos();
    for (RedisServer n : nodes) {
      while (!n.commandString("CLUSTER", "INFO").contains("cluster_state:ok")) {
        if (System.nanoTime() > deadline) {
          throw new IOException(n + " never reached cluster_state:ok: " + n.commandString("CLUSTER", "INFO"));
        }
        Thread.sleep(50);
      }
    }
  }

  /** The masters. */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. */
  public String uri() {
    return "redis-cluster://" + nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
  }

  /** FLUSHALL on every master. */
  public void flushAll() {
    nodes.forEach(RedisServer::flushAll);
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }

  @Override
  public String toString() {
    return "Redis Cluster " + uri();
  }
}
