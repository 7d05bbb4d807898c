package dev.chorus.node.internal.originclient;

import dev.chorus.node.internal.s3.S3Location;
import dev.chorus.protocol.manifest.TrackId;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Origin URL rules: base validation, catalog keys, object URLs, redaction of queries. */
final class OriginUris {
  /** Where manifests live under a base: {@code manifests/<trackIdHex>}. */
  static final String MANIFESTS_PREFIX = "manifests/";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private OriginUris() {}

  /**
   * Parses and normalizes an origin base URL: lower-case http/https scheme, a host, no user info,
   * no fragment, a path ending with {@code /}, the query kept verbatim; or an {@code
   * s3://bucket/prefix/} location ({@link S3Location}).
   */
  static URI parseBase(String key, String text) {
    if (S3Location.isS3(text)) {
      return S3Location.parse(key, text).uri();
    }
    URI u;
    try {
      u = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(key + ": not a URL: " + e.getMessage(), e);
    }
    String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          key + ": scheme must be http, https or s3, was " + (scheme == null ? "none" : scheme));
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException(key + ": has no host (or the host is not a valid name): "
          + redact(u));
    }
    if (u.getRawUserInfo() != null) {
      // java.net.http would silently not send it; credentials belong in a query (a token).
      throw new IllegalArgumentException(key + ": user info (user:password@) is not supported; "
          + "use a query token or a signed URL instead");
    }
    if (u.getRawFragment() != null) {
      throw new IllegalArgumentException(key + ": must not have a fragment (#...)");
    }
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    if (!path.endsWith("/")) {
      path += "/";
    }
    String query = u.getRawQuery() == null || u.getRawQuery().isEmpty() ? "" : "?" + u.getRawQuery();
    return URI.create(scheme + "://" + u.getRawAuthority() + path + query);
  }

  /** {@code manifests/<64 hex digits>}. */
  static String manifestKey(TrackId id) {
    return MANIFESTS_PREFIX + id.toHex();
  }

  /**
   * The URL of object {@code key} under {@code base}: every path segment of the key is
   * percent-encoded (all but RFC 3986 unreserved characters), and the base's query, if any, is
   * appended. A key that is empty, absolute, or has an empty, {@code .} or {@code ..} segment is
   * rejected, so no key can leave the base's path.
   */
  static URI objectUri(URI base, String key) {
    checkKey(key);
    StringBuilder b = new StringBuilder(base.getScheme()).append("://")
        .append(base.getRawAuthority()).append(base.getRawPath());
    String[] segments = key.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        b.append('/');
      }
      encodeSegment(segments[i], b);
    }
    if (base.getRawQuery() != null) {
      b.append('?').append(base.getRawQuery());
    }
    return URI.create(b.toString());
  }

  /** Throws IllegalArgumentException if {@code key} could escape the base or is not a file. */
  static void checkKey(String key) {
    if (key.isEmpty() || key.startsWith("/")) {
      throw new IllegalArgumentException("origin key must be relative and not empty: '" + key + "'");
    }
    for (String s : key.split("/", -1)) {
      if (s.isEmpty() || s.equals(".") || s.equals("..")) {
        throw new IllegalArgumentException(
            "origin key has an empty, '.' or '..' segment: '" + key + "'");
      }
    }
  }

  /** {@code uri} without its query, which may hold credentials: for messages, logs and metrics. */
  static URI redact(URI uri) {
    if (uri.getRawQuery() == null) {
      return uri;
    }
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority()
        + (uri.getRawPath() == null ? "" : uri.getRawPath()));
  }

  private static void encodeSegment(String segment, StringBuilder out) {
    for (byte c : segment.getBytes(StandardCharsets.UTF_8)) {
      if (isUnreserved(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
      }
    }
  }

  private static boolean isUnreserved(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }
}
