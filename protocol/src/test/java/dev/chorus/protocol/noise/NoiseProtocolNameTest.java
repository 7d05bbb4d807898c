package dev.chorus.protocol.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoiseProtocolNameTest {
  @Test
  void parsesAllParts() {
    NoiseProtocolName name = NoiseProtocolName.parse("Noise_XXpsk3_448_ChaChaPoly_BLAKE2b");
    assertEquals("Noise_XXpsk3_448_ChaChaPoly_BLAKE2b", name.toString());
    assertEquals("Noise_XXpsk3_448_ChaChaPoly_BLAKE2b", name.name());
    assertEquals("XXpsk3", name.handshakePattern());
    assertEquals("XX", name.basePattern());
    assertEquals(List.of(3), name.pskModifiers());
    assertEquals(NoiseDh.X448, name.dh());
    assertEquals("ChaChaPoly", name.cipher());
    assertEquals("BLAKE2b", name.hash());
    assertFalse(name.isOneWay());
    assertEquals(NoiseProtocolName.parse("Noise_XXpsk3_448_ChaChaPoly_BLAKE2b"), name);
  }

  @Test
  void combinedPskModifiersAndDeferredPatterns() {
    NoiseProtocolName name = NoiseProtocolName.parse("Noise_X1K1psk0+psk2_25519_AESGCM_SHA512");
    assertEquals("X1K1", name.basePattern());
    assertEquals(List.of(0, 2), name.pskModifiers());
    assertEquals(2, name.pattern().pskCount());
    assertTrue(NoiseProtocolName.parse("Noise_Npsk0_25519_AESGCM_SHA256").isOneWay());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Noise_XY_25519_AESGCM_SHA256 | handshake pattern 'XY'",
      "Noise_XXfallback_25519_AESGCM_SHA256 | pattern modifier 'fallback'",
      "Noise_XX_P256_AESGCM_SHA256 | DH function 'P256'",
      "Noise_XX_25519_AESOCB_SHA256 | cipher 'AESOCB'",
      "Noise_XX_25519_AESGCM_SHA3 | hash function 'SHA3'",
      "Noise_XXhfs_25519+Kyber1024_AESGCM_SHA256 | DH function '25519+Kyber1024'",
      "Noise_NNpsk3_25519_AESGCM_SHA256 | psk3",
      "Noise_NNpsk0+psk0_25519_AESGCM_SHA256 | duplicate modifier psk0",
      "Noise_XX_25519_AESGCM | not a Noise protocol name",
      "Nois_XX_25519_AESGCM_SHA256 | not a Noise protocol name",
  })
  void rejectsNamingTheUnsupportedPart(String name, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NoiseProtocolName.parse(name));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
