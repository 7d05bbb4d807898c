package dev.chorus.node.internal.originserver;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of an {@link OriginServer}; immutable, checked by {@link Builder#build()}.
 *
 * <ul>
 *   <li>{@code root} (required): the catalog directory served at {@code /};
 *   <li>{@code host}: the address to listen on, default {@code 127.0.0.1} (loopback only);
 *   <li>{@code port}: default 0, any free port ({@link OriginServer#port()} says which);
 *   <li>{@code threads}: requests served at once, default 16.
 * </ul>
 */
public final class OriginServerConfig {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_THREADS = 16;

  private final Path root;
  private final String host;
  private final int port;
  private final int threads;

  private OriginServerConfig(Builder b) {
    this.root = b.root;
    this.host = b.host;
    this.port = b.port;
    this.threads = b.threads;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Path root() {
    return root;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public int threads() {
    return threads;
  }

  @Override
  public String toString() {
    return "OriginServerConfig[root=" + root + ", host=" + host + ", port=" + port + ", threads=" + threads + "]";
  }

  public static final class Builder {
    private Path root;
    private String host = DEFAULT_HOST;
    private int port;
    private int threads = DEFAULT_THREADS;

    private Builder() {}

    public Builder root(Path root) {
      this.root = Objects.requireNonNull(root, "root");
      return this;
    }

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** @throws IllegalArgumentException naming the setting that is wrong */
    public OriginServerConfig build() {
      if (root == null) {
        throw new IllegalArgumentException("root: the catalog directory is not set");
      }
      if (host.isBlank()) {
        throw new IllegalArgumentException("host: must not be empty");
      }
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port: must be 0..65535 (0 = any free port), was " + port);
      }
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("threads: must be 1..1024, was " + threads);
      }
      return new OriginServerConfig(this);
    }
  }
}
