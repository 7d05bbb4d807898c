package dev.chorus.protocol.netty;

import dev.chorus.protocol.wire.ErrorCode;

/** Why a Chorus connection ended: the error code, which side decided, and a detail for logs. */
public final class CloseReason {
  private final ErrorCode code;
  private final boolean local;
  private final String detail;

  private CloseReason(ErrorCode code, boolean local, String detail) {
    this.code = code;
    this.local = local;
    this.detail = detail == null ? "" : detail;
  }

  static CloseReason local(ErrorCode code, String detail) {
    return new CloseReason(code, true, detail);
  }

  static CloseReason remote(ErrorCode code, String detail) {
    return new CloseReason(code, false, detail);
  }

  public ErrorCode code() {
    return code;
  }

  /** True when this side closed the connection, false when the remote side said goodbye. */
  public boolean isLocal() {
    return local;
  }

  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return (local ? "local " : "remote ") + code + (detail.isEmpty() ? "" : ": " + detail);
  }
}
