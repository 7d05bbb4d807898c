package dev.chorus.protocol.framing;

import dev.chorus.protocol.wire.ErrorCode;
import java.nio.ByteBuffer;

/**
 * Sans-IO frame decoder: finds complete length-prefixed frames in a byte buffer.
 *
 * <p>It holds no buffer of its own and never copies: the caller accumulates bytes (a Netty
 * cumulation, a test array) and asks {@link #nextFrameLength} whether a whole frame starts at the
 * buffer's position. The length check happens as soon as the header is readable, so an oversized
 * frame is refused before any of its body is buffered. Stateless and thread-safe.
 */
public final class FrameDecoder {
  /** Returned by {@link #nextFrameLength} when the frame at the position is not complete yet. */
  public static final int NEED_MORE = -1;

  private final FrameFormat format;

  public FrameDecoder(FrameFormat format) {
    this.format = format;
  }

  public FrameFormat format() {
    return format;
  }

  /**
   * Looks at the frame starting at {@code in.position()} without consuming anything.
   *
   * @return the body length of that frame if header and body are both readable, else {@link
   *     #NEED_MORE}
   * @throws FrameException {@code FRAME_TOO_LARGE} if the header announces more than the maximum,
   *     {@code MALFORMED_MESSAGE} if it announces an empty frame
   */
  public int nextFrameLength(ByteBuffer in) throws FrameException {
    int header = format.headerBytes();
    if (in.remaining() < header) {
      return NEED_MORE;
    }
    return frameLength(readLength(in, in.position()), in.remaining() - header);
  }

  /**
   * {@link #nextFrameLength} for a caller that has read the header itself ({@code declaredLength},
   * unsigned, {@link FrameFormat#headerBytes} big-endian bytes) and has {@code bodyBytesAvailable}
   * bytes after it: the body length if the whole frame is there, else {@link #NEED_MORE}. A Netty
   * handler reads the header straight from its cumulation this way, without a ByteBuffer view per
   * frame.
   */
  public int frameLength(long declaredLength, int bodyBytesAvailable) throws FrameException {
    long length = declaredLength;
    if (length > format.maxBodyBytes()) {
      throw new FrameException(
          ErrorCode.FRAME_TOO_LARGE,
          "frame of " + length + " bytes exceeds the maximum of " + format.maxBodyBytes());
    }
    if (length == 0) {
      throw new FrameException(ErrorCode.MALFORMED_MESSAGE, "empty frame");
    }
    return bodyBytesAvailable >= length ? (int) length : NEED_MORE;
  }

  /**
   * Consumes the next complete frame and returns its body as a slice sharing {@code in}'s
   * content, or returns {@code null} (consuming nothing) if no complete frame is readable.
   */
  public ByteBuffer nextFrame(ByteBuffer in) throws FrameException {
    int length = nextFrameLength(in);
    if (length == NEED_MORE) {
      return null;
    }
    int bodyStart = in.position() + format.headerBytes();
    ByteBuffer body = in.duplicate();
    body.position(bodyStart).limit(bodyStart + length);
    in.position(bodyStart + length);
    return body.slice();
  }

  /**
   * Called when the byte stream ends.
   *
   * @throws FrameException {@code FRAME_TRUNCATED} if bytes of an unfinished frame remain
   */
  public void endOfStream(int bytesLeft) throws FrameException {
    if (bytesLeft > 0) {
      throw new FrameException(
          ErrorCode.FRAME_TRUNCATED, "stream ended with " + bytesLeft + " bytes of an unfinished frame");
    }
  }

  private long readLength(ByteBuffer in, int at) {
    return format.headerBytes() == 2
        ? Short.toUnsignedLong(in.getShort(at))
        : Integer.toUnsignedLong(in.getInt(at));
  }
}
