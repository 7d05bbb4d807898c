package dev.chorus.node.internal.originclient;

import dev.chorus.node.internal.originclient.OriginException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns what went wrong with one attempt into an {@link OriginException}: the kind (which decides
 * whether {@link RetryPlan} retries it, and where), the redacted URL, the status and a message that
 * says what to check. Messages name the origin by its redacted base and never include a query.
 */
final class OriginFailures {
  private final OriginConfig config;
  private final URI base;
  private final URI shown;
  private final String key;
  private final int attempts;

  /**
   * @param base the origin's base URL, redacted
   * @param shown the attempt's URL, redacted
   * @param attempts the attempts made so far, this one included
   */
  OriginFailures(OriginConfig config, URI base, URI shown, String key, int attempts) {
    this.config = config;
    this.base = base;
    this.shown = shown;
    this.key = key;
    this.attempts = attempts;
  }

  /** A failed exchange: no response, or its body could not be read. */
  OriginException transport(Throwable thrown, boolean timedOut, boolean closed) {
    Throwable error = unwrap(thrown);
    if (timedOut) { // however the abort surfaced (cancellation, closed connection)
      return of(Kind.TIMEOUT, -1, "origin " + base + " did not answer " + key
          + " within " + config.requestTimeout() + " (origin.requestTimeout); it is slow or overloaded",
          null);
    }
    if (error instanceof CancellationException) {
      return of(Kind.CANCELLED, -1, "request for " + key + " cancelled", error);
    }
    if (error instanceof HttpConnectTimeoutException) {
      return of(Kind.CONNECT_FAILED, -1, "could not connect to origin " + base
          + " within " + config.connectTimeout() + " (origin.connectTimeout); check that it is up"
          + " and reachable", error);
    }
    if (error instanceof HttpTimeoutException) {
      return of(Kind.TIMEOUT, -1, "origin " + base + " did not answer " + key
          + " within " + config.requestTimeout() + " (origin.requestTimeout); it is slow or overloaded",
          error);
    }
    BoundedBody.TooLarge tooLarge = tooLarge(error);
    if (tooLarge != null) {
      return of(Kind.BAD_CONTENT, -1, "origin " + base + " served wrong content for "
          + key + ": " + tooLarge.getMessage(), error);
    }
    if (error instanceof ConnectException) {
      return of(Kind.CONNECT_FAILED, -1, "could not connect to origin " + base + " ("
          + (error.getMessage() == null ? "connection refused" : error.getMessage())
          + "); check that it is up and that the base URL's host and port are right", error);
    }
    if (error instanceof IOException) {
      return of(Kind.CONNECT_FAILED, -1, "the connection to origin " + base
          + " broke while fetching " + key + " (" + error + ")", error);
    }
    if (closed) {
      return of(Kind.CANCELLED, -1, "request for " + key
          + " cancelled: the origin client was closed", error);
    }
    return of(Kind.CONNECT_FAILED, -1, "fetching " + key + " from origin " + base
        + " failed unexpectedly: " + error, error);
  }

  /** A response with a status other than 2xx. */
  OriginException status(int status) {
    String answered = "origin " + base + " answered " + status + " for " + key;
    if (status == 404 || status == 410) {
      return of(Kind.NOT_FOUND, status, answered + ": the object is not published"
          + " there; check the origin base URL and that the catalog was uploaded", null);
    }
    if (status == 416) {
      return of(Kind.BAD_CONTENT, status, answered + " (range not satisfiable): the"
          + " object is shorter than the manifest says; re-upload it", null);
    }
    if (status == 408) {
      return of(Kind.TIMEOUT, status, answered + ": the origin timed out the request", null);
    }
    if (status == 429 || status / 100 == 5) {
      return of(Kind.SERVER_ERROR, status, answered + ": the origin is failing or"
          + " overloaded; retry later or configure another origin", null);
    }
    boolean s3 = "s3".equals(base.getScheme());
    if ((status == 401 || status == 403) && s3) {
      return of(Kind.CLIENT_ERROR, status, answered + ": access denied; check the node's AWS"
          + " credentials (the access key must exist, its secret match, and it must be allowed"
          + " s3:GetObject on " + base.getAuthority() + "/" + base.getPath().substring(1)
          + "*) and the bucket's policy", null);
    }
    if (status == 401 || status == 403) {
      return of(Kind.CLIENT_ERROR, status, answered + ": access denied; check the"
          + " origin's access policy and the base URL's token or signature (it may have expired)", null);
    }
    if (s3 && (status == 301 || status == 400)) {
      return of(Kind.CLIENT_ERROR, status, answered + ": the bucket refused the request;"
          + " check the bucket's region (--s3-region) and endpoint (--s3-endpoint)", null);
    }
    return of(Kind.CLIENT_ERROR, status, answered + ": the origin refused the"
        + " request; check the origin base URL", null);
  }

  OriginException of(Kind kind, int status, String message, Throwable cause) {
    return new OriginException(kind, shown, status, attempts, message, cause);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The subscriber's own failure, however the HTTP client wrapped it. */
  private static BoundedBody.TooLarge tooLarge(Throwable t) {
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof BoundedBody.TooLarge) {
        return (BoundedBody.TooLarge) t;
      }
    }
    return null;
  }
}
