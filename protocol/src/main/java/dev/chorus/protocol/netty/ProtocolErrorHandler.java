package dev.chorus.protocol.netty;

import com.google.protobuf.MessageLite;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Goodbye;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits at the tail of a Chorus pipeline and turns every failure into the protocol's way of
 * ending a connection: a {@code Goodbye} carrying the error code (when the channel is encrypted,
 * so the goodbye is authentic), then close. It also closes the channel when the remote side says
 * goodbye. Either way the reason is kept in {@link #CLOSE_REASON} for whoever owns the channel.
 *
 * <p>Nothing is silently dropped: every exception that reaches the tail ends the connection with
 * a code, and a log line says which peer, which code and why.
 */
public final class ProtocolErrorHandler<T extends MessageLite> extends ChannelDuplexHandler {
  /** Why the channel ended, set before it closes. */
  public static final AttributeKey<CloseReason> CLOSE_REASON = AttributeKey.valueOf("chorus.closeReason");

  private static final Logger log = LoggerFactory.getLogger(ProtocolErrorHandler.class);

  private final Envelope<T> envelope;

  public ProtocolErrorHandler(Envelope<T> envelope) {
    this.envelope = envelope;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // Only messages no application handler consumed arrive here; a goodbye among them ends the channel.
    try {
      if (envelope.type().isInstance(msg)) {
        Goodbye goodbye = envelope.goodbyeOf(envelope.type().cast(msg));
        if (goodbye != null) {
          remoteGoodbye(ctx.channel(), goodbye);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * Records a goodbye from the remote side and closes the channel. Application handlers that
   * consume messages call this when they see a {@code Goodbye}.
   */
  public static void remoteGoodbye(Channel channel, Goodbye goodbye) {
    CloseReason reason = CloseReason.remote(goodbye.getReason(), goodbye.getDetail());
    channel.attr(CLOSE_REASON).setIfAbsent(reason);
    log.debug("{} said goodbye: {}", describe(channel), reason);
    channel.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ProtocolException error = protocolError(cause);
    Channel channel = ctx.channel();
    if (!channel.attr(CLOSE_REASON).compareAndSet(null, CloseReason.local(error.code(), error.getMessage()))) {
      return; // already ending; the first reason is the one that counts
    }
    if (error.code() == ErrorCode.INTERNAL_ERROR) {
      log.warn("closing {} connection to {}: internal error", envelope.name(), describe(channel), cause);
    } else {
      log.info("closing {} connection to {}: {} ({})", envelope.name(), describe(channel), error.code(), error.getMessage());
    }
    NoiseHandler noise = channel.pipeline().get(NoiseHandler.class);
    if (channel.isActive() && noise != null && noise.isEstablished()) {
      Goodbyes.sendAndClose(channel, envelope.goodbye(error.code(), error.getMessage()));
    } else {
      ctx.close();
    }
  }

  /** "node 1a2b… at /10.0.0.7:4001", or as much of it as is known. */
  static String describe(Channel channel) {
    PeerIdentity identity = channel.attr(NoiseHandler.REMOTE_IDENTITY).get();
    Object address = channel.remoteAddress();
    String where = address == null ? "an unknown address" : address.toString();
    return identity == null ? "unauthenticated peer at " + where : "node " + identity.nodeId() + " at " + where;
  }

  /** The protocol error behind {@code cause}, or INTERNAL_ERROR for anything unexpected. */
  static ProtocolException protocolError(Throwable cause) {
    Throwable t = cause;
    while (t instanceof DecoderException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ProtocolException) {
      return (ProtocolException) t;
    }
    return new ProtocolException(ErrorCode.INTERNAL_ERROR, String.valueOf(t), t);
  }
}
