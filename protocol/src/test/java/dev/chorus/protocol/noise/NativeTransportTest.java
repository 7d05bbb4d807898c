package dev.chorus.protocol.noise;

import static dev.chorus.protocol.noise.NoiseTestSupport.XX_AESGCM;
import static dev.chorus.protocol.noise.NoiseTestSupport.XX_CHACHA;
import static dev.chorus.protocol.noise.NoiseTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.noise.NoiseTestSupport.Keys;
import dev.chorus.protocol.noise.NoiseTestSupport.Pair;
import dev.chorus.protocol.wire.ErrorCode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Transport messages through libsodium's AES-GCM on native memory ({@link SodiumAesGcm}): the
 * same bytes as the JDK's cipher, in either direction and mixed message by message, and the same
 * failures.
 */
class NativeTransportTest {

  @BeforeEach
  void needsLibsodium() {
    LibsodiumAesGcm.require();
  }

  private static void assertCode(ErrorCode expected, Executable executable) {
    NoiseException e = assertThrows(NoiseException.class, executable);
    assertEquals(expected, e.code(), e.getMessage());
  }

  @Test
  void nativeAndJdkGiveTheSameBytesAndReadEachOther() throws Exception {
    Keys keys = new Keys(XX_AESGCM);
    Pair jdk = NoiseTestSupport.connect(keys, 0);
    Pair nativeSide = NoiseTestSupport.connect(keys, 0);
    assertTrue(nativeSide.initiator.usesNativeMemory());
    for (int length : new int[] {0, 1, 15, 16, 17, 100, 1500, 4096, NoiseTransport.MAX_PLAINTEXT_LENGTH}) {
      byte[] plaintext = bytes(length);
      byte[] expected = jdk.initiator.encrypt(plaintext);
      byte[] viaNative = NativeMemory.encrypt(nativeSide.initiator, plaintext);
      assertArrayEquals(expected, viaNative, length + " bytes");
      assertArrayEquals(plaintext, jdk.responder.decrypt(viaNative), length + " bytes, JDK reads native");
      assertArrayEquals(plaintext, NativeMemory.decrypt(nativeSide.responder, expected), length + " bytes, native reads JDK");
    }
  }

  @Test
  void nativeAndByteBufferMessagesInterleaveOnOneTransport() throws Exception {
    Pair pair = NoiseTestSupport.connect(XX_AESGCM);
    for (int i = 0; i < 20; i++) {
      byte[] plaintext = bytes(37 * i);
      byte[] ciphertext = i % 2 == 0 ? NativeMemory.encrypt(pair.initiator, plaintext) : pair.initiator.encrypt(plaintext);
      byte[] decrypted = i % 3 == 0 ? NativeMemory.decrypt(pair.responder, ciphertext) : pair.responder.decrypt(ciphertext);
      assertArrayEquals(plaintext, decrypted, "message " + i);
    }
    assertEquals(20, pair.responder.receiveNonce());
  }

  @Test
  void inPlaceEncryption() throws Exception {
    Keys keys = new Keys(XX_AESGCM);
    NoiseTransport reference = NoiseTestSupport.connect(keys, 0).initiator;
    NoiseTransport transport = NoiseTestSupport.connect(keys, 0).initiator;
    byte[] plaintext = bytes(1000);
    ByteBuffer buffer = ByteBuffer.allocateDirect(1016);
    buffer.put(0, plaintext);
    long address = NativeMemory.address(buffer);
    assertEquals(1016, transport.encryptNative(address, 1000, address));
    byte[] ciphertext = new byte[1016];
    buffer.get(0, ciphertext);
    assertArrayEquals(reference.encrypt(plaintext), ciphertext);
  }

