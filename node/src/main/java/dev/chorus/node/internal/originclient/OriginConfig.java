package dev.chorus.node.internal.originclient;

import dev.chorus.node.internal.s3.S3Access;
import dev.chorus.node.internal.s3.S3Location;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable, validated configuration of an {@link OriginClient}: the origin base URLs, in order of
 * preference, and the timeouts, retry and concurrency bounds. {@link Builder#build()} checks
 * everything once and fails with an {@link IllegalArgumentException} whose message starts with the
 * offending key, e.g. {@code origin.baseUris[1]: scheme must be http or https, was ftp}.
 *
 * <p>A base URL is {@code http} or {@code https}, absolute, with a host, without user info or
 * fragment; its path is made to end with {@code /} (so {@code https://cdn.example/catalog} and
 * {@code https://cdn.example/catalog/} are the same origin). An optional query (a CDN token, a
 * shared access signature) is kept verbatim and appended to every object URL; see {@link
 * OriginClient} for the catalog layout.
 *
 * <p>A base may also be {@code s3://bucket/prefix}: a bucket read with requests signed (SigV4)
 * with the credentials of {@link #s3()} (the AWS SDK's default chain unless set), through the same
 * HTTP client, retries, failover and verification as every other origin.
 */
public final class OriginConfig {
  /** Default {@link #connectTimeout()}: 2 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Default {@link #requestTimeout()}: 5 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  /** Default {@link #maxAttempts()}: 4. */
  public static final int DEFAULT_MAX_ATTEMPTS = 4;
  /** Default {@link #initialBackoff()}: 100 ms. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  /** Default {@link #maxBackoff()}: 2 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(2);
  /** Default {@link #maxConcurrentRequests()}: 16. */
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 16;
  /** Default {@link #maxRangeBytes()}: 16 MiB. */
  public static final int DEFAULT_MAX_RANGE_BYTES = 16 * 1024 * 1024;

  private final List<URI> baseUris;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final int maxConcurrentRequests;
  private final int maxRangeBytes;
  private final S3Access s3;

  private OriginConfig(Builder b, List<URI> baseUris) {
    this.baseUris = List.copyOf(baseUris);
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxConcurrentRequests = b.maxConcurrentRequests;
    this.maxRangeBytes = b.maxRangeBytes;
    this.s3 = b.s3 != null ? b.s3 : S3Access.standard();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The origin base URLs, normalized (path ends with {@code /}), first preferred; never empty. */
  public List<URI> baseUris() {
    return baseUris;
  }

  /** How long to wait for a TCP (and TLS) connection to an origin. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long one attempt may take, from sending the request to the last byte of the body. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * Attempts per request across all origins, first included. Every origin is tried at least once
   * whatever this says, so a request makes at most {@code max(maxAttempts, baseUris().size())}.
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The backoff cap before the first retry of an origin already tried; doubles per retry. */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /** The largest backoff cap. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** HTTP exchanges in flight at once (so also connections per origin); more wait in a queue. */
  public int maxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /** The largest range one {@code fetchRange} or {@code fetchChunks} call may ask for. */
  public int maxRangeBytes() {
    return maxRangeBytes;
  }

  /** How {@code s3://} bases are reached and signed for: endpoint, region, credentials. */
  public S3Access s3() {
    return s3;
  }

  /** Whether any base is an {@code s3://} location. */
  public boolean hasS3Origins() {
    return baseUris.stream().anyMatch(S3Location::isS3);
  }

  @Override
  public String toString() {
    // Queries may hold credentials (tokens, signatures): never print them.
    List<String> bases = new ArrayList<>();
    for (URI u : baseUris) {
      bases.add(OriginUris.redact(u).toString());
    }
    return "OriginConfig[baseUris=" + bases + ", connectTimeout=" + connectTimeout
        + ", requestTimeout=" + requestTimeout + ", maxAttempts=" + maxAttempts
        + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff
        + ", maxConcurrentRequests=" + maxConcurrentRequests + ", maxRangeBytes=" + maxRangeBytes
        + (hasS3Origins() ? ", s3=" + s3 : "") + "]";
  }

  /** Builder; {@link #build()} validates and names the offending key. */
  public static final class Builder {
    private final List<String> baseUris = new ArrayList<>();
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private int maxRangeBytes = DEFAULT_MAX_RANGE_BYTES;
    private S3Access s3;

    private Builder() {}

    /** Adds an origin base URL; the first added is preferred. */
    public Builder addBaseUri(String baseUri) {
      baseUris.add(Objects.requireNonNull(baseUri, "origin.baseUris"));
      return this;
    }

    /** Adds an origin base URL; the first added is preferred. */
    public Builder addBaseUri(URI baseUri) {
      return addBaseUri(Objects.requireNonNull(baseUri, "origin.baseUris").toString());
    }

    /** Replaces the origin base URLs; the first is preferred. */
    public Builder baseUris(List<String> uris) {
      baseUris.clear();
      for (String u : uris) {
        addBaseUri(u);
      }
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Objects.requireNonNull(connectTimeout, "origin.connectTimeout");
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "origin.requestTimeout");
      return this;
    }

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = Objects.requireNonNull(initialBackoff, "origin.initialBackoff");
      return this;
    }

    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = Objects.requireNonNull(maxBackoff, "origin.maxBackoff");
      return this;
    }

    public Builder maxConcurrentRequests(int maxConcurrentRequests) {
      this.maxConcurrentRequests = maxConcurrentRequests;
      return this;
    }

    public Builder maxRangeBytes(int maxRangeBytes) {
      this.maxRangeBytes = maxRangeBytes;
      return this;
    }

    /** How to reach and sign for {@code s3://} bases; default {@link S3Access#standard()}. */
    public Builder s3(S3Access s3) {
      this.s3 = Objects.requireNonNull(s3, "origin.s3");
      return this;
    }

    /** Validates everything; the exception message starts with the offending key. */
    public OriginConfig build() {
      if (baseUris.isEmpty()) {
        throw new IllegalArgumentException("origin.baseUris: at least one origin base URL is required");
      }
      List<URI> parsed = new ArrayList<>();
      for (int i = 0; i < baseUris.size(); i++) {
        URI u = OriginUris.parseBase("origin.baseUris[" + i + "]", baseUris.get(i));
        if (parsed.contains(u)) {
          throw new IllegalArgumentException("origin.baseUris[" + i + "]: duplicate of another origin: "
              + OriginUris.redact(u));
        }
        parsed.add(u);
      }
      positive("origin.connectTimeout", connectTimeout);
      positive("origin.requestTimeout", requestTimeout);
      positive("origin.initialBackoff", initialBackoff);
      positive("origin.maxBackoff", maxBackoff);
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("origin.maxBackoff: must be at least origin.initialBackoff ("
            + initialBackoff + "), was " + maxBackoff);
      }
      atLeast("origin.maxAttempts", maxAttempts, 1);
      atLeast("origin.maxConcurrentRequests", maxConcurrentRequests, 1);
      atLeast("origin.maxRangeBytes", maxRangeBytes, 1);
      return new OriginConfig(this, parsed);
    }

    private static void positive(String key, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(key + ": must be positive, was " + d);
      }
      // HttpClient and the scheduler take nanoseconds or milliseconds as a long.
      if (d.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(key + ": must be at most one day, was " + d);
      }
    }

    private static void atLeast(String key, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(key + ": must be at least " + min + ", was " + value);
      }
    }
  }
}
