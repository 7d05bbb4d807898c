package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.wire.ErrorCode;
import java.util.Objects;

/**
 * Why a tracker request (a lookup) failed. Every failure is one of these, so a caller can fall back
 * to the CDN on any of them and log {@link #reason()} and {@link #code()}.
 */
public final class TrackerException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Reason {
    /** No connection to the tracker right now (connecting, backing off, or closed). */
    NOT_CONNECTED,
    /** The tracker answered with an {@code Error}; {@link #code()} is its code. */
    REFUSED,
    /** No answer within the lookup timeout. */
    TIMEOUT,
    /** The connection ended while the request was pending; {@link #code()} says why. */
    DISCONNECTED,
    /** The client refused locally: over its own lookup rate limit ({@code RATE_LIMITED}). */
    LIMITED,
    /** The client was closed. */
    CLOSED
  }

  private final Reason reason;
  private final ErrorCode code;

  TrackerException(Reason reason, ErrorCode code, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason);
    this.code = Objects.requireNonNull(code);
  }

  public Reason reason() {
    return reason;
  }

  /** The wire code behind the failure, {@code NONE} when there is none (e.g. a timeout). */
  public ErrorCode code() {
    return code;
  }

  @Override
  public String toString() {
    return "TrackerException[" + reason + (code == ErrorCode.NONE ? "" : ", " + code) + "]: " + getMessage();
  }
}
