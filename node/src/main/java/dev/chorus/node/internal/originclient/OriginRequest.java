package dev.chorus.node.internal.originclient;

import dev.chorus.node.internal.originclient.OriginContent.BadContent;
import dev.chorus.node.internal.originclient.OriginContent.BodyCheck;
import dev.chorus.node.internal.originclient.OriginException.Kind;
import dev.chorus.node.internal.s3.S3AccessException;
import dev.chorus.node.internal.s3.S3RequestSigner;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request to the origins: the failover and retry loop. Its attempts run one after another (so
 * {@code plan} and {@code failures} need no lock: each attempt starts after the previous one's
 * completion has been handled), each holding a permit of the client's {@link ConcurrencyLimiter}.
 *
 * <p>Design: {@link RetryPlan} decides (purely) which origin the next attempt goes to and after
 * what delay; {@link OriginFailures} classifies what went wrong; {@link OriginContent} checks what
 * a 2xx brought. This class only wires them to the HTTP client, the timer and the result future,
 * and makes sure an attempt's permit is released, and its exchange aborted, exactly once on every
 * path (success, failure, timeout, cancellation, close).
 */
final class OriginRequest<T> {
  private static final Logger LOG = LoggerFactory.getLogger(OriginClient.class);

  private final OriginResources shared;
  final String key;
  private final String range;
  /** The range is the whole object, so a 200 (Range ignored) is as good as a 206. */
  private final boolean wholeFile;
  private final long bodyLimit;
  private final BodyCheck<T> check;
  final CompletableFuture<T> result = new CompletableFuture<>();
  private final RetryPlan plan;
  private final List<OriginException> failures = new ArrayList<>();
  /** The attempt in flight, or null; for cancellation. */
  private volatile Attempt current;
  /** The scheduled next attempt, or null; for cancellation. */
  private volatile Future<?> next;

  OriginRequest(OriginResources shared, String key, String range, boolean wholeFile, long bodyLimit,
      BodyCheck<T> check) {
    this.shared = shared;
    this.key = key;
    this.range = range;
    this.wholeFile = wholeFile;
    this.bodyLimit = bodyLimit;
    this.check = check;
    this.plan = new RetryPlan(shared.bases.size(), shared.preferred.get(), shared.config.maxAttempts(),
        shared.config.initialBackoff().toNanos(), shared.config.maxBackoff().toNanos(), shared.random);
  }

  void attempt() {
    shared.limiter.run(this::send);
  }

  void abort() {
    Attempt a = current;
    if (a != null) {
      a.abort();
    }
    Future<?> n = next;
    if (n != null) {
      n.cancel(false);
    }
  }

  void fail(OriginException e) {
    result.completeExceptionally(e);
    abort();
  }

