package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.netty.Transport;
import java.net.URI;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  static final String KEY = "ab".repeat(32);

  @Test
  void anOriginIsAllThatIsRequired() {
    NodeConfig c = NodeConfig.builder().origin(URI.create("http://127.0.0.1:8080/")).build();
    assertEquals(0, c.listenPort());
    assertTrue(c.acceptIncoming());
    assertTrue(c.cacheDirectory().isEmpty());
    assertEquals(false, c.hasTracker());
  }

  @Test
  void theSocketsAreOnNioUnlessChosen() {
    assertEquals(Transport.NIO, NodeConfig.builder().origin(URI.create("http://o/")).build().transport());
    assertEquals(Transport.preferred(),
        NodeConfig.builder().origin(URI.create("http://o/")).transport(Transport.preferred()).build().transport());
    assertThrows(NullPointerException.class, () -> NodeConfig.builder().transport(null));
  }

  @Test
  void theTrackerIsParsedFromKeyAtHostPort() {
    NodeConfig c = NodeConfig.builder().origin(URI.create("http://o/")).tracker(KEY + "@tracker.example:7400").build();
    assertEquals("tracker.example", c.trackerHost());
    assertEquals(7400, c.trackerPort());
    assertArrayEquals(HexFormat.of().parseHex(KEY), c.trackerKey());
    NodeConfig v6 = NodeConfig.builder().origin(URI.create("http://o/")).tracker(KEY + "@[::1]:7400").build();
    assertEquals("::1", v6.trackerHost());
  }

  @Test
  void aBucketIsAnOriginWithItsEndpointAndRegion() {
    NodeConfig c = NodeConfig.builder().origin(URI.create("https://cdn.example/catalog/"))
        .origin(URI.create("s3://music/catalog")).s3Endpoint(URI.create("http://127.0.0.1:9000"))
        .s3Region("eu-west-1").build();
    assertEquals(URI.create("s3://music/catalog"), c.origins().get(1));
    assertEquals(URI.create("http://127.0.0.1:9000"), c.s3Endpoint().orElseThrow());
    assertEquals("eu-west-1", c.s3Region().orElseThrow());
  }

  @Test
  void errorsNameTheKey() {
    assertMessage("origins[0]", () -> NodeConfig.builder().origin(URI.create("s3://No_Such/x")).build());
    assertMessage("s3.endpoint", () -> NodeConfig.builder().origin(URI.create("s3://music/x"))
        .s3Endpoint(URI.create("ftp://x")).build());
    assertMessage("origins", () -> NodeConfig.builder().build());
    assertMessage("origins[0]", () -> NodeConfig.builder().origin(URI.create("ftp://x/")).build());
    assertMessage("tracker", () -> NodeConfig.builder().tracker("nokey@host:1"));
    assertMessage("tracker", () -> NodeConfig.builder().tracker("zz".repeat(32) + "@host:1"));
    assertMessage("tracker port", () -> NodeConfig.builder().tracker(KEY + "@host:70000"));
    assertMessage("listenPort", () -> NodeConfig.builder().origin(URI.create("http://o/")).listenPort(-1).build());
    assertMessage("uploadBytesPerSecond",
        () -> NodeConfig.builder().origin(URI.create("http://o/")).uploadBytesPerSecond(-5).build());
  }

  private static void assertMessage(String key, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    assertTrue(x.getMessage().startsWith(key), x.getMessage());
  }

  @Test
  void telemetryIsOnOnceAMinuteByDefaultAndNotMoreOftenThanATrackerAccepts() {
    NodeConfig c = NodeConfig.builder().origin(URI.create("http://o/")).build();
    assertTrue(c.telemetry());
    assertEquals(java.time.Duration.ofMinutes(1), c.telemetryInterval());
    NodeConfig often = NodeConfig.builder().origin(URI.create("http://o/"))
        .telemetryInterval(java.time.Duration.ofSeconds(10)).build();
    assertEquals(java.time.Duration.ofSeconds(10), often.telemetryInterval());
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.builder().telemetryInterval(java.time.Duration.ofSeconds(9)));
    assertTrue(x.getMessage().contains("at least 10 s"), x.getMessage());
  }
}
