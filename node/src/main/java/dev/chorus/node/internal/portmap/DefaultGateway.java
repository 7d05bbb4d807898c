package dev.chorus.node.internal.portmap;

import java.util.Optional;

/**
 * The IPv4 default gateway from Linux's {@code /proc/net/route}: the line whose destination and
 * mask are 0 and whose flags say up and gateway, with the lowest metric. Pure (the text is read by
 * the shell). Other systems: set the gateway in the configuration.
 */
final class DefaultGateway {
  private static final int RTF_UP = 0x1;
  private static final int RTF_GATEWAY = 0x2;

  private DefaultGateway() {}

  /** The gateway as a dotted IPv4 literal, or empty if the table has no default route. */
  static Optional<String> fromProcNetRoute(String table) {
    String best = null;
    long bestMetric = Long.MAX_VALUE;
    String[] lines = table.split("\n");
    for (int i = 1; i < lines.length; i++) { // the first line names the columns
      String[] f = lines[i].trim().split("\\s+");
      if (f.length < 8) {
        continue;
      }
      try {
        long destination = Long.parseLong(f[1], 16);
        long gateway = Long.parseLong(f[2], 16);
        int flags = Integer.parseInt(f[3], 16);
        long metric = Long.parseLong(f[6]);
        long mask = Long.parseLong(f[7], 16);
        if (destination == 0 && mask == 0 && gateway != 0 && (flags & (RTF_UP | RTF_GATEWAY)) == (RTF_UP | RTF_GATEWAY)
            && metric < bestMetric) {
          bestMetric = metric;
          best = littleEndianIpv4(gateway);
        }
      } catch (NumberFormatException e) {
        // not a route line
      }
    }
    return Optional.ofNullable(best);
  }

  /** The kernel prints the address as a host-order (little-endian on x86 and ARM) hex number. */
  private static String littleEndianIpv4(long hex) {
    return (hex & 0xff) + "." + ((hex >> 8) & 0xff) + "." + ((hex >> 16) & 0xff) + "." + ((hex >> 24) & 0xff);
  }
}
