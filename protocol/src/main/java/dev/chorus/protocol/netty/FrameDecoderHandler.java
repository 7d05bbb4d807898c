package dev.chorus.protocol.netty;

import dev.chorus.protocol.framing.FrameDecoder;
import dev.chorus.protocol.framing.FrameFormat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Netty shell around {@link FrameDecoder}: cuts the decrypted byte stream into frame bodies
 * (retained slices, no copy). An oversized or empty frame raises a {@code FrameException} before
 * its body is buffered; a stream that ends inside a frame raises {@code FRAME_TRUNCATED}.
 */
public final class FrameDecoderHandler extends ByteToMessageDecoder {
  private final FrameDecoder decoder;

  public FrameDecoderHandler(FrameFormat format) {
    this.decoder = new FrameDecoder(format);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    int header = decoder.format().headerBytes();
    while (in.isReadable()) {
      int length = decoder.nextFrameLength(in.nioBuffer(in.readerIndex(), in.readableBytes()));
      if (length == FrameDecoder.NEED_MORE) {
        return;
      }
      in.skipBytes(header);
      out.add(in.readRetainedSlice(length));
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    decode(ctx, in, out);
    decoder.endOfStream(in.readableBytes());
  }
}
