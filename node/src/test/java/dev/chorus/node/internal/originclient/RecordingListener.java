package dev.chorus.node.internal.originclient;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every {@link OriginListener} event, in order. */
final class RecordingListener implements OriginListener {
  record Retry(URI nextOrigin, OriginException.Kind cause, int nextAttempt, Duration delay) {}

  record Failure(URI origin, OriginException.Kind kind) {}

  final List<URI> started = new CopyOnWriteArrayList<>();
  final List<URI> succeeded = new CopyOnWriteArrayList<>();
  final List<Failure> failed = new CopyOnWriteArrayList<>();
  final List<Retry> retries = new CopyOnWriteArrayList<>();

  @Override
  public void requestStarted(URI origin) {
    started.add(origin);
  }

  @Override
  public void requestSucceeded(URI origin, long bytes, long nanos) {
    succeeded.add(origin);
  }

  @Override
  public void requestFailed(URI origin, OriginException.Kind kind) {
    failed.add(new Failure(origin, kind));
  }

  @Override
  public void retry(URI nextOrigin, OriginException.Kind cause, int nextAttempt, Duration delay) {
    retries.add(new Retry(nextOrigin, cause, nextAttempt, delay));
  }
}
