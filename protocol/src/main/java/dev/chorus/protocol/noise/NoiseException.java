package dev.chorus.protocol.noise;

import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.ErrorCode;

/**
 * A Noise failure that ends the session: {@link ErrorCode#HANDSHAKE_FAILED} (malformed, oversized
 * or unauthenticated handshake message), {@link ErrorCode#AUTHENTICATION_FAILED} (remote static
 * key differs from the pinned one), {@link ErrorCode#DECRYPT_FAILED} (tampered, replayed,
 * reordered or truncated transport message), {@link ErrorCode#NONCE_EXHAUSTED} or
 * {@link ErrorCode#FRAME_TOO_LARGE}.
 */
public final class NoiseException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  public NoiseException(ErrorCode code, String message) {
    super(code, message);
  }

  public NoiseException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
