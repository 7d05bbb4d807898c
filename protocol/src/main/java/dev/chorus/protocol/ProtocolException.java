package dev.chorus.protocol;

import dev.chorus.protocol.wire.ErrorCode;
import java.util.Objects;

/**
 * A protocol violation or failure with its wire error code. Every error Chorus can send to a
 * peer or tracker is one of these; the code is what goes into a {@code Goodbye} or {@code Error}
 * message, the message is for logs.
 */
public class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ProtocolException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The wire error code to report to the remote side. */
  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + code + "]: " + getMessage();
  }
}
