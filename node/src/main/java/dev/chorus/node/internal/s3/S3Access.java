package dev.chorus.node.internal.s3;

import dev.chorus.node.internal.s3.S3AccessException.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;

/**
 * How to reach S3 (or an S3-compatible store): an optional endpoint, an optional region, and the
 * credentials provider. Without an endpoint the store is AWS S3 in the region; without a region
 * the SDK's region provider chain decides ({@code AWS_REGION}, {@code aws.region}, the profile's
 * {@code region}, the instance metadata); without a credentials provider the SDK's default chain
 * does ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, {@code aws.accessKeyId}, web
 * identity, {@code ~/.aws/credentials} and {@code AWS_PROFILE}, container and instance roles).
 *
 * <p>A custom endpoint is addressed path-style ({@code <endpoint>/<bucket>/<key>}), as
 * S3-compatible stores expect; AWS S3 virtual-hosted-style ({@code <bucket>.s3.<region>.<domain>})
 * unless the bucket name has dots (which a wildcard TLS certificate does not cover). Immutable;
 * {@link #toString()} never shows credentials.
 */
public final class S3Access {
  /** The region signed for at a custom endpoint when none is configured (most stores ignore it). */
  public static final String DEFAULT_ENDPOINT_REGION = "us-east-1";

  private final URI endpoint;
  private final String region;
  private final AwsCredentialsProvider credentials;
  private volatile Region resolvedRegion;

  private S3Access(URI endpoint, String region, AwsCredentialsProvider credentials) {
    this.endpoint = endpoint;
    this.region = region;
    this.credentials = credentials;
  }

  /** AWS S3, region and credentials from the SDK's standard chains. */
  public static S3Access standard() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The custom endpoint ({@code http(s)://host[:port]}), or empty for AWS S3. */
  public Optional<URI> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /** The configured region, or empty if the SDK's chain decides. */
  public Optional<String> configuredRegion() {
    return Optional.ofNullable(region);
  }

  /** The credentials provider (the SDK's default chain unless one was given). */
  public AwsCredentialsProvider credentialsProvider() {
    return credentials;
  }

  /**
   * The region to sign for: the configured one, else the SDK's region chain, else (only with a
   * custom endpoint) {@link #DEFAULT_ENDPOINT_REGION}. Resolved once.
   *
   * @throws S3AccessException ({@link Reason#NO_REGION}) if AWS S3 is used and no region is known
   */
  public Region region() throws S3AccessException {
    Region r = resolvedRegion;
    if (r == null) {
      r = resolveRegion();
      resolvedRegion = r;
    }
    return r;
  }

  private Region resolveRegion() throws S3AccessException {
    if (region != null) {
      return Region.of(region);
    }
    try {
      // An S3-compatible store is not on EC2's metadata service: skip its (slow) lookup.
      AwsRegionProvider chain = endpoint == null ? new DefaultAwsRegionProviderChain()
          : new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider());
      return chain.getRegion();
    } catch (SdkException e) {
      if (endpoint != null) {
        return Region.of(DEFAULT_ENDPOINT_REGION);
      }
      throw new S3AccessException(Reason.NO_REGION, "no AWS region for S3: give --s3-region (or set"
          + " AWS_REGION, or 'region' in the AWS profile)", null);
    }
  }

  /**
   * The current credentials from the provider.
   *
   * @throws S3AccessException ({@link Reason#NO_CREDENTIALS}) if the provider has none
   */
  public AwsCredentials resolveCredentials() throws S3AccessException {
    try {
      return credentials.resolveCredentials();
    } catch (SdkException e) {
      throw new S3AccessException(Reason.NO_CREDENTIALS, "no AWS credentials for S3: set"
          + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials,"
          + " or run with an instance or container role (" + firstLine(e.getMessage()) + ")", null);
    }
  }

  /**
   * The HTTP(S) URL of {@code location}'s prefix, ending with {@code /}: path-style at a custom
   * endpoint, virtual-hosted-style at AWS S3. Object keys are appended percent-encoded.
   */
  public URI httpBase(S3Location location) throws S3AccessException {
    String path = "/" + encodePath(location.prefix());
    try {
      if (endpoint != null) {
        String base = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        if (!base.endsWith("/")) {
          base += "/";
        }
        return new URI(endpoint.getScheme() + "://" + endpoint.getRawAuthority() + base
            + location.bucket() + path);
      }
      Region r = region();
      String domain = r.id().startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
      String host = "s3." + r.id() + "." + domain;
      if (location.bucket().contains(".")) {
        return new URI("https://" + host + "/" + location.bucket() + path);
      }
      return new URI("https://" + location.bucket() + "." + host + path);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("a valid location gives a valid URL: " + location, e);
    }
  }

  @Override
  public String toString() {
    return "S3Access[endpoint=" + (endpoint == null ? "AWS S3" : endpoint) + ", region="
        + (region == null ? "from the AWS region chain" : region) + "]";
  }

  /** Percent-encodes every segment of a prefix (all but RFC 3986 unreserved characters). */
  static String encodePath(String prefix) {
    StringBuilder b = new StringBuilder();
    for (byte c : prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
      if (unreserved) {
        b.append((char) c);
      } else {
        b.append('%').append(String.format(Locale.ROOT, "%02X", c & 0xFF));
      }
    }
    return b.toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "the AWS SDK gave no detail";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder {
    private URI endpoint;
    private String region;
    private AwsCredentialsProvider credentials;

    private Builder() {}

    /** An S3-compatible store's endpoint, {@code http(s)://host[:port][/path]}; null for AWS S3. */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** The region (e.g. {@code eu-west-1}); null to let the SDK's region chain decide. */
    public Builder region(String region) {
      this.region = region == null || region.isBlank() ? null : region.strip();
      return this;
    }

    /** The credentials; null for the SDK's default provider chain. */
    public Builder credentials(AwsCredentialsProvider credentials) {
      this.credentials = credentials;
      return this;
    }

    /** @throws IllegalArgumentException naming the bad setting */
    public S3Access build() {
      URI e = endpoint;
      if (e != null) {
        String scheme = e.getScheme() == null ? "" : e.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || e.getHost() == null) {
          throw new IllegalArgumentException("s3.endpoint: must be an http(s)://host[:port] URL, was " + e);
        }
        if (e.getRawUserInfo() != null || e.getRawQuery() != null || e.getRawFragment() != null) {
          throw new IllegalArgumentException("s3.endpoint: must not have user info, a query or a"
              + " fragment (credentials come from the AWS credentials chain)");
        }
      }
      if (region != null && !region.matches("[a-z0-9-]{1,64}")) {
        throw new IllegalArgumentException("s3.region: must look like eu-west-1, was '" + region + "'");
      }
      AwsCredentialsProvider c = credentials != null ? credentials : DefaultCredentialsProvider.builder().build();
      return new S3Access(e, region, Objects.requireNonNull(c));
    }
  }
}
