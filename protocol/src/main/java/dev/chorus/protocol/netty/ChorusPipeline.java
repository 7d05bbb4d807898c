package dev.chorus.protocol.netty;

import com.google.protobuf.MessageLite;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.wire.Hello;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import java.security.SecureRandom;

/**
 * Assembles the standard Chorus pipeline on a channel:
 *
 * <pre>
 *   TCP ⇄ noise (handshake, record crypto)
 *       ⇄ frames (length-prefixed, bounded)
 *       ⇄ messages (protobuf envelope codec)
 *       ⇄ hello (opening exchange, version check)
 *       ⇄ application handler
 *       ⇄ errors (goodbye with the error code, then close)
 * </pre>
 *
 * Codecs and logic stay in separate handlers; each codec is a thin shell over a sans-IO core.
 */
public final class ChorusPipeline {
  public static final String NOISE = "noise";
  public static final String FRAME_DECODER = "frames";
  public static final String MESSAGE_DECODER = "messageDecoder";
  public static final String MESSAGE_ENCODER = "messageEncoder";
  public static final String HELLO = "hello";
  public static final String APPLICATION = "application";
  public static final String ERRORS = "errors";

  private ChorusPipeline() {}

  /**
   * Installs the pipeline.
   *
   * @param initiator true on the connecting side
   * @param localHello our Hello (its protocol version is set for us)
   * @param application the handler that receives envelopes of type {@code T}
   */
  public static <T extends MessageLite> void install(
      ChannelPipeline pipeline,
      SecureChannelConfig config,
      boolean initiator,
      Envelope<T> envelope,
      Hello localHello,
      ChannelHandler application) {
    install(pipeline, config, initiator, envelope, localHello, application, new SecureRandom());
  }

  /** As above, with the randomness for ephemeral keys injected (deterministic tests). */
  static <T extends MessageLite> void install(
      ChannelPipeline pipeline,
      SecureChannelConfig config,
      boolean initiator,
      Envelope<T> envelope,
      Hello localHello,
      ChannelHandler application,
      SecureRandom random) {
    pipeline.addLast(NOISE, new NoiseHandler(config, initiator, random));
    pipeline.addLast(FRAME_DECODER, new FrameDecoderHandler(config.frameFormat()));
    pipeline.addLast(MESSAGE_DECODER, new MessageDecoderHandler<>(envelope));
    pipeline.addLast(MESSAGE_ENCODER, new MessageEncoderHandler<>(envelope, config.frameFormat()));
    pipeline.addLast(HELLO, new HelloHandler<>(envelope, localHello));
    pipeline.addLast(APPLICATION, application);
    pipeline.addLast(ERRORS, new ProtocolErrorHandler<>(envelope));
  }
}
