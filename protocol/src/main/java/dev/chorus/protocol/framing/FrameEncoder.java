package dev.chorus.protocol.framing;

import dev.chorus.protocol.wire.ErrorCode;
import java.nio.ByteBuffer;

/**
 * Sans-IO frame encoder: writes length prefixes. The body is written by the caller right after
 * the header, so that a frame can be assembled in place without copying the body. Stateless.
 */
public final class FrameEncoder {
  private final FrameFormat format;

  public FrameEncoder(FrameFormat format) {
    this.format = format;
  }

  public FrameFormat format() {
    return format;
  }

  /**
   * Checks a body length against the format.
   *
   * @throws FrameException {@code FRAME_TOO_LARGE} above the maximum, {@code MALFORMED_MESSAGE}
   *     for an empty body — the sender learns of its own mistake before anything is written
   */
  public void checkBodyLength(int bodyLength) throws FrameException {
    if (bodyLength > format.maxBodyBytes()) {
      throw new FrameException(
          ErrorCode.FRAME_TOO_LARGE,
          "refusing to send a frame of " + bodyLength + " bytes, the maximum is " + format.maxBodyBytes());
    }
    if (bodyLength <= 0) {
      throw new FrameException(ErrorCode.MALFORMED_MESSAGE, "refusing to send an empty frame");
    }
  }

  /** Writes the header for a body of {@code bodyLength} bytes at {@code out}'s position. */
  public void writeHeader(ByteBuffer out, int bodyLength) throws FrameException {
    checkBodyLength(bodyLength);
    if (format.headerBytes() == 2) {
      out.putShort((short) bodyLength);
    } else {
      out.putInt(bodyLength);
    }
  }

  /** Encodes one whole frame into a new buffer (for tests and cold paths). */
  public ByteBuffer encode(byte[] body) throws FrameException {
    ByteBuffer out = ByteBuffer.allocate(format.headerBytes() + body.length);
    writeHeader(out, body.length);
    out.put(body);
    return out.flip();
  }
}
