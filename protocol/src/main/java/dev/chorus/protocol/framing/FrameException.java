package dev.chorus.protocol.framing;

import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.ErrorCode;

/** A framing error: a length prefix over the maximum, or a stream that ended inside a frame. */
public final class FrameException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  public FrameException(ErrorCode code, String message) {
    super(code, message);
  }
}