  /** Runs holding a limiter permit; every path releases it exactly once. */
  private void send() {
    if (result.isDone()) {
      shared.limiter.release();
      return;
    }
    Attempt a = new Attempt(plan.origin());
    current = a;
    HttpRequest request;
    try {
      request = a.request();
    } catch (S3AccessException e) {
      shared.limiter.release();
      unsigned(a, e);
      return;
    }
    try {
      shared.listener.requestStarted(shared.shownBases.get(a.origin));
      a.exchange = shared.http.sendAsync(request, a::bodyFor);
      // HttpRequest.timeout only covers the wait for the headers; this also bounds the body.
      a.watchdog = shared.timer.schedule(a::timeOut, shared.config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
      // Handled on our threads (java.net.http hands completions to the common pool).
      a.exchange.whenCompleteAsync(a::completed, shared.executor);
    } catch (RuntimeException e) { // the client is being closed
      a.abort();
      shared.limiter.release();
      handle(a, null, e);
      return;
    }
    if (result.isDone()) {
      a.abort();
    }
  }

  /** One HTTP exchange of this request. */
  private final class Attempt {
    final int origin;
    final URI uri;
    final long started = System.nanoTime();
    volatile boolean timedOut;
    volatile boolean aborted;
    volatile BoundedBody body;
    volatile CompletableFuture<HttpResponse<byte[]>> exchange;
    volatile ScheduledFuture<?> watchdog;

    Attempt(int origin) {
      this.origin = origin;
      this.uri = OriginUris.objectUri(shared.bases.get(origin), key);
    }

    /**
     * The request; signed (SigV4) for an {@code s3://} origin. The signature's headers hold the
     * access key id and any session token: they are sent and never logged.
     */
    HttpRequest request() throws S3AccessException {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(shared.config.requestTimeout());
      if (range != null) {
        b.header("Range", range);
      }
      S3RequestSigner signer = shared.signers.get(origin);
      if (signer != null) {
        signer.signGet(uri).forEach((name, values) -> values.forEach(v -> b.header(name, v)));
      }
      return b.build();
    }

    void timeOut() {
      timedOut = true;
      abort();
    }

    /** Stops the exchange: its future, and its body (which closes the connection). */
    void abort() {
      aborted = true;
      CompletableFuture<?> e = exchange;
      if (e != null) {
        e.cancel(true);
      }
      BoundedBody b = body;
      if (b != null) {
        b.abort();
      }
    }

    void completed(HttpResponse<byte[]> response, Throwable error) {
      ScheduledFuture<?> w = watchdog;
      if (w != null) {
        w.cancel(false);
      }
      shared.limiter.release();
      handle(this, response, error);
    }

    /**
     * 2xx bodies are collected up to the limit; the whole object where a range was asked for is
     * refused at once; error bodies are drained (a little) so that the connection is reused.
     */
    HttpResponse.BodySubscriber<byte[]> bodyFor(HttpResponse.ResponseInfo info) {
      long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
      BoundedBody b;
      if (range != null && info.statusCode() == 200 && !wholeFile) {
        b = BoundedBody.collect(0, declared, "asked for " + range + ", got status 200: the origin"
            + " ignores Range requests; serve the catalog from one that honours them");
      } else if (info.statusCode() / 100 == 2) {
        b = BoundedBody.collect(bodyLimit, declared, "the body is longer than the expected "
            + bodyLimit + " bytes");
      } else {
        b = BoundedBody.discard(declared);
      }
      body = b;
      if (aborted) { // timed out or cancelled while waiting for the headers
        b.abort();
      }
      return b;
    }
  }

  /** The request to an {@code s3://} origin could not be signed: no credentials or no region. */
  private void unsigned(Attempt a, S3AccessException e) {
    if (current == a) {
      current = null;
    }
    if (result.isDone()) {
      return;
    }
    URI shown = OriginUris.redact(a.uri);
    OriginFailures why = new OriginFailures(shared.config, shared.shownBases.get(a.origin), shown, key,
        plan.attempts());
    // No cause: the SDK's exception adds nothing the message lacks.
    failed(a.origin, why.of(Kind.CLIENT_ERROR, -1, "cannot sign the request for " + key + " to origin "
        + shared.shownBases.get(a.origin) + ": " + e.getMessage(), null));
  }

  private void handle(Attempt a, HttpResponse<byte[]> response, Throwable error) {
    if (current == a) {
      current = null;
    }
    if (result.isDone()) {
      return;
    }
    int origin = a.origin;
    URI shown = OriginUris.redact(a.uri);
    OriginFailures why = new OriginFailures(shared.config, shared.shownBases.get(origin), shown, key,
        plan.attempts());
    OriginException failure;
    if (error != null) {
      failure = why.transport(error, a.timedOut, shared.closed);
    } else if (response.statusCode() / 100 == 2) {
      try {
        T value = check.check(response);
        succeeded(origin, shown, response.body().length, System.nanoTime() - a.started, value);
        return;
      } catch (BadContent e) {
        failure = why.of(Kind.BAD_CONTENT, response.statusCode(), "origin "
            + shared.shownBases.get(origin) + " served wrong content for " + key + ": " + e.getMessage()
            + "; re-upload the object or remove this origin", null);
      } catch (RuntimeException e) {
        failure = why.of(Kind.BAD_CONTENT, response.statusCode(), "origin "
            + shared.shownBases.get(origin) + " served content for " + key + " that could not be read: " + e, e);
      }
    } else {
      failure = why.status(response.statusCode());
    }
    failed(origin, failure);
  }

  private void succeeded(int origin, URI shown, long bytes, long nanos, T value) {
    shared.preferred.set(origin);
    shared.listener.requestSucceeded(shared.shownBases.get(origin), bytes, nanos);
    if (LOG.isDebugEnabled()) {
      LOG.debug("GET {}{} -> {} bytes in {} ms (attempt {})", shown,
          range == null ? "" : " " + range, bytes, nanos / 1_000_000, plan.attempts());
    }
    result.complete(value);
  }

  private void failed(int origin, OriginException failure) {
    shared.listener.requestFailed(shared.shownBases.get(origin), failure.kind());
    failures.add(failure);
    long delay = shared.closed ? RetryPlan.GIVE_UP : plan.onFailure(failure.kind());
    if (delay == RetryPlan.GIVE_UP) {
      giveUp(failure);
      return;
    }
    int nextOrigin = plan.origin();
    shared.listener.retry(shared.shownBases.get(nextOrigin), failure.kind(), plan.attempts(), Duration.ofNanos(delay));
    if (nextOrigin != origin) {
      LOG.warn("{}; failing over to origin {}", failure.getMessage(), shared.shownBases.get(nextOrigin));
    } else {
      LOG.debug("{}; retrying in {} ms", failure.getMessage(), delay / 1_000_000);
    }
    try {
      if (delay == 0) {
        shared.executor.execute(this::attempt);
      } else {
        next = shared.timer.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
        if (result.isDone()) {
          abort();
        }
      }
    } catch (RejectedExecutionException e) {
      giveUp(new OriginException(Kind.CANCELLED, null, -1, plan.attempts(), "request for " + key
          + " cancelled: the origin client was closed", null));
    }
  }

  private void giveUp(OriginException last) {
    OriginException e = last.withAttempts(plan.attempts());
    for (OriginException earlier : failures) {
      if (earlier != last) {
        e.addSuppressed(earlier);
      }
    }
    LOG.debug("giving up on {} after {} attempts: {}", key, plan.attempts(), e.getMessage());
    result.completeExceptionally(e);
  }
}
