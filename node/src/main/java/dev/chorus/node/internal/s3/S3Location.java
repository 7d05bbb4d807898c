package dev.chorus.node.internal.s3;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a catalog lives in a bucket: {@code s3://bucket/prefix/}. The bucket follows S3's naming
 * rules (3..63 lower-case letters, digits, dots and hyphens); the prefix is empty or a relative
 * path ending with {@code /} without empty, {@code .} or {@code ..} segments, so a catalog key
 * never leaves it.
 *
 * @param bucket the bucket name
 * @param prefix the key prefix of the catalog: empty, or ending with {@code /}
 */
public record S3Location(String bucket, String prefix) {
  /** The URI scheme of S3 locations. */
  public static final String SCHEME = "s3";
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  /** Whether {@code text} is meant as an S3 location (scheme {@code s3}, any case). */
  public static boolean isS3(String text) {
    return text.strip().toLowerCase(Locale.ROOT).startsWith(SCHEME + "://");
  }

  /** Whether {@code uri} has the {@code s3} scheme. */
  public static boolean isS3(URI uri) {
    return SCHEME.equalsIgnoreCase(uri.getScheme());
  }

  /**
   * Parses {@code s3://bucket[/prefix]}.
   *
   * @param key the setting's name, which starts the exception message
   * @throws IllegalArgumentException if it is not a valid S3 location
   */
  public static S3Location parse(String key, String text) {
    URI u;
    try {
      u = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(key + ": not an s3://bucket/prefix location: " + e.getMessage(), e);
    }
    if (!isS3(u)) {
      throw new IllegalArgumentException(key + ": not an s3://bucket/prefix location: " + text);
    }
    String bucket = u.getRawAuthority();
    if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw new IllegalArgumentException(key + ": '" + bucket + "' is not a valid bucket name (3..63"
          + " lower-case letters, digits, '.' and '-'); write s3://bucket/prefix");
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException(key + ": an s3:// location has no query or fragment; the"
          + " node signs its requests with the AWS credentials (for a token or a pre-signed URL, use"
          + " an https:// origin)");
    }
    String path = u.getPath() == null ? "" : u.getPath();
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    if (!path.isEmpty() && !path.endsWith("/")) {
      path += "/";
    }
    if (!path.isEmpty()) {
      for (String s : path.substring(0, path.length() - 1).split("/", -1)) {
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
          throw new IllegalArgumentException(key + ": the prefix has an empty, '.' or '..' segment: " + text);
        }
      }
    }
    return new S3Location(bucket, path);
  }

  /** The object key of {@code relative} (e.g. {@code index.json}) in this catalog. */
  public String key(String relative) {
    return prefix + relative;
  }

  /** {@code s3://bucket/prefix/}. */
  public URI uri() {
    return URI.create(toString());
  }

  @Override
  public String toString() {
    return SCHEME + "://" + bucket + "/" + prefix;
  }
}
