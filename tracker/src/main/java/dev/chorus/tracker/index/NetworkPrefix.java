package dev.chorus.tracker.index;

/**
 * The network a peer sits in, for "same network first" ranking: the first 24 bits of an IPv4
 * address or the first 48 bits of an IPv6 address, packed into a long (IPv6 prefixes have bit 63
 * set so the two families never collide). Immutable value.
 */
public final class NetworkPrefix {
  private static final long IPV6_TAG = 1L << 63;
  private final long value;

  private NetworkPrefix(long value) {
    this.value = value;
  }

  /** The prefix of a 4- or 16-byte address. */
  public static NetworkPrefix of(byte[] ip) {
    return new NetworkPrefix(pack(ip));
  }

  /** The prefix packed into a long, for compact storage. */
  public static long pack(byte[] ip) {
    if (ip.length == 4) {
      return ((ip[0] & 0xffL) << 16) | ((ip[1] & 0xffL) << 8) | (ip[2] & 0xffL);
    }
    if (ip.length == 16) {
      long v = 0;
      for (int i = 0; i < 6; i++) {
        v = (v << 8) | (ip[i] & 0xffL);
      }
      return IPV6_TAG | v;
    }
    throw new IllegalArgumentException("ip must be 4 or 16 bytes, was " + ip.length);
  }

  public long packed() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkPrefix && ((NetworkPrefix) o).value == value;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(value);
  }

  @Override
  public String toString() {
    if ((value & IPV6_TAG) == 0) {
      return ((value >> 16) & 0xff) + "." + ((value >> 8) & 0xff) + "." + (value & 0xff) + ".0/24";
    }
    long v = value & ~IPV6_TAG;
    return String.format("%x:%x:%x::/48", (v >> 32) & 0xffff, (v >> 16) & 0xffff, v & 0xffff);
  }
}
