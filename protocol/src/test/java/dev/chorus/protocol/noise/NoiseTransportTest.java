package dev.chorus.protocol.noise;

import static dev.chorus.protocol.noise.NoiseTestSupport.XX_AESGCM;
import static dev.chorus.protocol.noise.NoiseTestSupport.XX_CHACHA;
import static dev.chorus.protocol.noise.NoiseTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.protocol.noise.NoiseTestSupport.Keys;
import dev.chorus.protocol.noise.NoiseTestSupport.Pair;
import dev.chorus.protocol.wire.ErrorCode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoiseTransportTest {

  private static void assertCode(ErrorCode expected, Executable executable) {
    NoiseException e = assertThrows(NoiseException.class, executable);
    assertEquals(expected, e.code(), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void everyTamperedByteFailsAndTheGenuineMessageStillDecrypts(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(protocol);
    byte[] plaintext = bytes(100);
    byte[] ciphertext = pair.initiator.encrypt(plaintext);
    for (int i = 0; i < ciphertext.length; i++) {
      byte[] tampered = ciphertext.clone();
      tampered[i] ^= (byte) 0x80;
      assertCode(ErrorCode.DECRYPT_FAILED, () -> pair.responder.decrypt(tampered));
    }
    assertCode(ErrorCode.DECRYPT_FAILED, () -> pair.responder.decrypt(Arrays.copyOf(ciphertext, 99)));
    assertCode(ErrorCode.DECRYPT_FAILED, () -> pair.responder.decrypt(new byte[15]));
    assertEquals(0, pair.responder.receiveNonce(), "failures do not advance the nonce");
    assertArrayEquals(plaintext, pair.responder.decrypt(ciphertext));
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void replayedReorderedAndDroppedMessagesFail(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(protocol);
    byte[] first = pair.initiator.encrypt(bytes(10));
    byte[] second = pair.initiator.encrypt(bytes(10));
    byte[] third = pair.initiator.encrypt(bytes(10));
    assertCode(ErrorCode.DECRYPT_FAILED, () -> pair.responder.decrypt(second)); // reordered
    pair.responder.decrypt(first);
    assertCode(ErrorCode.DECRYPT_FAILED, () -> pair.responder.decrypt(first)); // replayed
    assertCode(ErrorCode.DECRYPT_FAILED, () -> pair.responder.decrypt(third)); // second dropped
    pair.responder.decrypt(second);
    pair.responder.decrypt(third);
    assertEquals(3, pair.responder.receiveNonce());
    assertEquals(3, pair.initiator.sendNonce());
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void nonceExhaustion(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(protocol);
    pair.initiator.setSendNonceForTesting(-3L); // 2^64 - 3
    pair.responder.setReceiveNonceForTesting(-3L);
    for (int i = 0; i < 2; i++) {
      byte[] message = bytes(20);
      assertArrayEquals(message, pair.responder.decrypt(pair.initiator.encrypt(message)));
    }
    assertEquals("18446744073709551615", Long.toUnsignedString(pair.initiator.sendNonce()));
    assertCode(ErrorCode.NONCE_EXHAUSTED, () -> pair.initiator.encrypt(bytes(20)));
    assertCode(ErrorCode.NONCE_EXHAUSTED, () -> pair.responder.decrypt(bytes(36)));
    assertCode(ErrorCode.NONCE_EXHAUSTED,
        () -> pair.initiator.encrypt(ByteBuffer.allocate(1), ByteBuffer.allocate(17)));
    // The other direction is unaffected.
    byte[] message = bytes(20);
    assertArrayEquals(message, pair.initiator.decrypt(pair.responder.encrypt(message)));
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void automaticRekeyStaysInLockstepAcrossManyMessages(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(new Keys(protocol), 3);
    for (int i = 0; i < 200; i++) {
      byte[] a = bytes(i);
      assertArrayEquals(a, pair.responder.decrypt(pair.initiator.encrypt(a)), "message " + i);
      if (i % 3 != 1) { // uneven traffic: the directions rekey at different times
        byte[] b = bytes(i + 1);
        assertArrayEquals(b, pair.initiator.decrypt(pair.responder.encrypt(b)), "reply " + i);
      }
    }
    assertEquals(200, pair.initiator.sendNonce());
    assertEquals(3, pair.initiator.rekeyIntervalMessages());
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void automaticRekeyChangesTheKeyAfterTheInterval(String protocol) throws Exception {
    Keys keys = new Keys(protocol);
    NoiseTransport rekeying = NoiseTestSupport.connect(keys, 3).initiator;
    NoiseTransport plain = NoiseTestSupport.connect(keys, 0).initiator;
    byte[] message = new byte[32];
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(plain.encrypt(message), rekeying.encrypt(message), "before rekey, " + i);
    }
    assertFalse(Arrays.equals(plain.encrypt(message), rekeying.encrypt(message)), "after rekey");
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void desynchronisedRekeyFailsToDecrypt(String protocol) throws Exception {
    Keys keys = new Keys(protocol);
    NoiseTransport sender = NoiseTestSupport.connect(keys, 3).initiator;
    NoiseTransport receiver = NoiseTestSupport.connect(keys, 0).responder;
    for (int i = 0; i < 3; i++) {
      receiver.decrypt(sender.encrypt(bytes(8)));
    }
    byte[] fourth = sender.encrypt(bytes(8));
    assertCode(ErrorCode.DECRYPT_FAILED, () -> receiver.decrypt(fourth));
    receiver.rekeyReceive(); // catching up by hand restores the lockstep
    receiver.decrypt(fourth);
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void manualRekeyMustBeMatchedByThePeer(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(protocol);
    pair.initiator.rekeySend();
    pair.responder.rekeyReceive();
    byte[] message = bytes(40);
    assertArrayEquals(message, pair.responder.decrypt(pair.initiator.encrypt(message)));
    assertEquals(1, pair.initiator.sendNonce(), "rekey keeps the nonce");
    pair.responder.rekeySend();
    assertCode(ErrorCode.DECRYPT_FAILED, () -> pair.initiator.decrypt(pair.responder.encrypt(message)));
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void sizeLimits(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(protocol);
    byte[] largest = bytes(NoiseTransport.MAX_PLAINTEXT_LENGTH);
    byte[] ciphertext = pair.initiator.encrypt(largest);
    assertEquals(65535, ciphertext.length);
    assertArrayEquals(largest, pair.responder.decrypt(ciphertext));
    assertCode(ErrorCode.FRAME_TOO_LARGE, () -> pair.initiator.encrypt(new byte[65520]));
    assertCode(ErrorCode.FRAME_TOO_LARGE, () -> pair.responder.decrypt(new byte[65536]));
    assertArrayEquals(new byte[0], pair.responder.decrypt(pair.initiator.encrypt(new byte[0])));
    assertEquals(2, pair.initiator.sendNonce(), "refused messages use no nonce");
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void outputBufferTooSmallConsumesNothing(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(protocol);
    ByteBuffer plaintext = ByteBuffer.wrap(bytes(100));
    assertThrows(IllegalArgumentException.class,
        () -> pair.initiator.encrypt(plaintext, ByteBuffer.allocate(115)));
    assertEquals(0, plaintext.position());
    ByteBuffer ciphertext = ByteBuffer.allocate(116);
    pair.initiator.encrypt(plaintext, ciphertext);
    ciphertext.flip();
    assertThrows(IllegalArgumentException.class,
        () -> pair.responder.decrypt(ciphertext, ByteBuffer.allocate(99)));
    assertEquals(0, ciphertext.position());
    assertEquals(100, pair.responder.decrypt(ciphertext, ByteBuffer.allocate(100)));
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void heapAndDirectBuffersInEveryCombination(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(protocol);
    for (int combination = 0; combination < 16; combination++) {
      byte[] plaintext = bytes(16 * 1024 + combination);
      ByteBuffer in = buffer(plaintext.length, (combination & 1) != 0);
      in.put(plaintext).flip();
      ByteBuffer sealed = buffer(plaintext.length + 16, (combination & 2) != 0);
      assertEquals(plaintext.length + 16, pair.initiator.encrypt(in, sealed));
      assertFalse(in.hasRemaining());
      assertFalse(sealed.hasRemaining());
      sealed.flip();
      ByteBuffer opened = buffer(plaintext.length, (combination & 4) != 0);
      assertEquals(plaintext.length, pair.responder.decrypt(sealed, opened));
      assertFalse(sealed.hasRemaining());
      byte[] result = new byte[plaintext.length];
      opened.flip().get(result);
      assertArrayEquals(plaintext, result, "combination " + combination);
    }
  }

  /** Buffers with a non-zero offset and limit, as a frame layer would hand them over. */
  private static ByteBuffer buffer(int length, boolean direct) {
    ByteBuffer backing = direct ? ByteBuffer.allocateDirect(length + 10) : ByteBuffer.allocate(length + 10);
    backing.position(3).limit(3 + length);
    return backing.slice();
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void inPlaceInOneArrayAndReadOnlyInput(String protocol) throws Exception {
    Pair pair = NoiseTestSupport.connect(protocol);
    byte[] plaintext = bytes(1000);
    byte[] frame = Arrays.copyOf(plaintext, 1016);
    // Encrypt in place: the ciphertext overwrites the plaintext it is made from.
    pair.initiator.encrypt(ByteBuffer.wrap(frame, 0, 1000), ByteBuffer.wrap(frame));
    assertFalse(Arrays.equals(plaintext, Arrays.copyOf(frame, 1000)));
    // Decrypt in place, from a read-only view of the same array.
    ByteBuffer out = ByteBuffer.wrap(frame, 0, 1000);
    pair.responder.decrypt(ByteBuffer.wrap(frame).asReadOnlyBuffer(), out);
    assertArrayEquals(plaintext, Arrays.copyOf(frame, 1000));
  }

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void byteArrayAndByteBufferApisProduceTheSameCiphertext(String protocol) throws Exception {
    Keys keys = new Keys(protocol);
    NoiseTransport a = NoiseTestSupport.connect(keys, 0).initiator;
    NoiseTransport b = NoiseTestSupport.connect(keys, 0).initiator;
    byte[] plaintext = bytes(500);
    ByteBuffer out = ByteBuffer.allocateDirect(516);
    b.encrypt(ByteBuffer.wrap(plaintext), out);
    byte[] viaBuffer = new byte[516];
    out.flip().get(viaBuffer);
    assertArrayEquals(a.encrypt(plaintext), viaBuffer);
  }
}
