package dev.chorus.protocol.netty;

import com.google.protobuf.MessageLite;
import dev.chorus.protocol.framing.FrameEncoder;
import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.ByteBuffer;

/**
 * Netty shell around {@link FrameEncoder} and {@link MessageCodec#encode}: writes each envelope
 * as one frame, header and body in a single buffer, so the message is serialised exactly once and
 * the secure channel sees one write. A message over the frame maximum fails its write promise
 * with {@code FRAME_TOO_LARGE} and nothing is sent.
 */
@Sharable
public final class MessageEncoderHandler<T extends MessageLite> extends MessageToByteEncoder<T> {
  private final MessageCodec<T> codec;
  private final FrameEncoder frames;

  public MessageEncoderHandler(Envelope<T> envelope, FrameFormat format) {
    super(envelope.type(), false);
    this.codec = new MessageCodec<>(envelope);
    this.frames = new FrameEncoder(format);
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, T msg, boolean preferDirect) {
    return ctx.alloc().heapBuffer(frames.format().headerBytes() + codec.encodedSize(msg));
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, T msg, ByteBuf out) throws Exception {
    int size = codec.encodedSize(msg);
    int frameLength = frames.format().headerBytes() + size;
    out.ensureWritable(frameLength);
    ByteBuffer dst = out.nioBuffer(out.writerIndex(), frameLength);
    frames.writeHeader(dst, size);
    codec.encode(msg, dst);
    out.writerIndex(out.writerIndex() + frameLength);
  }
}
