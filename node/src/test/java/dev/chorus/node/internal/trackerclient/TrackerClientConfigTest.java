package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.noise.NoiseKeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.BitSet;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TrackerClientConfigTest {
  private static final String KEY = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";
  private final NoiseKeyPair ours = NoiseKeyPair.generateX25519(new SecureRandom());

  @Test
  void parsesKeyAtHostPort() {
    TrackerEndpoint e = TrackerEndpoint.parse(KEY + "@tracker.example.org:7070");
    assertArrayEquals(HexFormat.of().parseHex(KEY), e.publicKey());
    assertEquals("tracker.example.org", e.host());
    assertEquals(7070, e.port());
    assertEquals(KEY + "@tracker.example.org:7070", e.toString());
    TrackerEndpoint v6 = TrackerEndpoint.parse(KEY.toUpperCase() + "@[::1]:7070");
    assertEquals("::1", v6.host());
    assertEquals(v6, TrackerEndpoint.parse(v6.toString()));
  }

  @Test
  void parseErrorsNameThePartThatIsWrong() {
    assertMessage("must be <64 hex digits of the tracker key>@host:port", "tracker.example.org:7070");
    assertMessage("tracker key must be 64 hex digits, got 62", KEY.substring(2) + "@h:1");
    assertMessage("found 'x' at position 0", "x" + KEY.substring(1) + "@h:1");
    assertMessage("must be host:port", KEY + "@h");
    assertMessage("tracker port in 'h:http' must be a number", KEY + "@h:http");
    assertMessage("tracker port must be 1..65535, was 0", KEY + "@h:0");
    assertMessage("put an IPv6 host in brackets", KEY + "@::1:7070");
    assertMessage("has no host", KEY + "@:7070");
  }

  private static void assertMessage(String expected, String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrackerEndpoint.parse(text));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void defaults() {
    TrackerClientConfig c = TrackerClientConfig.builder(ours).tracker(KEY + "@127.0.0.1:7070").build();
    assertEquals(0, c.listenPort());
    assertEquals("", c.region());
    assertEquals(1000, c.maxTracksPerAnnounce());
    assertEquals(Duration.ofSeconds(5), c.lookupTimeout());
    assertEquals(10, c.maxPeersPerLookup());
    assertEquals(Duration.ofMillis(500), c.reconnectInitialBackoff());
    assertEquals(Duration.ofSeconds(30), c.reconnectMaxBackoff());
    assertEquals(Duration.ofMinutes(5), c.refreshInterval());
  }

  @Test
  void buildNamesTheBadSetting() {
    assertBuild("tracker must be set", b -> b);
    assertBuild("tracker key must be 64 hex digits", b -> b.tracker("abc@h:1"));
    assertBuild("listenPort must be between 0 and 65535", b -> b.tracker(KEY + "@h:1").listenPort(70000));
    assertBuild("region must be at most 32", b -> b.tracker(KEY + "@h:1").region("x".repeat(33)));
    assertBuild("maxTracksPerAnnounce must be between 1", b -> b.tracker(KEY + "@h:1").maxTracksPerAnnounce(0));
    assertBuild("lookupTimeout must be positive", b -> b.tracker(KEY + "@h:1").lookupTimeout(Duration.ZERO));
    assertBuild("reconnectMaxBackoff (PT0.1S) must not be below reconnectInitialBackoff",
        b -> b.tracker(KEY + "@h:1").reconnectBackoff(Duration.ofSeconds(1), Duration.ofMillis(100)));
    assertBuild("lookupsPerSecond must be a positive number", b -> b.tracker(KEY + "@h:1").lookupRate(0, 1));
  }

  private void assertBuild(String expected, java.util.function.UnaryOperator<TrackerClientConfig.Builder> settings) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> settings.apply(TrackerClientConfig.builder(ours)).build());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void holdingsAreCheckedAgainstTheTrackersRules() {
    TrackId t = TrackId.fromBytes(new byte[32]);
    BitSet bits = new BitSet();
    bits.set(9);
    IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> Holding.partial(t, 9, bits));
    assertTrue(past.getMessage().contains("sets chunk 9 of a track of 9 chunks"), past.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Holding.partial(t, 0, new BitSet()));
    assertThrows(IllegalArgumentException.class, () -> Holding.complete(t, Holding.MAX_CHUNKS + 1));
    BitSet all = new BitSet();
    all.set(0, 10);
    assertTrue(Holding.partial(t, 10, all).isComplete(), "every chunk held is complete");
    Holding some = Holding.partial(t, 10, bits);
    assertFalse(some.isComplete());
    bits.clear();
    assertEquals(1, some.chunks().cardinality(), "copied, not shared");
    assertArrayEquals(new byte[] {0, 2}, some.bitmap());
  }

  @Test
  void aBoundNodeDialsItsTrackerFromItsAddressWhereThatAddressReachesIt() throws Exception {
    java.net.InetAddress lo2 = java.net.InetAddress.getByName("127.0.0.2");
    java.net.InetAddress lan = java.net.InetAddress.getByName("192.0.2.7");
    assertEquals(new java.net.InetSocketAddress(lo2, 0), TrackerClient.sourceAddress(lo2, "127.0.0.1"));
    assertEquals(new java.net.InetSocketAddress(lan, 0), TrackerClient.sourceAddress(lan, "198.51.100.1"));
    assertEquals(null, TrackerClient.sourceAddress(lo2, "198.51.100.1"), "loopback reaches only loopback");
    assertEquals(null, TrackerClient.sourceAddress(lo2, "::1"), "another family");
    assertEquals(null, TrackerClient.sourceAddress(lan, "tracker.example.com"), "a name: the system chooses");
    assertEquals(null, TrackerClient.sourceAddress(null, "127.0.0.1"), "not bound to one address");
    assertEquals(null, TrackerClientConfig.builder(ours).tracker(TrackerEndpoint.parse(KEY + "@127.0.0.1:7070"))
        .localAddress(java.net.InetAddress.getByName("0.0.0.0")).build().localAddress(), "the wildcard is no address");
  }
}
