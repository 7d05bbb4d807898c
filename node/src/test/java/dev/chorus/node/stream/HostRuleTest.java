package dev.chorus.node.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which {@code Host} values the endpoint answers (DNS rebinding), without a server. */
class HostRuleTest {
  static final HostRule LOOPBACK = HostRule.forBind(InetAddress.getLoopbackAddress());

  static HostRule bound(String literal) throws Exception {
    return HostRule.forBind(InetAddress.getByName(literal));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "localhost:7402", "LocalHost:80", "127.0.0.1", "127.0.0.1:7402",
      "127.1.2.3:1", "127.255.255.255", "[::1]", "[::1]:80", "[0:0:0:0:0:0:0:1]:7402", "[0000::0001]",
      "localhost:0", "localhost:65535"})
  void loopbackNamesAndAddressesAreAccepted(String host) {
    assertNull(LOOPBACK.check(List.of(host)), host);
  }

  @ParameterizedTest
  @ValueSource(strings = {"evil.example", "evil.example:7402", "127.0.0.1.evil.example", "127.0.0.1.nip.io",
      "127.0.0.1.nip.io:7402", "localhost.", "localhost.:7402", "foo.localhost", "localhost.evil.example",
      "128.0.0.1", "126.255.255.255", "10.0.0.1", "0.0.0.0", "127.1", "127.0.1", "0177.0.0.1", "0x7f.0.0.1",
      "127.0.0.01", "2130706433", "[::2]", "[::]", "[::ffff:127.0.0.1]", "[fe80::1]", "loc%61lhost",
      "127.0.0.256", "1.2.3.4"})
  void otherNamesAndAddressesAreMisdirected(String host) {
    HostRule.Refusal r = LOOPBACK.check(List.of(host));
    assertEquals(421, r == null ? 0 : r.status().code(), host);
    assertEquals(HostRule.FOREIGN_HOST, r.reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ":7402", "localhost:", "localhost:65536", "localhost:123456", "localhost:-1",
      "localhost:+80", "localhost:80:80", "localhost :80", "local host", "[::1%25lo]", "[::1%lo]:80",
      "[fe80::1%eth0]", "[::1", "::1", "::1]", "[::1]x", "[::1]:", "[::1]]", "[127.0.0.1]", "[v1.x]",
      "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[12345::1]", "[:::1]", "[::1:]", "127.0.0.1/x", "user@localhost",
      "localhost\t", "évil", "localhost, evil.example", "%zz"})
  void malformedValuesAreBadRequests(String host) {
    HostRule.Refusal r = LOOPBACK.check(List.of(host));
    assertEquals(400, r == null ? 0 : r.status().code(), host);
    assertEquals(HostRule.MALFORMED_HOST, r.reason(), host);
  }

  @Test
  void noHostOrSeveralAreBadRequests() {
    assertEquals(new HostRule.Refusal(io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST, HostRule.NO_HOST),
        LOOPBACK.check(List.of()));
    HostRule.Refusal two = LOOPBACK.check(List.of("localhost", "localhost"));
    assertEquals(400, two.status().code());
    assertEquals(HostRule.SEVERAL_HOSTS, two.reason());
  }

  @Test
  void aNonLoopbackBindAlsoAcceptsExactlyItsAddress() throws Exception {
    HostRule v4 = bound("192.168.7.5");
    assertNull(v4.check(List.of("192.168.7.5:7402")));
    assertNull(v4.check(List.of("localhost")));
    assertEquals(421, v4.check(List.of("192.168.7.6")).status().code());
    assertEquals(421, v4.check(List.of("mypc.local")).status().code());

    HostRule v6 = bound("2001:db8::5");
    assertNull(v6.check(List.of("[2001:db8::5]:7402")));
    assertNull(v6.check(List.of("[2001:0db8:0:0:0:0:0:5]")));
    assertEquals(421, v6.check(List.of("[2001:db8::6]")).status().code());
    assertEquals(400, v6.check(List.of("[2001:db8::5%25eth0]")).status().code());
  }

  @Test
  void aWildcardBindAcceptsAnyAddressLiteralButNoOtherName() throws Exception {
    for (String any : new String[] {"0.0.0.0", "::"}) {
      HostRule rule = bound(any);
      assertNull(rule.check(List.of("192.168.7.5:7402")), any);
      assertNull(rule.check(List.of("[2001:db8::5]")), any);
      assertNull(rule.check(List.of("localhost:7402")), any);
      assertEquals(421, rule.check(List.of("evil.example")).status().code(), any);
      assertEquals(421, rule.check(List.of("192.168.7.5.nip.io")).status().code(), any);
    }
  }

  @Test
  void ipv6TextForms() {
    byte[] one = new byte[16];
    one[15] = 1;
    assertArrayEquals(one, HostRule.ipv6("::1"));
    assertArrayEquals(one, HostRule.ipv6("0:0:0:0:0:0:0:1"));
    assertArrayEquals(one, HostRule.ipv6("0::0:1"));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1},
        HostRule.ipv6("::ffff:127.0.0.1"));
    assertArrayEquals(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        HostRule.ipv6("2001:db8::"));
    assertNull(HostRule.ipv6("1:2:3:4:5:6:7"));
    assertNull(HostRule.ipv6("1:2:3:4:5:6:7::8"));
    assertNull(HostRule.ipv6("::1.2.3.4:5"));
    assertNull(HostRule.ipv6(""));
  }
}
