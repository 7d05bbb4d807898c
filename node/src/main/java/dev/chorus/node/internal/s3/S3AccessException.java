package dev.chorus.node.internal.s3;

import java.io.IOException;
import java.util.Objects;

/**
 * S3 could not be used: no credentials or region, a missing bucket, access denied. The message
 * says what to do; it never holds a secret (at most the access key id's last four characters).
 */
public final class S3AccessException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Reason {
    /** The credentials provider chain found no credentials. */
    NO_CREDENTIALS,
    /** No region was given and the region provider chain found none. */
    NO_REGION,
    /** The bucket does not exist (at this endpoint). */
    NO_SUCH_BUCKET,
    /** The access key is unknown or the secret does not match it. */
    INVALID_CREDENTIALS,
    /** The credentials are valid but not allowed to do this. */
    ACCESS_DENIED,
    /** Anything else: the store failed, could not be reached, or answered something unexpected. */
    FAILED
  }

  private final Reason reason;

  public S3AccessException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
