package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpRangeTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void aRangeContainsExactlyTheAddressesUnderItsPrefix() throws Exception {
    IpRange r = IpRange.parse("10.64.0.0/10");
    assertTrue(r.contains(ip("10.64.0.1")));
    assertTrue(r.contains(ip("10.127.255.255")));
    assertFalse(r.contains(ip("10.128.0.0")));
    assertFalse(r.contains(ip("10.63.255.255")));
    assertTrue(IpRange.parse("fd00::/8").contains(ip("fd12::1")));
    assertFalse(IpRange.parse("fd00::/8").contains(ip("10.64.0.1")));
    assertTrue(IpRange.parse("0.0.0.0/0").contains(ip("8.8.8.8")));
    assertEquals("10.64.0.0/10", r.toString());
  }

  @Test
  void badNetworksAreRefusedWithWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0"))
        .getMessage().contains("CIDR"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/33"))
        .getMessage().contains("0..32"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> IpRange.parse("example.com/8"))
        .getMessage().contains("literal"));
  }

  @Test
  void onlyGloballyRoutedUnicastAddressesArePublic() throws Exception {
    for (String notPublic : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.1.1",
        "100.64.0.1", "192.0.2.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "0.0.0.0", "::1", "fe80::1",
        "fd00::1", "2001:db8::1"}) {
      assertFalse(IpRange.isPublic(ip(notPublic)), notPublic);
    }
    for (String isPublic : new String[] {"8.8.8.8", "1.1.1.1", "2a00:1450:4001::1"}) {
      assertTrue(IpRange.isPublic(ip(isPublic)), isPublic);
    }
  }
}
