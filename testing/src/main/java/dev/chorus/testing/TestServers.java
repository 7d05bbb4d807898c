package dev.chorus.testing;

import dev.chorus.testing.process.NginxServer;
import dev.chorus.testing.process.RedisCluster;
import dev.chorus.testing.process.RedisServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Real servers for tests, each on a free loopback port in a temporary directory of its own; the
 * test is skipped (or fails, with CI=true) when the program is not installed ({@link ExternalTool}).
 */
public final class TestServers {
  private TestServers() {}

  /** A standalone redis-server. */
  public static RedisServer redis() throws IOException {
    return redis(List.of());
  }

  /** A redis-server with extra configuration arguments; see {@link RedisServer#start(Path, List)}. */
  public static RedisServer redis(List<String> extraArgs) throws IOException {
    return RedisServer.start(ExternalTool.require(RedisServer.PROGRAM, RedisServer.DEBIAN_PACKAGE), extraArgs);
  }

  /** A Redis Cluster of three masters. */
  public static RedisCluster redisCluster() throws IOException {
    Path cli = ExternalTool.require(RedisCluster.CLI_PROGRAM, RedisServer.DEBIAN_PACKAGE);
    return RedisCluster.start(ExternalTool.require(RedisServer.PROGRAM, RedisServer.DEBIAN_PACKAGE), cli);
  }

  /** nginx serving {@code root}, an existing directory. */
  public static NginxServer nginx(Path root) throws IOException {
    return NginxServer.start(ExternalTool.require(NginxServer.PROGRAM, NginxServer.DEBIAN_PACKAGE), root);
  }
}
