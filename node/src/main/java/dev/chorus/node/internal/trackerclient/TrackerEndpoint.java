package dev.chorus.node.internal.trackerclient;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where the tracker is and which static Noise key it must prove it holds: the text form is
 * {@code <64 hex digits of the key>@host:port} (IPv6 hosts in brackets, {@code key@[::1]:7070}),
 * as the tracker prints on start. Immutable.
 */
public final class TrackerEndpoint {
  /** Length of an X25519 public key. */
  public static final int KEY_BYTES = 32;

  private final byte[] publicKey;
  private final String host;
  private final int port;

  private TrackerEndpoint(byte[] publicKey, String host, int port) {
    this.publicKey = publicKey;
    this.host = host;
    this.port = port;
  }

  /**
   * An endpoint from its parts ({@code publicKey} is copied).
   *
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static TrackerEndpoint of(byte[] publicKey, String host, int port) {
    Objects.requireNonNull(publicKey, "tracker key");
    Objects.requireNonNull(host, "tracker host");
    if (publicKey.length != KEY_BYTES) {
      throw new IllegalArgumentException("tracker key must be a " + KEY_BYTES + "-byte X25519 public key, was "
          + publicKey.length + " bytes");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("tracker host must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("tracker port must be 1..65535, was " + port);
    }
    return new TrackerEndpoint(publicKey.clone(), host, port);
  }

  /**
   * Parses {@code <64 hex key>@host:port}.
   *
   * @throws IllegalArgumentException with a message that says which part is wrong (the key, the
   *     host or the port) and what was expected
   */
  public static TrackerEndpoint parse(String text) {
    Objects.requireNonNull(text, "tracker");
    String value = text.trim();
    int at = value.indexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("tracker '" + text + "' must be <64 hex digits of the tracker key>@host:port");
    }
    String keyHex = value.substring(0, at);
    String hostPort = value.substring(at + 1);
    if (keyHex.length() != 2 * KEY_BYTES) {
      throw new IllegalArgumentException("tracker key must be " + 2 * KEY_BYTES + " hex digits, got "
          + keyHex.length() + " characters in '" + text + "'");
    }
    for (int i = 0; i < keyHex.length(); i++) {
      if (Character.digit(keyHex.charAt(i), 16) < 0) {
        throw new IllegalArgumentException("tracker key must be " + 2 * KEY_BYTES + " hex digits, found '"
            + keyHex.charAt(i) + "' at position " + i + " in '" + text + "'");
      }
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("tracker address '" + hostPort + "' must be host:port");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException("tracker address '" + hostPort + "': put an IPv6 host in brackets, e.g. [::1]:7070");
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("tracker address '" + hostPort + "' has no host");
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("tracker port in '" + hostPort + "' must be a number 1..65535", e);
    }
    return of(HexFormat.of().parseHex(keyHex), host, port);
  }

  /** The tracker's static public key (a copy). */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrackerEndpoint && Arrays.equals(publicKey, ((TrackerEndpoint) o).publicKey)
        && host.equals(((TrackerEndpoint) o).host) && port == ((TrackerEndpoint) o).port;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(publicKey), host, port);
  }

  /** The text form {@link #parse} reads. */
  @Override
  public String toString() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return HexFormat.of().formatHex(publicKey) + "@" + h + ":" + port;
  }
}
