package dev.chorus.testing;

import dev.chorus.testing.process.RedisCluster;
import dev.chorus.testing.process.RedisServer;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real redis-server, or a three-master Redis Cluster, for a test class: started before its
 * first test (skipped, or failed with CI=true, when redis-server is not installed: {@link
 * ExternalTool}), emptied with FLUSHALL before each test, stopped after the last. Register it on a
 * static field:
 *
 * <pre>{@code @RegisterExtension static final RedisFixture redis = RedisFixture.server();}</pre>
 */
public final class RedisFixture implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  private final boolean cluster;
  private RedisServer server;
  private RedisCluster servers;

  private RedisFixture(boolean cluster) {
    this.cluster = cluster;
  }

  /** A standalone redis-server. */
  public static RedisFixture server() {
    return new RedisFixture(false);
  }

  /** A Redis Cluster of three masters. */
  public static RedisFixture cluster() {
    return new RedisFixture(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (cluster) {
      servers = TestServers.redisCluster();
    } else {
      server = TestServers.redis();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (cluster) {
      servers.flushAll();
    } else {
      server.flushAll();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (servers != null) {
      servers.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The URI to connect to: {@code redis://…} or {@code redis-cluster://…}. */
  public String uri() {
    return cluster ? servers.uri() : server.uri();
  }

  /** The servers: the one, or the cluster's masters. */
  public List<RedisServer> servers() {
    return cluster ? servers.nodes() : List.of(server);
  }
}
