package dev.chorus.tracker.index;

/**
 * The network an address sits in: its first {@code length} bits. Two uses, two lengths: "same
 * network first" ranking ({@link #of(byte[])}: IPv4 /24, IPv6 /48) and per-network quotas
 * ({@link #of(byte[], int, int)}, by default IPv4 /32 and IPv6 /64, since one IPv6 subscriber is
 * usually given a whole /64 and could otherwise pick a fresh address per connection). Immutable
 * value; the two families never compare equal.
 */
public final class NetworkPrefix {
  static final long IPV6_TAG = 1L << 63;
  /** The ranking prefix lengths. */
  private static final int RANK_V4 = 24;
  private static final int RANK_V6 = 48;

  private final boolean v6;
  private final int length;
  /** IPv4: the masked address in the low 32 bits; IPv6: the masked first 64 bits. */
  private final long bits;

  private NetworkPrefix(boolean v6, int length, long bits) {
    this.v6 = v6;
    this.length = length;
    this.bits = bits;
  }

  /** The ranking prefix of a 4- or 16-byte address: IPv4 /24, IPv6 /48. */
  public static NetworkPrefix of(byte[] ip) {
    return of(ip, RANK_V4, RANK_V6);
  }

  /**
   * The first {@code ipv4Bits} (1..32) or {@code ipv6Bits} (1..64) bits of a 4- or 16-byte
   * address. IPv6 prefixes longer than 64 bits are not offered: a /64 is the smallest block a
   * subscriber is normally given, so counting finer would only let one subscriber count as many.
   */
  public static NetworkPrefix of(byte[] ip, int ipv4Bits, int ipv6Bits) {
    checkLengths(ipv4Bits, ipv6Bits);
    if (ip.length == 4) {
      long a = ((ip[0] & 0xffL) << 24) | ((ip[1] & 0xffL) << 16) | ((ip[2] & 0xffL) << 8) | (ip[3] & 0xffL);
      return new NetworkPrefix(false, ipv4Bits, a & (0xffff_ffffL << (32 - ipv4Bits)) & 0xffff_ffffL);
    }
    if (ip.length == 16) {
      long a = 0;
      for (int i = 0; i < 8; i++) {
        a = (a << 8) | (ip[i] & 0xffL);
      }
      return new NetworkPrefix(true, ipv6Bits, a & (-1L << (64 - ipv6Bits)));
    }
    throw new IllegalArgumentException("ip must be 4 or 16 bytes, was " + ip.length);
  }

  /** Throws IllegalArgumentException unless the lengths are within 1..32 and 1..64. */
  public static void checkLengths(int ipv4Bits, int ipv6Bits) {
    if (ipv4Bits < 1 || ipv4Bits > 32) {
      throw new IllegalArgumentException("IPv4 prefix length must be 1..32, was " + ipv4Bits);
    }
    if (ipv6Bits < 1 || ipv6Bits > 64) {
      throw new IllegalArgumentException("IPv6 prefix length must be 1..64, was " + ipv6Bits);
    }
  }

  /** The ranking prefix packed into a long, for compact storage and the ranking hot path. */
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

  /**
   * This prefix in {@link #pack}'s form; only a ranking prefix ({@link #of(byte[])}) has one.
   *
   * @throws IllegalStateException for a prefix of another length
   */
  public long packed() {
    if (v6 && length == RANK_V6) {
      return IPV6_TAG | (bits >>> 16);
    }
    if (!v6 && length == RANK_V4) {
      return bits >>> 8;
    }
    throw new IllegalStateException(this + " is not a ranking prefix");
  }

  /** IPv4: the masked address in the low 32 bits; IPv6: the masked first 64 bits. */
  long bits() {
    return bits;
  }

  public boolean isIpv6() {
    return v6;
  }

  /** The prefix length in bits. */
  public int length() {
    return length;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof NetworkPrefix)) {
      return false;
    }
    NetworkPrefix p = (NetworkPrefix) o;
    return p.v6 == v6 && p.length == length && p.bits == bits;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bits * 31 + length) ^ (v6 ? 0x5bd1e995 : 0);
  }

  @Override
  public String toString() {
    if (!v6) {
      return ((bits >> 24) & 0xff) + "." + ((bits >> 16) & 0xff) + "." + ((bits >> 8) & 0xff) + "." + (bits & 0xff)
          + "/" + length;
    }
    StringBuilder s = new StringBuilder();
    int groups = Math.max(1, (length + 15) / 16);
    for (int g = 0; g < groups; g++) {
      s.append(Long.toHexString((bits >>> (48 - 16 * g)) & 0xffff)).append(':');
    }
    return s.append(":/").append(length).toString();
  }
}
