package dev.chorus.protocol.netty;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import dev.chorus.protocol.framing.FrameEncoder;
import dev.chorus.protocol.framing.FrameException;
import dev.chorus.protocol.framing.FrameFormat;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Netty shell around {@link FrameEncoder} and {@link MessageCodec#encode}: writes each envelope
 * as one frame, header and body in a single buffer, so the message is serialised exactly once and
 * the secure channel sees one write. A message over the frame maximum fails its write promise
 * with {@code FRAME_TOO_LARGE} and nothing is sent.
 *
 * <p>A message of at least {@link #GATHER_MIN_BYTES} (a chunk) is written as a composite buffer
 * instead: its small parts copied, each large {@code bytes} field referenced where it is, without a
 * copy (see {@link Gathering}); {@link NoiseHandler} encrypts from those parts straight into the
 * record. A large field must therefore not change until the record holding it is sealed, at the
 * next flush at the latest: a {@code ByteString} is immutable, and one made with {@code
 * UnsafeByteOperations.unsafeWrap} promises the same of its array (the node's chunk arrays are
 * never written once read or received).
 */
@Sharable
public final class MessageEncoderHandler<T extends MessageLite> extends MessageToByteEncoder<T> {
  /** Messages at least this large are gathered around their large fields (a 16 KiB chunk is). */
  static final int GATHER_MIN_BYTES = 4096;
  /**
   * The protobuf encoder's buffer when gathering: what it hands on in larger pieces is a field's
   * own array (see {@link Gathering}).
   */
  static final int GATHER_BUFFER_BYTES = 256;

  private final MessageCodec<T> codec;
  private final FrameEncoder frames;

  public MessageEncoderHandler(Envelope<T> envelope, FrameFormat format) {
    super(envelope.type(), false);
    this.codec = new MessageCodec<>(envelope);
    this.frames = new FrameEncoder(format);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (acceptOutboundMessage(msg)) {
      @SuppressWarnings("unchecked")
      T message = (T) msg;
      int size = codec.encodedSize(message);
      if (size >= GATHER_MIN_BYTES) {
        ByteBuf framed;
        try {
          framed = gathered(message, size);
        } catch (Throwable e) {
          throw e instanceof EncoderException ? (EncoderException) e : new EncoderException(e);
        }
        ctx.write(framed, promise);
        return;
      }
    }
    super.write(ctx, msg, promise);
  }

  /** The frame of {@code message} ({@code size} bytes of body) as a composite of copied and referenced parts. */
  private ByteBuf gathered(T message, int size) throws IOException, FrameException {
    int headerBytes = frames.format().headerBytes();
    ByteBuffer header = ByteBuffer.allocate(headerBytes);
    frames.writeHeader(header, size); // FRAME_TOO_LARGE before anything is built
    Gathering out = new Gathering(headerBytes + size);
    try {
      out.write(header.array(), 0, headerBytes);
      CodedOutputStream stream = CodedOutputStream.newInstance(out, GATHER_BUFFER_BYTES);
      message.writeTo(stream);
      stream.flush();
      return out.finish();
    } catch (IOException | RuntimeException e) {
      out.discard();
      throw e;
    }
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

  /**
   * Collects an encoding as buffer parts. Protobuf's stream encoder copies small writes into its
   * buffer of {@link #GATHER_BUFFER_BYTES} and hands that buffer on when full; a larger write of a
   * field (a {@code bytes} field's array, past what fits in the buffer's rest) it hands on as the
   * field's own array. So a piece longer than the buffer is a field's array, referenced; anything
   * else is the encoder's reused buffer, copied. The copied parts are on arrays of their own, not
   * the pooled allocator's, so that the JDK's AES-GCM never finds them on the record's array (it
   * would copy them first).
   */
  static final class Gathering extends OutputStream {
    private final CompositeByteBuf parts = Unpooled.compositeBuffer(8);
    private final int expected;
    private ByteBuf small;

    Gathering(int expected) {
      this.expected = expected;
    }

    @Override
    public void write(int b) {
      smallPart(1).writeByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (len > GATHER_BUFFER_BYTES) {
        endSmallPart();
        parts.addComponent(true, Unpooled.wrappedBuffer(b, off, len));
      } else if (len > 0) {
        smallPart(len).writeBytes(b, off, len);
      }
    }

    private ByteBuf smallPart(int room) {
      if (small == null) {
        small = Unpooled.buffer(Math.max(room, 64));
      }
      return small;
    }

    private void endSmallPart() {
      if (small != null) {
        parts.addComponent(true, small);
        small = null;
      }
    }

    ByteBuf finish() {
      endSmallPart();
      if (parts.readableBytes() != expected) {
        throw new IllegalStateException("encoded " + parts.readableBytes() + " bytes of a " + expected + "-byte frame");
      }
      return parts;
    }

    void discard() {
      endSmallPart();
      parts.release();
    }
  }
}
