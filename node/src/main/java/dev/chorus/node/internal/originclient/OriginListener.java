package dev.chorus.node.internal.originclient;

import java.net.URI;
import java.time.Duration;

/**
 * Events of an {@link OriginClient}, for metrics. {@code origin} is the origin's base URL without
 * its query (low cardinality, no credentials). Called on the client's threads; implementations
 * must be quick, thread-safe and must not throw. No-op by default.
 */
public interface OriginListener {
  /** A listener that ignores everything. */
  OriginListener NO_OP = new OriginListener() {};

  /** An HTTP attempt is being sent. */
  default void requestStarted(URI origin) {}

  /** An attempt succeeded: {@code bytes} of verified body in {@code nanos} from sending. */
  default void requestSucceeded(URI origin, long bytes, long nanos) {}

  /** An attempt failed; a retry or the request's failure follows. */
  default void requestFailed(URI origin, OriginException.Kind kind) {}

  /**
   * After a failure of kind {@code cause}, attempt number {@code nextAttempt} (1 is the first)
   * will go to {@code nextOrigin} after {@code delay} (zero when failing over to an origin not yet
   * tried by this request).
   */
  default void retry(URI nextOrigin, OriginException.Kind cause, int nextAttempt, Duration delay) {}
}