  @Test
  void everyTamperedByteFailsWithoutAdvancingTheNonce() throws Exception {
    Pair pair = NoiseTestSupport.connect(XX_AESGCM);
    byte[] plaintext = bytes(100);
    byte[] ciphertext = NativeMemory.encrypt(pair.initiator, plaintext);
    for (int i = 0; i < ciphertext.length; i++) {
      byte[] tampered = ciphertext.clone();
      tampered[i] ^= (byte) 0x01;
      assertCode(ErrorCode.DECRYPT_FAILED, () -> NativeMemory.decrypt(pair.responder, tampered));
    }
    assertCode(ErrorCode.DECRYPT_FAILED, () -> NativeMemory.decrypt(pair.responder, Arrays.copyOf(ciphertext, 99)));
    assertCode(ErrorCode.DECRYPT_FAILED, () -> NativeMemory.decrypt(pair.responder, new byte[15]));
    assertEquals(0, pair.responder.receiveNonce(), "failures do not advance the nonce");
    assertArrayEquals(plaintext, NativeMemory.decrypt(pair.responder, ciphertext));
  }

  @Test
  void replayedAndReorderedMessagesFail() throws Exception {
    Pair pair = NoiseTestSupport.connect(XX_AESGCM);
    byte[] first = NativeMemory.encrypt(pair.initiator, bytes(10));
    byte[] second = NativeMemory.encrypt(pair.initiator, bytes(10));
    assertCode(ErrorCode.DECRYPT_FAILED, () -> NativeMemory.decrypt(pair.responder, second));
    NativeMemory.decrypt(pair.responder, first);
    assertCode(ErrorCode.DECRYPT_FAILED, () -> NativeMemory.decrypt(pair.responder, first));
    NativeMemory.decrypt(pair.responder, second);
  }

  @Test
  void sizeLimitsAndNonceExhaustion() throws Exception {
    Pair pair = NoiseTestSupport.connect(XX_AESGCM);
    assertCode(ErrorCode.FRAME_TOO_LARGE,
        () -> pair.initiator.encryptNative(0, NoiseTransport.MAX_PLAINTEXT_LENGTH + 1, 0));
    assertCode(ErrorCode.FRAME_TOO_LARGE,
        () -> pair.responder.decryptNative(0, NoiseTransport.MAX_MESSAGE_LENGTH + 1, 0));
    pair.initiator.setSendNonceForTesting(-2L);
    NativeMemory.encrypt(pair.initiator, bytes(5));
    assertCode(ErrorCode.NONCE_EXHAUSTED, () -> NativeMemory.encrypt(pair.initiator, bytes(5)));
  }

  @Test
  void automaticRekeyAppliesToTheNativeKey() throws Exception {
    Keys keys = new Keys(XX_AESGCM);
    Pair jdk = NoiseTestSupport.connect(keys, 3);
    Pair nativeSide = NoiseTestSupport.connect(keys, 3);
    for (int i = 0; i < 10; i++) {
      byte[] plaintext = bytes(64);
      byte[] viaNative = NativeMemory.encrypt(nativeSide.initiator, plaintext);
      assertArrayEquals(jdk.initiator.encrypt(plaintext), viaNative, "message " + i);
      assertArrayEquals(plaintext, NativeMemory.decrypt(nativeSide.responder, viaNative), "message " + i);
    }
  }

  @Test
  void chaChaPolyDoesNotUseNativeMemory() throws Exception {
    Pair pair = NoiseTestSupport.connect(XX_CHACHA);
    assertFalse(pair.initiator.usesNativeMemory());
    assertThrows(IllegalStateException.class, () -> pair.initiator.encryptNative(0, 0, 0));
  }

  @Test
  void selection() {
    assertTrue(SodiumAesGcm.select("auto", null));
    assertFalse(SodiumAesGcm.select("auto", "libsodium not found"));
    assertTrue(SodiumAesGcm.select("libsodium", null));
    assertFalse(SodiumAesGcm.select("jdk", null));
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> SodiumAesGcm.select("libsodium", "libsodium not found"));
    assertTrue(missing.getMessage().contains("libsodium not found"), missing.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SodiumAesGcm.select("openssl", null));
  }
}
