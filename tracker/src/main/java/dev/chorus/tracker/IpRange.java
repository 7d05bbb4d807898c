package dev.chorus.tracker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}). */
public record IpRange(byte[] network, int bits) {
  /**
   * Special-purpose ranges that are never "public" (RFC 6890 and friends): shared address space,
   * documentation, benchmarking, unique local IPv6, and the like. Loopback, link-local, private
   * (site-local), multicast and the wildcard are caught by {@link InetAddress}'s own tests.
   */
  private static final List<IpRange> NOT_PUBLIC = List.of(
      parse("0.0.0.0/8"), parse("100.64.0.0/10"), parse("192.0.0.0/24"), parse("192.0.2.0/24"),
      parse("198.18.0.0/15"), parse("198.51.100.0/24"), parse("203.0.113.0/24"), parse("240.0.0.0/4"),
      parse("fc00::/7"), parse("2001:db8::/32"), parse("64:ff9b:1::/48"));

  public IpRange {
    network = network.clone();
    if ((network.length != 4 && network.length != 16) || bits < 0 || bits > network.length * 8) {
      throw new IllegalArgumentException("not a network: " + network.length + " bytes /" + bits);
    }
  }

  /**
   * Parses {@code address/bits}, both IPv4 and IPv6, literal addresses only (no name lookup).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static IpRange parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("\"" + cidr + "\" is not a network in CIDR notation, e.g. 10.0.0.0/8");
    }
    String address = cidr.substring(0, slash);
    if (!address.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("\"" + cidr + "\": " + address + " is not a literal IP address");
    }
    byte[] bytes;
    int bits;
    try {
      bytes = InetAddress.getByName(address).getAddress();
      bits = Integer.parseInt(cidr.substring(slash + 1));
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("\"" + cidr + "\" is not a network in CIDR notation, e.g. 10.0.0.0/8");
    }
    if (bits < 0 || bits > bytes.length * 8) {
      throw new IllegalArgumentException("\"" + cidr + "\": prefix length must be 0.." + bytes.length * 8);
    }
    return new IpRange(bytes, bits);
  }

  public boolean contains(InetAddress ip) {
    byte[] a = ip.getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }

  /** Whether {@code ip} is a globally routed unicast address. */
  public static boolean isPublic(InetAddress ip) {
    if (ip.isAnyLocalAddress() || ip.isLoopbackAddress() || ip.isLinkLocalAddress() || ip.isSiteLocalAddress()
        || ip.isMulticastAddress()) {
      return false;
    }
    for (IpRange r : NOT_PUBLIC) {
      if (r.contains(ip)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + bits;
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpRange r && bits == r.bits && java.util.Arrays.equals(network, r.network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + bits;
  }
}
