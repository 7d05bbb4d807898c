package dev.chorus.protocol.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The X25519 implementations agree with each other, and the selection does what it says. */
class DhFunctionsTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Points of small order on Curve25519 (RFC 7748 section 6.1's check): DH with them gives zero. */
  private static final String[] SMALL_ORDER_POINTS = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };

  @Test
  void libsodiumAndBouncyCastleComputeTheSameKeysAndSecrets() {
    DhFunction sodium = Libsodium.require();
    DhFunction bc = BouncyCastleDh.X25519_BC;
    SecureRandom random = seeded(7);
    for (int i = 0; i < 200; i++) {
      byte[] a = new byte[32];
      byte[] b = new byte[32];
      bc.generatePrivateKey(random, a);
      bc.generatePrivateKey(random, b);
      byte[] publicA = sodium.publicKeyOf(a);
      assertArrayEquals(bc.publicKeyOf(a), publicA, "public key " + i);
      byte[] publicB = bc.publicKeyOf(b);
      byte[] shared = sodium.agree(a, publicB);
      assertNotNull(shared);
      assertArrayEquals(bc.agree(a, publicB), shared, "shared secret " + i);
      assertArrayEquals(shared, sodium.agree(b, publicA), "both sides' secret " + i);
    }
  }

  @Test
  void rfc7748TestVectorOnBoth() {
    // RFC 7748 section 6.1: Alice's and Bob's keys and their shared secret.
    byte[] alicePrivate = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] bobPublic = HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    String alicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    for (DhFunction function : new DhFunction[] {BouncyCastleDh.X25519_BC, Libsodium.require()}) {
      String name = function.implementation();
      assertEquals(alicePublic, HEX.formatHex(function.publicKeyOf(alicePrivate)), name);
      assertEquals(shared, HEX.formatHex(function.agree(alicePrivate, bobPublic)), name);
    }
  }

  @Test
  void smallOrderPublicKeysAreRejectedByBoth() {
    byte[] privateKey = new byte[32];
    BouncyCastleDh.X25519_BC.generatePrivateKey(seeded(3), privateKey);
    for (DhFunction function : new DhFunction[] {BouncyCastleDh.X25519_BC, Libsodium.require()}) {
      for (String point : SMALL_ORDER_POINTS) {
        assertNull(function.agree(privateKey, HEX.parseHex(point)),
            function.implementation() + " accepted small-order point " + point);
      }
    }
  }

  @Test
  void libsodiumRefusesKeysOfTheWrongLength() {
    DhFunction sodium = Libsodium.require();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> sodium.agree(new byte[31], new byte[32]));
    assertTrue(e.getMessage().contains("must be 32 bytes, was 31"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> sodium.publicKeyOf(new byte[16]));
  }

  @Test
  void selectionHonoursTheProperty() {
    DhFunction sodium = Libsodium.require();
    assertSame(BouncyCastleDh.X25519_BC, DhFunctions.selectX25519("bouncycastle", null));
    assertSame(sodium, DhFunctions.selectX25519("libsodium", null));
    assertSame(sodium, DhFunctions.selectX25519(" Auto ", null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DhFunctions.selectX25519("openssl", null));
    assertTrue(e.getMessage().contains("chorus.noise.x25519=openssl is not one of auto, libsodium, bouncycastle"),
        e.getMessage());
  }

  @Test
  void withoutLibsodiumAutoFallsBackToBouncyCastleAndLibsodiumIsRefused() {
    String failure = "libsodium not found (install the Debian package libsodium23)";
    assertSame(BouncyCastleDh.X25519_BC, DhFunctions.selectX25519("auto", failure));
    assertSame(BouncyCastleDh.X25519_BC, DhFunctions.selectX25519("bouncycastle", failure));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> DhFunctions.selectX25519("libsodium", failure));
    assertTrue(e.getMessage().contains("=libsodium, but libsodium not found (install the Debian package libsodium23)"),
        e.getMessage());
  }

  @Test
  void aLibraryThatIsNotThereIsReportedWithWhatToInstall() {
    String failure = SodiumX25519.bind("chorus-no-such-library");
    assertNotNull(failure);
    assertTrue(failure.startsWith("libsodium not found (install the Debian package libsodium23"), failure);
    assertTrue(failure.contains("chorus-no-such-library"), failure);
  }

  @Test
  void theProcessUsesLibsodiumByDefault() {
    Libsodium.require();
    assertEquals("libsodium", NoiseDh.X25519.implementation());
    assertEquals("bouncycastle", NoiseDh.X448.implementation());
  }

  @Test
  void aHandshakeWithLibsodiumOnOneSideAndBouncyCastleOnTheOtherCompletes() throws NoiseException {
    DhFunction sodium = Libsodium.require();
    SecureRandom random = seeded(11);
    NoiseKeyPair initiatorStatic = NoiseKeyPair.generate(sodium, random);
    NoiseKeyPair responderStatic = NoiseKeyPair.generate(BouncyCastleDh.X25519_BC, random);
    NoiseHandshake initiator = NoiseHandshake.builder(NoiseTestSupport.XX_AESGCM, true)
        .dhFunction(sodium).localStatic(initiatorStatic).random(random).build();
    NoiseHandshake responder = NoiseHandshake.builder(NoiseTestSupport.XX_AESGCM, false)
        .dhFunction(BouncyCastleDh.X25519_BC).localStatic(responderStatic).random(random).build();
    NoiseTestSupport.Pair pair = NoiseTestSupport.connect(initiator, responder, 0);
    byte[] message = NoiseTestSupport.bytes(100);
    assertArrayEquals(message, pair.responder.decrypt(pair.initiator.encrypt(message)));
    assertArrayEquals(responderStatic.publicKey(), initiator.remoteStaticKey());
    assertFalse(initiator.isMyTurnToWrite());
  }

  @Test
  void aFunctionForAnotherCurveIsRefused() {
    NoiseHandshake.Builder builder = NoiseHandshake.builder(NoiseTestSupport.XX_AESGCM, true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder.dhFunction(BouncyCastleDh.X448_BC));
    assertTrue(e.getMessage().contains("X448 function given for Noise_XX_25519_AESGCM_SHA256"),
        e.getMessage());
  }

  private static SecureRandom seeded(long seed) {
    Random source = new Random(seed);
    return new SecureRandom() {
      @Override
      public void nextBytes(byte[] bytes) {
        source.nextBytes(bytes);
      }
    };
  }
}
