package dev.chorus.node.stream;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which {@code Host} header values the stream endpoint answers, against DNS rebinding: a web page
 * on {@code http://evil.example:7402/} whose name the attacker re-points at 127.0.0.1 can send
 * requests to the endpoint from the page's own origin, and read the answers; but the browser still
 * sends {@code Host: evil.example:7402}. Only names the attacker cannot control are accepted:
 *
 * <ul>
 *   <li>{@code localhost} (any case; not {@code localhost.} nor {@code *.localhost}: no player
 *       needs them, and the shorter the list the easier it is to see that it is right);
 *   <li>an IPv4 literal in 127.0.0.0/8, strict dotted decimal (four decimal octets, no leading
 *       zeros: {@code 127.1}, {@code 0x7f.0.0.1}, {@code 0177.0.0.1} are names, hence refused);
 *   <li>{@code [::1]} in any valid IPv6 text form, without a zone id;
 *   <li>if the server is bound to one non-loopback address, that address as a literal; if bound to
 *       the wildcard address (every interface), any IP literal — a literal in {@code Host} means
 *       the page's URL was that address, and no DNS answer can make an attacker's page be served
 *       from it, while the machine's addresses are not known in advance (DHCP, VPNs).
 * </ul>
 *
 * <p>Each may carry a port ({@code :} and 1 to 5 digits, at most 65535), which is not compared
 * with the bound port: a rebinding page has to use the real port anyway. Any other name, {@code
 * 127.0.0.1.nip.io} included, is refused with 421. A request without {@code Host}, with several,
 * or with a value that is not {@code uri-host [ ":" port ]} (RFC 3986; a zone id, an empty port,
 * spaces) is refused with 400, as RFC 9112 §3.2 requires — HTTP/1.0 requests too: every player
 * sends {@code Host}, and one rule is easier to trust than a version-dependent one.
 *
 * <p>Pure and immutable.
 */
final class HostRule {
  /** Why a request was refused: the status, and a short reason (the response body, the listener's). */
  record Refusal(HttpResponseStatus status, String reason) {}

  static final String NO_HOST = "no Host header";
  static final String SEVERAL_HOSTS = "several Host headers";
  static final String MALFORMED_HOST = "malformed Host header";
  static final String FOREIGN_HOST = "Host not answered here (DNS rebinding?)";

  // 421 Misdirected Request (RFC 9110 §15.5.20) rather than 403: it says exactly what happened —
  // the request names a host this server is not authoritative for (the rebound name), whereas 403
  // says the resource exists here but this client may not have it. Clients do not retry a 421 on
  // the same name forever: at most once on a new connection, which gets the same answer.
  private static final HttpResponseStatus MISDIRECTED = HttpResponseStatus.MISDIRECTED_REQUEST;

  private static final byte[] IPV6_LOOPBACK = new byte[16];

  static {
    IPV6_LOOPBACK[15] = 1;
  }

  /** The bound non-loopback address (4 or 16 bytes), or null. */
  private final byte[] boundAddress;
  private final boolean anyLiteral;
  private final String accepted;

  private HostRule(byte[] boundAddress, boolean anyLiteral, String accepted) {
    this.boundAddress = boundAddress;
    this.anyLiteral = anyLiteral;
    this.accepted = accepted;
  }

  /** The rule for a server bound to {@code bound}. */
  static HostRule forBind(InetAddress bound) {
    String loopback = "localhost, 127.0.0.0/8, [::1]";
    if (bound.isAnyLocalAddress()) {
      return new HostRule(null, true, loopback + " or any IP literal");
    }
    if (bound.isLoopbackAddress()) {
      return new HostRule(null, false, "localhost, 127.0.0.0/8 or [::1]");
    }
    String literal = bound instanceof Inet6Address ? "[" + stripZone(bound.getHostAddress()) + "]"
        : bound.getHostAddress();
    return new HostRule(bound.getAddress(), false, loopback + " or " + literal);
  }

  /** What is accepted, in words (for the log and refusals). */
  String accepted() {
    return accepted;
  }

  /** Null if a request with these {@code Host} values (in order) is to be answered; else why not. */
  Refusal check(List<String> hosts) {
    if (hosts.isEmpty()) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, NO_HOST);
    }
    if (hosts.size() > 1) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, SEVERAL_HOSTS);
    }
    String value = hosts.get(0);
    String host = hostPart(value);
    if (host == null) {
      return new Refusal(HttpResponseStatus.BAD_REQUEST, MALFORMED_HOST);
    }
    byte[] address;
    if (host.startsWith("[")) {
      address = ipv6(host.substring(1, host.length() - 1));
      if (address == null) {
        return new Refusal(HttpResponseStatus.BAD_REQUEST, MALFORMED_HOST);
      }
    } else {
      if (!isRegName(host)) {
        return new Refusal(HttpResponseStatus.BAD_REQUEST, MALFORMED_HOST);
      }
      if (host.toLowerCase(Locale.ROOT).equals("localhost")) {
        return null;
      }
      address = ipv4(host);
      if (address == null) {
        return new Refusal(MISDIRECTED, FOREIGN_HOST); // a name: only localhost is ours
      }
    }
    return accepts(address) ? null : new Refusal(MISDIRECTED, FOREIGN_HOST);
  }

  private boolean accepts(byte[] address) {
    if (address.length == 4 && address[0] == 127) {
      return true;
    }
    if (Arrays.equals(address, IPV6_LOOPBACK)) {
      return true;
    }
    return anyLiteral || (boundAddress != null && Arrays.equals(address, boundAddress));
  }

  /**
   * The host of {@code host [":" port]}, bracketed if an IP-literal, or null if the port is not 1
   * to 5 digits up to 65535 or the brackets do not match.
   */
  static String hostPart(String value) {
    String host;
    String port;
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = value.substring(0, close + 1);
      String rest = value.substring(close + 1);
      if (rest.isEmpty()) {
        return host;
      }
      if (rest.charAt(0) != ':') {
        return null;
      }
      port = rest.substring(1);
    } else {
      int colon = value.indexOf(':');
      if (colon < 0) {
        host = value;
        port = null;
      } else {
        host = value.substring(0, colon);
        port = value.substring(colon + 1);
      }
      if (host.isEmpty()) {
        return null;
      }
    }
    if (port != null && !isPort(port)) {
      return null;
    }
    return host;
  }

  private static boolean isPort(String port) {
    if (port.isEmpty() || port.length() > 5) {
      return false;
    }
    for (int i = 0; i < port.length(); i++) {
      if (port.charAt(i) < '0' || port.charAt(i) > '9') {
        return false;
      }
    }
    return Integer.parseInt(port) <= 65535;
  }

  /** RFC 3986 reg-name: unreserved, percent-encoded or sub-delims characters (here: not empty). */
  private static boolean isRegName(String host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=".indexOf(c) >= 0;
      if (c == '%') {
        ok = i + 2 < host.length() && hex(host.charAt(i + 1)) >= 0 && hex(host.charAt(i + 2)) >= 0;
        i += 2;
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** RFC 3986 IPv4address: four dec-octets (0-255, no leading zeros); null if not one. */
  static byte[] ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return null;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        char c = p.charAt(j);
        if (c < '0' || c > '9') {
          return null;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return null;
      }
      b[i] = (byte) v;
    }
    return b;
  }

  /**
   * RFC 3986 IPv6address (eight 1-4 hex digit groups, one {@code ::} for a run of zero groups,
   * optionally an IPv4address as the last two): the 16 bytes, or null (a zone id, IPvFuture, any
   * other text).
   */
  static byte[] ipv6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String head = gap < 0 ? s : s.substring(0, gap);
    String tail = gap < 0 ? "" : s.substring(gap + 2);
    int[] headGroups = groups(head, gap < 0);
    int[] tailGroups = gap < 0 ? new int[0] : groups(tail, true);
    if (headGroups == null || tailGroups == null) {
      return null;
    }
    int n = headGroups.length + tailGroups.length;
    if (gap < 0 ? n != 8 : n > 7) {
      return null;
    }
    byte[] b = new byte[16];
    for (int i = 0; i < headGroups.length; i++) {
      b[2 * i] = (byte) (headGroups[i] >> 8);
      b[2 * i + 1] = (byte) headGroups[i];
    }
    for (int i = 0; i < tailGroups.length; i++) {
      int at = 8 - tailGroups.length + i;
      b[2 * at] = (byte) (tailGroups[i] >> 8);
      b[2 * at + 1] = (byte) tailGroups[i];
    }
    return b;
  }

  /**
   * The 16-bit groups of {@code a:b:c} (empty: none); the last may be an IPv4address (two groups)
   * if {@code last}, i.e. nothing follows it. Null if malformed.
   */
  private static int[] groups(String s, boolean last) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    int[] out = new int[parts.length + 1];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (last && i == parts.length - 1 && p.indexOf('.') >= 0) {
        byte[] v4 = ipv4(p);
        if (v4 == null) {
          return null;
        }
        out[n++] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
        out[n++] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = hex(p.charAt(j));
        if (d < 0) {
          return null;
        }
        v = v << 4 | d;
      }
      out[n++] = v;
    }
    return Arrays.copyOf(out, n);
  }

  private static int hex(char c) {
    return Character.digit(c, 16) >= 0 && c < 128 ? Character.digit(c, 16) : -1;
  }

  private static String stripZone(String s) {
    int zone = s.indexOf('%');
    return zone < 0 ? s : s.substring(0, zone);
  }
}
