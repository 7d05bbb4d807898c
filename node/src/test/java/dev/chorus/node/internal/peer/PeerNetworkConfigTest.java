package dev.chorus.node.internal.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.noise.NoiseKeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class PeerNetworkConfigTest {
  private static final NoiseKeyPair KEY = NoiseKeyPair.generateX25519(new SecureRandom());

  @Test
  void defaults() {
    PeerNetworkConfig c = PeerNetworkConfig.builder(KEY).build();
    assertEquals("0.0.0.0", c.bindAddress().getHostAddress());
    assertEquals(0, c.listenPort());
    assertTrue(c.acceptIncoming());
    assertEquals(60, c.maxConnections());
    assertEquals(0, c.uploadBytesPerSecond());
    assertEquals(1 << 20, c.maxFrameBytes());
    assertEquals(64, c.maxRunChunks());
    assertEquals(1 << 20, c.maxChunkBytes());
    assertEquals(2, c.maxQueryHops());
    assertEquals(Duration.ofSeconds(5), c.handshakeTimeout());
    assertEquals(Duration.ofSeconds(120), c.idleTimeout());
    assertEquals(Duration.ofSeconds(10), c.pingInterval());
    assertEquals(Duration.ofMinutes(10), c.banDuration());
    assertEquals(List.of("overlay-query"), c.capabilities());
    assertFalse(PeerNetworkConfig.builder(KEY).acceptIncoming(false).build().acceptIncoming());
  }

  @Test
  void errorsNameTheSetting() {
    refused("listenPort", b -> b.listenPort(65536));
    refused("maxConnections", b -> b.maxConnections(0));
    refused("uploadBytesPerSecond", b -> b.uploadBytesPerSecond(-1));
    refused("maxFrameBytes", b -> b.maxFrameBytes(100));
    refused("maxRunChunks", b -> b.maxRunChunks(0));
    refused("maxChunkBytes", b -> b.maxChunkBytes(0));
    refused("maxQueryHops", b -> b.maxQueryHops(-1));
    refused("handshakeTimeout", b -> b.handshakeTimeout(Duration.ZERO));
    refused("idleTimeout", b -> b.idleTimeout(Duration.ofSeconds(-1)));
    refused("pingInterval", b -> b.pingInterval(Duration.ofSeconds(200)));
    refused("banDuration", b -> b.banDuration(Duration.ZERO));
    refused("capabilities", b -> b.capabilities(List.of("")));
  }

  private static void refused(String key, UnaryOperator<PeerNetworkConfig.Builder> setting) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> setting.apply(PeerNetworkConfig.builder(KEY)).build());
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
  }
}
