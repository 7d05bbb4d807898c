package dev.chorus.node.internal.originclient;

import java.net.URI;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Why an {@link OriginClient} request failed, after its retries and failover: the {@link Kind},
 * the URL of the last attempt (without its query, which may hold credentials), the HTTP status if
 * there was one, and the number of attempts. Failures of earlier attempts are attached as
 * {@linkplain #getSuppressed() suppressed} exceptions. The futures of {@link OriginClient}
 * complete exceptionally with this exception ({@code join()} wraps it in a {@code
 * CompletionException}, {@code get()} in an {@code ExecutionException}).
 */
public final class OriginException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** 404 or 410 from every origin tried: the object is not published there. Not retried. */
    NOT_FOUND,
    /** Another 4xx (403, 400…) but 408 and 429: the origin refuses the request. Not retried. */
    CLIENT_ERROR,
    /** 5xx or 429: the origin is failing or overloaded. Retried with backoff. */
    SERVER_ERROR,
    /** No complete answer within the request timeout (or a 408). Retried with backoff. */
    TIMEOUT,
    /** The connection could not be made, or broke (refused, reset, closed early). Retried. */
    CONNECT_FAILED,
    /**
     * The origin answered, but with the wrong bytes: a manifest that does not verify, a chunk whose
     * hash does not match, a wrong length or {@code Content-Range}, a Range ignored. Not retried on
     * that origin.
     */
    BAD_CONTENT,
    /** The client was closed while the request was pending. */
    CANCELLED;

    /** Whether another attempt at the same origin may succeed. */
    boolean retryableOnSameOrigin() {
      return this == SERVER_ERROR || this == TIMEOUT || this == CONNECT_FAILED;
    }
  }

  private final Kind kind;
  private final URI uri;
  private final int statusCode;
  private final int attempts;

  OriginException(Kind kind, URI uri, int statusCode, int attempts, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.uri = uri;
    this.statusCode = statusCode;
    this.attempts = attempts;
  }

  public Kind kind() {
    return kind;
  }

  /** The URL of the last attempt, without its query; null if no attempt was made. */
  public URI uri() {
    return uri;
  }

  /** The HTTP status of the last attempt, if it got one. */
  public OptionalInt statusCode() {
    return statusCode < 0 ? OptionalInt.empty() : OptionalInt.of(statusCode);
  }

  /** How many HTTP attempts the request made, across all origins. */
  public int attempts() {
    return attempts;
  }

  /** The same failure, stamped with the request's final attempt count. */
  OriginException withAttempts(int totalAttempts) {
    String message = getMessage() + " (gave up after " + totalAttempts
        + (totalAttempts == 1 ? " attempt)" : " attempts)");
    OriginException e = new OriginException(kind, uri, statusCode, totalAttempts, message, getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }

  @Override
  public String toString() {
    return "OriginException[" + kind + "]: " + getMessage();
  }
}
