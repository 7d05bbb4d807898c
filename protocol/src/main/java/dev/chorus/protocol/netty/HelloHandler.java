package dev.chorus.protocol.netty;

import com.google.protobuf.MessageLite;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;

/**
 * The hello exchange that opens every Chorus connection once it is encrypted: sends our Hello as
 * soon as the handshake completes, and insists that the remote side's first message is a Hello of
 * a protocol version we speak. Anything before it is {@code UNEXPECTED_MESSAGE}; a second Hello
 * too. The remote Hello is kept in {@link #REMOTE_HELLO} and passed on like any message.
 */
public final class HelloHandler<T extends MessageLite> extends ChannelInboundHandlerAdapter {
  /** The protocol version this build speaks (the "v1" of chorus.v1). */
  public static final int PROTOCOL_VERSION = 1;
  /** The remote side's Hello, set when it arrives. */
  public static final AttributeKey<Hello> REMOTE_HELLO = AttributeKey.valueOf("chorus.remoteHello");

  private final Envelope<T> envelope;
  private final Hello localHello;
  private boolean helloReceived;

  public HelloHandler(Envelope<T> envelope, Hello localHello) {
    this.envelope = envelope;
    this.localHello = localHello.toBuilder().setProtocolVersion(PROTOCOL_VERSION).build();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof NoiseHandshakeCompletionEvent) {
      ctx.writeAndFlush(envelope.wrap(localHello));
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!envelope.type().isInstance(msg)) {
      ctx.fireChannelRead(msg);
      return;
    }
    T message = envelope.type().cast(msg);
    Hello hello = envelope.helloOf(message);
    if (envelope.goodbyeOf(message) != null) {
      ctx.fireChannelRead(msg); // a goodbye may come at any time, even instead of a hello
      return;
    }
    try {
      check(message, hello);
    } catch (ProtocolException e) {
      ReferenceCountUtil.release(msg);
      ctx.fireExceptionCaught(e);
      return;
    }
    if (hello != null) {
      helloReceived = true;
      ctx.channel().attr(REMOTE_HELLO).set(hello);
    }
    ctx.fireChannelRead(msg);
  }

  private void check(T message, Hello hello) throws ProtocolException {
    if (helloReceived && hello != null) {
      throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "a second hello");
    }
    if (!helloReceived && hello == null) {
      throw new ProtocolException(
          ErrorCode.UNEXPECTED_MESSAGE, envelope.kindOf(message) + " before hello");
    }
    if (hello != null && hello.getProtocolVersion() != PROTOCOL_VERSION) {
      throw new ProtocolException(ErrorCode.PROTOCOL_VERSION_UNSUPPORTED,
          "remote speaks protocol version " + hello.getProtocolVersion() + ", this node speaks " + PROTOCOL_VERSION);
    }
  }
}
