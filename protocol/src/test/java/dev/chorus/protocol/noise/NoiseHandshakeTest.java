package dev.chorus.protocol.noise;

import static dev.chorus.protocol.noise.NoiseTestSupport.RANDOM;
import static dev.chorus.protocol.noise.NoiseTestSupport.XX_AESGCM;
import static dev.chorus.protocol.noise.NoiseTestSupport.XX_CHACHA;
import static dev.chorus.protocol.noise.NoiseTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.noise.NoiseTestSupport.Keys;
import dev.chorus.protocol.noise.NoiseTestSupport.Pair;
import dev.chorus.protocol.wire.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoiseHandshakeTest {

  @ParameterizedTest
  @ValueSource(strings = {XX_AESGCM, XX_CHACHA})
  void xxRoundTripWithGeneratedKeysExposesRemoteStatics(String protocolName) throws Exception {
    NoiseKeyPair alice = NoiseKeyPair.generateX25519(RANDOM);
    NoiseKeyPair bob = NoiseKeyPair.generateX25519(RANDOM);
    NoiseHandshake initiator = NoiseHandshake.builder(protocolName, true).localStatic(alice).build();
    NoiseHandshake responder = NoiseHandshake.builder(protocolName, false).localStatic(bob).build();

    assertTrue(initiator.isMyTurnToWrite());
    assertFalse(responder.isMyTurnToWrite());
    assertNull(initiator.remoteStaticKey());
    byte[] m1 = initiator.writeMessage(new byte[0]);
    assertEquals(32, m1.length);
    responder.readMessage(m1);
    byte[] m2 = responder.writeMessage("hi".getBytes(StandardCharsets.UTF_8));
    assertEquals(32 + 48 + 2 + 16, m2.length);
    assertEquals("hi", new String(initiator.readMessage(m2), StandardCharsets.UTF_8));
    assertArrayEquals(bob.publicKey(), initiator.remoteStaticKey());
    assertNull(responder.remoteStaticKey());
    responder.readMessage(initiator.writeMessage(new byte[0]));

    assertTrue(initiator.isComplete() && responder.isComplete());
    assertFalse(initiator.isMyTurnToWrite() || responder.isMyTurnToWrite());
    assertArrayEquals(alice.publicKey(), responder.remoteStaticKey());
    assertArrayEquals(initiator.handshakeHash(), responder.handshakeHash());
    assertEquals(32, initiator.handshakeHash().length);

    NoiseTransport a = initiator.split();
    NoiseTransport b = responder.split();
    assertArrayEquals(bob.publicKey(), a.remoteStaticKey());
    assertArrayEquals(alice.publicKey(), b.remoteStaticKey());
    assertArrayEquals(a.handshakeHash(), b.handshakeHash());
    assertArrayEquals(bob.publicKey(), initiator.remoteStaticKey(), "still readable after split");
    byte[] hello = bytes(1000);
    assertArrayEquals(hello, b.decrypt(a.encrypt(hello)));
    assertArrayEquals(hello, a.decrypt(b.encrypt(hello)));
  }

  /** Every pattern in the table, plain and with psk modifiers, over rotating suites. */
  @TestFactory
  List<DynamicTest> everyPatternRoundTrips() {
    String[] suites = {"25519_AESGCM_SHA256", "448_ChaChaPoly_BLAKE2b", "25519_ChaChaPoly_BLAKE2s",
        "448_AESGCM_SHA512"};
    List<DynamicTest> tests = new ArrayList<>();
    int i = 0;
    for (String base : HandshakePattern.names()) {
      int messages = HandshakePattern.lookup(base).messageCount();
      for (String modifier : List.of("", "psk0", "psk" + messages, "psk0+psk" + messages)) {
        String name = "Noise_" + base + modifier + "_" + suites[i++ % suites.length];
        tests.add(DynamicTest.dynamicTest(name, () -> roundTrip(name)));
      }
    }
    return tests;
  }

  private static void roundTrip(String name) throws NoiseException {
    Pair pair = NoiseTestSupport.connect(name);
    for (int i = 0; i < 5; i++) {
      byte[] message = bytes(i * 100);
      assertArrayEquals(message, pair.responder.decrypt(pair.initiator.encrypt(message)));
      if (!NoiseProtocolName.parse(name).isOneWay()) {
        assertArrayEquals(message, pair.initiator.decrypt(pair.responder.encrypt(message)));
      }
    }
  }

  @Test
  void oneWayPatternOnlyLetsTheInitiatorSend() throws Exception {
    Pair pair = NoiseTestSupport.connect("Noise_X_25519_AESGCM_SHA256");
    assertArrayEquals(new byte[] {1}, pair.responder.decrypt(pair.initiator.encrypt(new byte[] {1})));
    assertThrows(IllegalStateException.class, () -> pair.responder.encrypt(new byte[1]));
    assertThrows(IllegalStateException.class, () -> pair.initiator.decrypt(new byte[17]));
  }

  @Nested
  class Failures {
    @Test
    void everyTamperedByteOfAnAuthenticatedMessageFailsTheHandshake() throws Exception {
      Keys keys = new Keys(XX_AESGCM);
      NoiseHandshake probe = keys.builder(true).build();
      byte[] m1 = probe.writeMessage(new byte[0]);
      NoiseHandshake responder = keys.builder(false).build();
      responder.readMessage(m1);
      byte[] m2 = responder.writeMessage(bytes(10));
      for (int i = 0; i < m2.length; i++) {
        NoiseHandshake initiator = keys.builder(true).build();
        initiator.writeMessage(new byte[0]);
        byte[] tampered = m2.clone();
        tampered[i] ^= 0x01;
        NoiseException e = assertThrows(NoiseException.class, () -> initiator.readMessage(tampered));
        assertEquals(ErrorCode.HANDSHAKE_FAILED, e.code(), "byte " + i);
        assertThrows(IllegalStateException.class, () -> initiator.readMessage(m2),
            "a failed handshake stays failed");
        assertThrows(IllegalStateException.class, initiator::split);
      }
    }

    @Test
    void truncatedAndOversizedMessagesFail() throws Exception {
      for (int length : new int[] {0, 31, 32 + 48 + 15, 65536}) {
        NoiseHandshake initiator = NoiseHandshake.builder(XX_AESGCM, true)
            .localStatic(NoiseKeyPair.generateX25519(RANDOM)).build();
        initiator.writeMessage(new byte[0]);
        NoiseException e = assertThrows(NoiseException.class,
            () -> initiator.readMessage(new byte[length]));
        assertEquals(ErrorCode.HANDSHAKE_FAILED, e.code(), "length " + length);
      }
    }

    @Test
    void oversizedPayloadIsRefusedWithoutSpoilingTheHandshake() throws Exception {
      Keys keys = new Keys(XX_AESGCM);
      NoiseHandshake initiator = keys.builder(true).build();
      NoiseException e = assertThrows(NoiseException.class,
          () -> initiator.writeMessage(new byte[65535 - 31]));
      assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
      byte[] largest = bytes(65535 - 32);
      NoiseHandshake responder = keys.builder(false).build();
      assertArrayEquals(largest, responder.readMessage(initiator.writeMessage(largest)));
    }

    @Test
    void writingOrReadingOutOfTurnIsAnError() throws Exception {
      Keys keys = new Keys(XX_AESGCM);
      NoiseHandshake initiator = keys.builder(true).build();
      NoiseHandshake responder = keys.builder(false).build();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> responder.writeMessage(new byte[0]));
      assertTrue(e.getMessage().contains("written by the initiator"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> initiator.readMessage(new byte[32]));
      NoiseTestSupport.connect(initiator, responder, 0);
      assertThrows(IllegalStateException.class, () -> initiator.writeMessage(new byte[0]));
    }

    @Test
    void pinnedRemoteStaticKeyIsEnforced() throws Exception {
      NoiseKeyPair server = NoiseKeyPair.generateX25519(RANDOM);
      NoiseKeyPair impostor = NoiseKeyPair.generateX25519(RANDOM);
      NoiseKeyPair client = NoiseKeyPair.generateX25519(RANDOM);

      Pair good = NoiseTestSupport.connect(
          NoiseHandshake.builder(XX_AESGCM, true).localStatic(client).remoteStatic(server.publicKey()).build(),
          NoiseHandshake.builder(XX_AESGCM, false).localStatic(server).build(), 0);
      assertArrayEquals(server.publicKey(), good.initiator.remoteStaticKey());

      NoiseHandshake initiator = NoiseHandshake.builder(XX_AESGCM, true)
          .localStatic(client).remoteStatic(server.publicKey()).build();
      NoiseHandshake responder = NoiseHandshake.builder(XX_AESGCM, false).localStatic(impostor).build();
      responder.readMessage(initiator.writeMessage(new byte[0]));
      byte[] m2 = responder.writeMessage(new byte[0]);
      NoiseException e = assertThrows(NoiseException.class, () -> initiator.readMessage(m2));
      assertEquals(ErrorCode.AUTHENTICATION_FAILED, e.code());
      assertThrows(IllegalStateException.class, () -> initiator.writeMessage(new byte[0]));
    }

    @Test
    void mismatchedPskOrPrologueFails() throws Exception {
      Keys keys = new Keys("Noise_NNpsk0_25519_ChaChaPoly_SHA256");
      NoiseHandshake initiator = keys.builder(true).build();
      NoiseHandshake responder = keys.builder(false).psks(List.of(bytes(32))).build();
      byte[] m1 = initiator.writeMessage(new byte[0]);
      assertEquals(ErrorCode.HANDSHAKE_FAILED,
          assertThrows(NoiseException.class, () -> responder.readMessage(m1)).code());

      Keys xx = new Keys(XX_AESGCM);
      NoiseHandshake i2 = xx.builder(true).build();
      NoiseHandshake r2 = xx.builder(false).prologue(new byte[] {1}).build();
      r2.readMessage(i2.writeMessage(new byte[0]));
      byte[] m2 = r2.writeMessage(new byte[0]);
      assertEquals(ErrorCode.HANDSHAKE_FAILED,
          assertThrows(NoiseException.class, () -> i2.readMessage(m2)).code());
    }

    @Test
    void lowOrderRemoteEphemeralIsRejected() throws Exception {
      NoiseHandshake responder = NoiseHandshake.builder("Noise_NN_25519_AESGCM_SHA256", false).build();
      responder.readMessage(new byte[32]); // e = 0, a small-order point
      NoiseException e = assertThrows(NoiseException.class, () -> responder.writeMessage(new byte[0]));
      assertEquals(ErrorCode.HANDSHAKE_FAILED, e.code());
    }
  }

  @Nested
  class BuilderValidation {
    @Test
    void missingLocalStatic() {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> NoiseHandshake.builder(XX_AESGCM, true).build());
      assertTrue(e.getMessage().contains("missing: localStatic"), e.getMessage());
    }

    @Test
    void missingRemoteStaticAndPsksAreAllNamed() {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> NoiseHandshake.builder("Noise_IKpsk2_25519_AESGCM_SHA256", true).build());
      assertTrue(e.getMessage().contains("localStatic"), e.getMessage());
      assertTrue(e.getMessage().contains("remoteStatic"), e.getMessage());
      assertTrue(e.getMessage().contains("1 PSK"), e.getMessage());
    }

    @Test
    void tooManyPsks() {
      assertThrows(IllegalStateException.class, () -> NoiseHandshake
          .builder("Noise_NN_25519_AESGCM_SHA256", true).psks(List.of(bytes(32))).build());
    }

    @Test
    void remoteStaticThatCannotBeCheckedIsRefused() {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> NoiseHandshake
          .builder("Noise_NN_25519_AESGCM_SHA256", true).remoteStatic(bytes(32)).build());
      assertTrue(e.getMessage().contains("never presents a static key"), e.getMessage());
    }

    @Test
    void badKeyMaterialIsRefusedWhenGiven() {
      NoiseHandshake.Builder builder = NoiseHandshake.builder(XX_AESGCM, true);
      assertThrows(IllegalArgumentException.class,
          () -> builder.localStatic(NoiseKeyPair.generate(NoiseDh.X448, RANDOM)));
      assertThrows(IllegalArgumentException.class, () -> builder.remoteStatic(new byte[31]));
      assertThrows(IllegalArgumentException.class, () -> builder.psks(List.of(new byte[16])));
      assertThrows(IllegalArgumentException.class,
          () -> NoiseHandshake.builder("Noise_XX_25519_AESGCM_MD5", true));
    }

    @Test
    void splitAndHandshakeHashNeedACompleteHandshake() throws Exception {
      Keys keys = new Keys(XX_CHACHA);
      NoiseHandshake initiator = keys.builder(true).build();
      NoiseHandshake responder = keys.builder(false).build();
      assertThrows(IllegalStateException.class, initiator::split);
      assertThrows(IllegalStateException.class, initiator::handshakeHash);
      NoiseTestSupport.connect(initiator, responder, 0);
      assertThrows(IllegalStateException.class, initiator::split, "split only once");
      assertThrows(IllegalArgumentException.class, () -> keys.builder(true).build().split(-1));
    }
  }

  @Nested
  class KeyPairs {
    @Test
    void fromPrivateKeyRederivesThePublicKeyAndCopies() {
      for (NoiseDh dh : NoiseDh.values()) {
        NoiseKeyPair generated = NoiseKeyPair.generate(dh, RANDOM);
        byte[] privateKey = generated.privateKey();
        NoiseKeyPair restored = NoiseKeyPair.fromPrivateKey(dh, privateKey);
        assertArrayEquals(generated.publicKey(), restored.publicKey());
        assertEquals(dh.keyLength(), restored.publicKey().length);
        privateKey[0] ^= 1;
        restored.privateKey()[1] ^= 1;
        assertArrayEquals(generated.privateKey(), restored.privateKey());
        assertFalse(restored.toString().contains(java.util.HexFormat.of().formatHex(generated.privateKey())));
      }
      assertThrows(IllegalArgumentException.class, () -> NoiseKeyPair.fromPrivateKeyX25519(new byte[56]));
    }

    @Test
    void buildingAndRunningAHandshakeLeavesTheCallersKeyPairIntact() throws Exception {
      Keys keys = new Keys(XX_AESGCM);
      byte[] before = keys.initiatorStatic.privateKey();
      NoiseTestSupport.connect(keys, 0);
      assertArrayEquals(before, keys.initiatorStatic.privateKey());
    }
  }
}
