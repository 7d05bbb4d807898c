package dev.chorus.tracker.redis;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the index lives, parsed from a URI:
 *
 * <ul>
 *   <li>{@code redis://[[user]:password@]host[:port][/database][?timeout=5s]}, {@code rediss://…}
 *       (TLS) or {@code redis-socket:///path/to/socket}: one Redis server, in Lettuce's syntax;
 *   <li>{@code redis-cluster://[[user]:password@]host:port[,host:port…][?timeout=5s]} or {@code
 *       rediss-cluster://…} (TLS): a Redis Cluster, given by one or more seed nodes.
 * </ul>
 *
 * <p>Commands time out after 5 seconds unless the URI sets {@code timeout}.
 */
final class RedisTarget {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  final boolean cluster;
  final List<RedisURI> uris;
  /** The URI without its password, for logs and messages. */
  final String redacted;

  private RedisTarget(boolean cluster, List<RedisURI> uris, String redacted) {
    this.cluster = cluster;
    this.uris = List.copyOf(uris);
    this.redacted = redacted;
  }

  static RedisTarget parse(String uri) {
    int sep = uri.indexOf("://");
    String scheme = sep < 0 ? "" : uri.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = sep < 0 ? "" : uri.substring(sep + 3);
    String redacted = sep < 0 ? uri : scheme + "://" + redactUserInfo(rest);
    switch (scheme) {
      case "redis":
      case "rediss":
      case "redis-socket":
        return new RedisTarget(false, List.of(lettuce(uri, redacted)), redacted);
      case "redis-cluster":
      case "rediss-cluster":
        return new RedisTarget(true, clusterSeeds(scheme.substring(0, scheme.indexOf('-')), rest, redacted), redacted);
      default:
        throw new IllegalArgumentException("unsupported Redis URI '" + redacted + "': use redis://host:port, "
            + "rediss://host:port, redis-socket:///path or redis-cluster://host:port[,host:port...]");
    }
  }

  private static List<RedisURI> clusterSeeds(String baseScheme, String rest, String redacted) {
    int end = rest.length();
    for (int i = 0; i < rest.length(); i++) {
      if (rest.charAt(i) == '/' || rest.charAt(i) == '?') {
        end = i;
        break;
      }
    }
    String authority = rest.substring(0, end);
    String tail = rest.substring(end);
    if (tail.startsWith("/")) {
      String path = tail.substring(1, tail.indexOf('?') < 0 ? tail.length() : tail.indexOf('?'));
      if (!path.isEmpty() && !path.equals("0")) {
        throw new IllegalArgumentException("Redis Cluster has only database 0, the URI '" + redacted + "' names /" + path);
      }
      tail = tail.indexOf('?') < 0 ? "" : tail.substring(tail.indexOf('?'));
    }
    int at = authority.lastIndexOf('@');
    String userInfo = at < 0 ? "" : authority.substring(0, at + 1);
    List<RedisURI> seeds = new ArrayList<>();
    for (String hostPort : authority.substring(at + 1).split(",", -1)) {
      if (hostPort.isBlank()) {
        throw new IllegalArgumentException("empty seed node in Redis Cluster URI '" + redacted + "'");
      }
      seeds.add(lettuce(baseScheme + "://" + userInfo + hostPort.strip() + tail, redacted));
    }
    return seeds;
  }

  private static RedisURI lettuce(String uri, String redacted) {
    RedisURI parsed;
    try {
      parsed = RedisURI.create(uri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid Redis URI '" + redacted + "': " + e.getMessage(), e);
    }
    if (!uri.contains("timeout=")) {
      parsed.setTimeout(DEFAULT_TIMEOUT);
    }
    return parsed;
  }

  private static String redactUserInfo(String rest) {
    int end = rest.length();
    for (int i = 0; i < rest.length(); i++) {
      if (rest.charAt(i) == '/' || rest.charAt(i) == '?') {
        end = i;
        break;
      }
    }
    int at = rest.lastIndexOf('@', end - 1);
    return at < 0 ? rest : "***@" + rest.substring(at + 1);
  }

  @Override
  public String toString() {
    return redacted;
  }
}
