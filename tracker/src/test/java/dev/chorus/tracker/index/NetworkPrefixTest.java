package dev.chorus.tracker.index;

import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.ipv6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NetworkPrefixTest {
  private static NetworkPrefix quota(byte[] ip) {
    return PeerIndexConfig.defaults().quotaPrefix(ip);
  }

  @Test
  void everyAddressOfOneIpv6Slash64IsOneNetwork() {
    NetworkPrefix p = quota(ipv6("2001:db8:1:2::1"));
    assertEquals(p, quota(ipv6("2001:db8:1:2:ffff:ffff:ffff:ffff")));
    assertEquals(p, quota(ipv6("2001:db8:1:2:8000::42")));
    assertNotEquals(p, quota(ipv6("2001:db8:1:3::1")), "the next /64");
    assertNotEquals(p, quota(ipv6("2001:db8:1:1:ffff:ffff:ffff:ffff")), "the previous /64");
    assertEquals("2001:db8:1:2::/64", p.toString());
  }

  @Test
  void ipv4AddressesAreTheirOwnNetworkByDefault() {
    assertNotEquals(quota(ipv4(192, 0, 2, 1)), quota(ipv4(192, 0, 2, 2)));
    assertEquals(quota(ipv4(192, 0, 2, 1)), quota(ipv4(192, 0, 2, 1)));
    assertEquals("192.0.2.1/32", quota(ipv4(192, 0, 2, 1)).toString());
  }

  @Test
  void lengthsAreConfigurableAndChecked() {
    assertEquals(NetworkPrefix.of(ipv4(192, 0, 2, 1), 24, 64), NetworkPrefix.of(ipv4(192, 0, 2, 254), 24, 64));
    assertEquals(NetworkPrefix.of(ipv6("2001:db8:1:2::1"), 32, 48), NetworkPrefix.of(ipv6("2001:db8:1:ffff::1"), 32, 48));
    assertNotEquals(NetworkPrefix.of(ipv6("2001:db8:1:2::1"), 32, 56), NetworkPrefix.of(ipv6("2001:db8:1:ffff::1"), 32, 56));
    assertEquals("2001:db8:1:ff00::/56", NetworkPrefix.of(ipv6("2001:db8:1:ffff::1"), 32, 56).toString());
    assertThrows(IllegalArgumentException.class, () -> NetworkPrefix.of(ipv4(1, 2, 3, 4), 33, 64));
    assertThrows(IllegalArgumentException.class, () -> NetworkPrefix.of(ipv4(1, 2, 3, 4), 32, 65));
    assertThrows(IllegalArgumentException.class, () -> NetworkPrefix.of(ipv4(1, 2, 3, 4), 0, 64));
    assertThrows(IllegalArgumentException.class, () -> PeerIndexConfig.builder().quotaPrefix(32, 96).build());
  }

  @Test
  void familiesNeverCollide() {
    // ::c000:201/32 would mask to the same bits as 192.0.2.1/32 if the family were not compared
    assertNotEquals(NetworkPrefix.of(ipv4(0, 0, 0, 0), 1, 1), NetworkPrefix.of(ipv6("::1"), 1, 1));
  }

  @Test
  void theRankingPrefixKeepsItsPackedForm() {
    assertEquals(NetworkPrefix.pack(ipv4(203, 0, 113, 5)), NetworkPrefix.of(ipv4(203, 0, 113, 200)).packed());
    assertEquals(NetworkPrefix.pack(ipv6("2001:db8:5:ffff::2")), NetworkPrefix.of(ipv6("2001:db8:5::1")).packed());
    assertThrows(IllegalStateException.class, () -> quota(ipv4(1, 2, 3, 4)).packed());
  }
}
