package dev.chorus.node.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Any {@code Host} value (bytes as Latin-1, as Netty hands header bytes over) through the stream
 * endpoint's DNS-rebinding rule: accepted only if it names a loopback host, an IP literal the
 * rule must accept (wildcard bind) or is refused with 400/421; its IP-literal readers agree with
 * the JDK's on every text they accept. Seeds in {@code HostRuleFuzzTestInputs/}; for a fuzzing run
 * see README.md (Testing).
 */
class HostRuleFuzzTest {
  private static final HostRule LOOPBACK = rule("127.0.0.1");
  private static final HostRule WILDCARD = rule("::");

  @FuzzTest(maxDuration = "30s")
  void acceptsOnlyLoopbackNames(byte[] input) throws UnknownHostException {
    String value = new String(input, StandardCharsets.ISO_8859_1);
    HostRule.Refusal loopback = LOOPBACK.check(List.of(value));
    HostRule.Refusal wildcard = WILDCARD.check(List.of(value));
    if (loopback == null) {
      assertNull(wildcard, "the wildcard rule accepts all the loopback rule does");
      String host = HostRule.hostPart(value);
      assertTrue(host.equalsIgnoreCase("localhost") || InetAddress.getByName(host).isLoopbackAddress(), value);
    }
    byte[] v4 = HostRule.ipv4(value);
    if (v4 != null) {
      assertArrayEquals(InetAddress.getByName(value).getAddress(), v4, value);
    }
    byte[] v6 = HostRule.ipv6(value);
    if (v6 != null) {
      assertEquals(16, v6.length);
      byte[] jdk = InetAddress.getByName("[" + value + "]").getAddress();
      if (jdk.length == 16) {
        assertArrayEquals(jdk, v6, value);
      }
    }
  }

  private static HostRule rule(String bind) {
    try {
      return HostRule.forBind(InetAddress.getByName(bind));
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
