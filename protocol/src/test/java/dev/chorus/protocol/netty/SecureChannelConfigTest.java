package dev.chorus.protocol.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.noise.NoiseKeyPair;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SecureChannelConfigTest {
  private final NoiseKeyPair key = NoiseKeyPair.generateX25519(EmbeddedPair.seeded(1));

  @Test
  void defaultsAreTheDocumentedOnes() {
    SecureChannelConfig config = SecureChannelConfig.builder(key).build();
    assertEquals(SecureChannelConfig.DEFAULT_PROTOCOL, config.protocolName());
    assertEquals(FrameFormat.DEFAULT_MAX_MESSAGE_BYTES, config.maxFrameBytes());
    assertEquals(Duration.ofSeconds(10), config.handshakeTimeout());
    assertEquals(1L << 20, config.rekeyIntervalMessages());
  }

  @Test
  void errorsNameTheSetting() {
    assertMessageNames("protocolName", b -> b.protocolName("Noise_NN_25519_AESGCM_SHA256"));
    assertMessageNames("protocolName", b -> b.protocolName("Noise_XX_448_AESGCM_SHA256"));
    assertMessageNames("protocolName", b -> b.protocolName("TLS"));
    assertMessageNames("pinnedRemoteKey", b -> b.pinnedRemoteKey(new byte[31]));
    assertMessageNames("maxFrameBytes", b -> b.maxFrameBytes(100));
    assertMessageNames("handshakeTimeout", b -> b.handshakeTimeout(Duration.ZERO));
    assertMessageNames("rekeyIntervalMessages", b -> b.rekeyIntervalMessages(-1));
  }

  @Test
  void chachaIsAccepted() {
    assertEquals(SecureChannelConfig.CHACHA_PROTOCOL,
        SecureChannelConfig.builder(key).protocolName(SecureChannelConfig.CHACHA_PROTOCOL).build().protocolName());
  }

  private void assertMessageNames(String setting, java.util.function.UnaryOperator<SecureChannelConfig.Builder> change) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> change.apply(SecureChannelConfig.builder(key)).build());
    assertTrue(e.getMessage().startsWith(setting), e.getMessage());
  }
}
