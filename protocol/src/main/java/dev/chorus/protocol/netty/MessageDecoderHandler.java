package dev.chorus.protocol.netty;

import com.google.protobuf.MessageLite;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/** Netty shell around {@link MessageCodec#decode}: one frame body in, one envelope out. */
@Sharable
public final class MessageDecoderHandler<T extends MessageLite> extends MessageToMessageDecoder<ByteBuf> {
  private final MessageCodec<T> codec;

  public MessageDecoderHandler(Envelope<T> envelope) {
    super(ByteBuf.class);
    this.codec = new MessageCodec<>(envelope);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws Exception {
    out.add(codec.decode(frame.nioBuffer()));
  }
}
