package dev.chorus.protocol.netty;

import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.PeerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.function.UnaryOperator;

/**
 * Two full Chorus peer pipelines on EmbeddedChannels, wired back to back by {@link #pump}: no
 * sockets, no threads, every byte in the test's hands (to tamper with, replay, or cut short).
 */
final class EmbeddedPair implements AutoCloseable {
  final NoiseKeyPair initiatorKey;
  final NoiseKeyPair responderKey;
  final EmbeddedChannel initiator = new EmbeddedChannel();
  final EmbeddedChannel responder = new EmbeddedChannel();
  final RecordingHandler initiatorApp = new RecordingHandler();
  final RecordingHandler responderApp = new RecordingHandler();

  EmbeddedPair(long seed) {
    this(seed, UnaryOperator.identity(), UnaryOperator.identity());
  }

  EmbeddedPair(long seed,
      UnaryOperator<SecureChannelConfig.Builder> initiatorConfig,
      UnaryOperator<SecureChannelConfig.Builder> responderConfig) {
    SecureRandom random = seeded(seed);
    initiatorKey = NoiseKeyPair.generateX25519(random);
    responderKey = NoiseKeyPair.generateX25519(random);
    Hello hello = Hello.newBuilder().setListenPort(4000).build();
    ChorusPipeline.install(responder.pipeline(),
        responderConfig.apply(SecureChannelConfig.builder(responderKey)).build(),
        false, Envelope.PEER, hello, responderApp, random);
    ChorusPipeline.install(initiator.pipeline(),
        initiatorConfig.apply(SecureChannelConfig.builder(initiatorKey)).build(),
        true, Envelope.PEER, hello, initiatorApp, random);
    initiatorNoise = initiator.pipeline().get(NoiseHandler.class);
    responderNoise = responder.pipeline().get(NoiseHandler.class);
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  // Kept here because a closed channel's pipeline no longer holds its handlers.
  private final NoiseHandler initiatorNoise;
  private final NoiseHandler responderNoise;

  NoiseHandler initiatorNoise() {
    return initiatorNoise;
  }

  NoiseHandler responderNoise() {
    return responderNoise;
  }

  /** Moves bytes both ways until neither side has anything more to say; closes follow too. */
  void pump() {
    boolean moved;
    do {
      moved = transfer(initiator, responder) | transfer(responder, initiator);
      moved |= propagateClose(initiator, responder) | propagateClose(responder, initiator);
    } while (moved);
  }

  private static boolean transfer(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    ByteBuf buf;
    while ((buf = from.readOutbound()) != null) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(buf);
      } else {
        buf.release();
      }
    }
    return moved;
  }

  /** Like TCP: when one side closes, the other sees end of stream once the bytes are in. */
  private static boolean propagateClose(EmbeddedChannel closed, EmbeddedChannel other) {
    if (!closed.isOpen() && other.isOpen() && closed.outboundMessages().isEmpty()) {
      other.close();
      return true;
    }
    return false;
  }

  void send(EmbeddedChannel from, PeerMessage message) {
    from.writeAndFlush(message);
  }

  static CloseReason closeReason(EmbeddedChannel channel) {
    return channel.attr(ProtocolErrorHandler.CLOSE_REASON).get();
  }

  @Override
  public void close() {
    initiator.finishAndReleaseAll();
    responder.finishAndReleaseAll();
  }
}
