package dev.chorus.protocol.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.noise.HandshakePattern.Token;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** Builds matching initiator/responder pairs for any supported protocol name. */
final class NoiseTestSupport {
  static final SecureRandom RANDOM = new SecureRandom();
  static final String XX_AESGCM = "Noise_XX_25519_AESGCM_SHA256";
  static final String XX_CHACHA = "Noise_XX_25519_ChaChaPoly_SHA256";

  private NoiseTestSupport() {}

  /** Key material for both sides of one handshake; fixed, so handshakes built from it repeat. */
  static final class Keys {
    final NoiseProtocolName protocol;
    final NoiseKeyPair initiatorStatic;
    final NoiseKeyPair responderStatic;
    final NoiseKeyPair initiatorEphemeral;
    final NoiseKeyPair responderEphemeral;
    final List<byte[]> psks = new ArrayList<>();

    Keys(String protocolName) {
      protocol = NoiseProtocolName.parse(protocolName);
      NoiseDh dh = protocol.dh();
      initiatorStatic = NoiseKeyPair.generate(dh, RANDOM);
      responderStatic = NoiseKeyPair.generate(dh, RANDOM);
      initiatorEphemeral = NoiseKeyPair.generate(dh, RANDOM);
      responderEphemeral = NoiseKeyPair.generate(dh, RANDOM);
      for (int i = 0; i < protocol.pattern().pskCount(); i++) {
        byte[] psk = new byte[32];
        RANDOM.nextBytes(psk);
        psks.add(psk);
      }
    }

    /** A builder for one side with everything the pattern needs, and a fixed ephemeral. */
    NoiseHandshake.Builder builder(boolean initiator) {
      HandshakePattern pattern = protocol.pattern();
      NoiseHandshake.Builder builder = NoiseHandshake.builder(protocol, initiator)
          .localStatic(initiator ? initiatorStatic : responderStatic)
          .localEphemeral(initiator ? initiatorEphemeral : responderEphemeral)
          .prologue("chorus test".getBytes(StandardCharsets.US_ASCII))
          .psks(psks);
      if (pattern.premessage(!initiator).contains(Token.S)) {
        builder.remoteStatic((initiator ? responderStatic : initiatorStatic).publicKey());
      }
      return builder;
    }
  }

  /** Both sides' transports after a complete handshake. */
  static final class Pair {
    final NoiseTransport initiator;
    final NoiseTransport responder;

    Pair(NoiseTransport initiator, NoiseTransport responder) {
      this.initiator = initiator;
      this.responder = responder;
    }
  }

  /** Runs the whole handshake, checking each payload arrives, and splits both sides. */
  static Pair connect(NoiseHandshake initiator, NoiseHandshake responder, long rekeyInterval)
      throws NoiseException {
    int message = 0;
    while (!initiator.isComplete() || !responder.isComplete()) {
      NoiseHandshake writer = initiator.isMyTurnToWrite() ? initiator : responder;
      NoiseHandshake reader = writer == initiator ? responder : initiator;
      assertTrue(writer.isMyTurnToWrite() && !reader.isMyTurnToWrite(), "exactly one writer");
      byte[] payload = ("handshake payload " + message++).getBytes(StandardCharsets.US_ASCII);
      assertArrayEquals(payload, reader.readMessage(writer.writeMessage(payload)));
    }
    assertArrayEquals(initiator.handshakeHash(), responder.handshakeHash());
    return new Pair(initiator.split(rekeyInterval), responder.split(rekeyInterval));
  }

  static Pair connect(Keys keys, long rekeyInterval) throws NoiseException {
    return connect(keys.builder(true).build(), keys.builder(false).build(), rekeyInterval);
  }

  static Pair connect(String protocolName) throws NoiseException {
    return connect(new Keys(protocolName), 0);
  }

  static byte[] bytes(int length) {
    byte[] data = new byte[length];
    RANDOM.nextBytes(data);
    return data;
  }
}
