package dev.chorus.protocol.netty;

import dev.chorus.protocol.framing.FrameDecoder;
import dev.chorus.protocol.framing.FrameException;
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
      int length = nextFrameLength(decoder, in);
      if (length == FrameDecoder.NEED_MORE) {
        return;
      }
      in.skipBytes(header);
      out.add(in.readRetainedSlice(length));
    }
  }

  /**
   * {@link FrameDecoder#nextFrameLength} at the reader index of {@code in}, reading the header
   * from the buffer itself: no ByteBuffer view per frame (one per message was most of what the
   * tracker allocated to read a lookup).
   */
  static int nextFrameLength(FrameDecoder decoder, ByteBuf in) throws FrameException {
    int header = decoder.format().headerBytes();
    int readable = in.readableBytes();
    if (readable < header) {
      return FrameDecoder.NEED_MORE;
    }
    int at = in.readerIndex();
    long declared = header == 2 ? in.getUnsignedShort(at) : in.getUnsignedInt(at);
    return decoder.frameLength(declared, readable - header);
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    decode(ctx, in, out);
    decoder.endOfStream(in.readableBytes());
  }
}
