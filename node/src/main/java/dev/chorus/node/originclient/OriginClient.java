package dev.chorus.node.originclient;

import dev.chorus.node.originclient.OriginException.Kind;
import dev.chorus.protocol.manifest.ManifestException;
import dev.chorus.protocol.manifest.ManifestLimits;
import dev.chorus.protocol.manifest.ManifestVerifier;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's client of the CDN/S3 origin: fetches signed manifests and byte ranges of audio
 * objects over HTTP from one or more origin base URLs, with connection reuse, timeouts, retries
 * with backoff and failover between origins.
 *
 * <h2>Catalog layout</h2>
 *
 * <p>Under every origin base URL {@code <base>} (a CDN in front of S3, a bucket's public URL, any
 * HTTP server honouring {@code Range}):
 *
 * <ul>
 *   <li>{@code <base>/manifests/<trackIdHex>}: the encoded signed manifest of the track ({@link
 *       TrackManifest#encoded()}), {@code trackIdHex} being the 64 lower-case hex digits of the
 *       track id;
 *   <li>{@code <base>/<originKey>}: the audio file, {@code originKey} being the manifest's {@link
 *       TrackManifest#originKey()}, a relative key such as {@code audio/ab/abcd.ogg}. Every path
 *       segment of the key is percent-encoded (all but RFC 3986 unreserved characters); a key that
 *       is absolute or has an empty, {@code .} or {@code ..} segment is refused ({@link
 *       Kind#BAD_CONTENT}), so no key reaches outside the base.
 * </ul>
 *
 * <p>If a base URL has a query ({@code https://cdn.example/catalog?token=abc}), it is appended
 * verbatim to every object URL ({@code https://cdn.example/catalog/manifests/<hex>?token=abc}).
 * That fits credentials that cover a whole prefix (CDN tokens, CloudFront signed URLs with a
 * wildcard policy, shared access signatures). An S3 SigV4 pre-signed URL signs one object key,
 * so it cannot serve as the base of a catalog. Queries are never logged nor put in messages.
 *
 * <h2>Behaviour</h2>
 *
 * <ul>
 *   <li><b>Ranges.</b> Audio is fetched with {@code Range: bytes=first-last}. The answer must be a
 *       206 whose {@code Content-Range} is exactly that range (with the manifest's file size as
 *       total, or {@code *}) and whose body has exactly that length. A 200 is accepted only when
 *       the range is the whole file; otherwise the origin ignored {@code Range}, which is {@link
 *       Kind#BAD_CONTENT} (we stop reading it, and try another origin). Bodies are never buffered
 *       beyond what was asked for.
 *   <li><b>Verification.</b> A manifest is verified against the requested track id ({@link
 *       ManifestVerifier}); {@link #fetchChunks} verifies every chunk against the manifest's
 *       hashes. A failure is {@link Kind#BAD_CONTENT}.
 *   <li><b>Retries and failover.</b> 5xx, 429, 408, timeouts and connection failures are retried;
 *       attempt {@code n} goes to origin {@code (preferred + n) mod count}: a new origin at once,
 *       an origin already tried after a backoff with full jitter (see {@link OriginConfig}). 404,
 *       410, other 4xx and bad content are not retried on the same origin, but the other origins
 *       are each tried once: they may hold the object. The origin that last answered well is
 *       preferred by the next requests.
 *   <li><b>Errors.</b> A failed request completes its future exceptionally with an {@link
 *       OriginException} naming the kind, the URL (query removed), the status and what to check.
 *   <li><b>Cancellation.</b> Cancelling a returned future aborts the HTTP exchange in flight or
 *       the pending retry. {@link #close()} fails pending requests with {@link Kind#CANCELLED}.
 *   <li><b>Threads.</b> HTTP/1.1 with pooled keep-alive connections; at most {@link
 *       OriginConfig#maxConcurrentRequests()} exchanges at once. Futures complete on the client's
 *       own threads: dependent stages must not block.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class OriginClient implements ChunkOrigin, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OriginClient.class);
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final int HTTP_THREADS = 2;

  private final OriginConfig config;
  private final OriginListener listener;
  private final RandomGenerator random;
  private final List<URI> bases;
  private final List<URI> shownBases;
  private final ExecutorService executor;
  private final ScheduledThreadPoolExecutor timer;
  private final HttpClient http;
  private final ConcurrencyLimiter limiter;
  private final AtomicInteger preferred = new AtomicInteger();
  private final Set<Request<?>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private OriginClient(OriginConfig config, OriginListener listener, RandomGenerator random) {
    this.config = config;
    this.listener = listener;
    this.random = random;
    this.bases = config.baseUris();
    List<URI> shown = new ArrayList<>();
    for (URI b : bases) {
      shown.add(OriginUris.redact(b));
    }
    this.shownBases = List.copyOf(shown);
    this.executor = Executors.newFixedThreadPool(HTTP_THREADS, daemonThreads("chorus-origin-http-"));
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("chorus-origin-timer-"));
    // Cancelled timeouts (nearly all of them) must not pile up in the queue.
    timer.setRemoveOnCancelPolicy(true);
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NORMAL)
        .executor(executor)
        .build();
    this.limiter = new ConcurrencyLimiter(config.maxConcurrentRequests(), executor);
  }

  /** A client for {@code config}, reporting nothing. */
  public static OriginClient create(OriginConfig config) {
    return create(config, OriginListener.NO_OP);
  }

  /** A client for {@code config}, reporting events to {@code listener}. */
  public static OriginClient create(OriginConfig config, OriginListener listener) {
    return create(config, listener, new Random());
  }

  /** Tests: {@code random} draws the backoff jitter. */
  static OriginClient create(OriginConfig config, OriginListener listener, RandomGenerator random) {
    return new OriginClient(Objects.requireNonNull(config, "config"),
        Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(random, "random"));
  }

  /** The configuration this client was created with. */
  public OriginConfig config() {
    return config;
  }

  /**
   * Fetches {@code <base>/manifests/<id hex>} and verifies it against {@code id}. Completes with
   * the verified manifest, or an {@link OriginException}.
   */
  @Override
  public CompletableFuture<TrackManifest> fetchManifest(TrackId id) {
    Objects.requireNonNull(id, "id");
    String key = OriginUris.manifestKey(id);
    return start(key, null, false, ManifestLimits.DEFAULT_MAX_ENCODED_BYTES, response -> {
      try {
        return ManifestVerifier.create().verify(id, response.body());
      } catch (ManifestException e) {
        throw new BadContent("the manifest does not verify against the track id: " + e.getMessage());
      }
    });
  }

  /**
   * Fetches bytes {@code [offset, offset + length)} of the track's audio object with one range
   * request. Completes with exactly {@code length} bytes (not verified: use {@link #fetchChunks}
   * for that), or an {@link OriginException}.
   *
   * @throws IllegalArgumentException if the range is empty, outside the file, or longer than
   *     {@link OriginConfig#maxRangeBytes()}
   */
  public CompletableFuture<byte[]> fetchRange(TrackManifest manifest, long offset, int length) {
    Objects.requireNonNull(manifest, "manifest");
    if (offset < 0 || length < 1 || offset > manifest.sizeBytes() - length) {
      throw new IllegalArgumentException("range [" + offset + ", +" + length
          + ") is empty or outside the file of " + manifest.sizeBytes() + " bytes");
    }
    checkRangeLength(length);
    return startRange(manifest, offset, length, (response, body) -> body);
  }

  /**
   * Fetches chunks {@code firstChunk .. firstChunk + count - 1} of the track with one range
   * request, splits them and verifies each against the manifest's hashes. Completes with the
   * verified chunks in order, or an {@link OriginException} ({@link Kind#BAD_CONTENT} if a chunk
   * does not verify on any origin).
   *
   * @throws IllegalArgumentException if the chunks are not in the manifest or together longer
   *     than {@link OriginConfig#maxRangeBytes()}
   */
  @Override
  public CompletableFuture<List<byte[]>> fetchChunks(TrackManifest manifest, int firstChunk, int count) {
    Objects.requireNonNull(manifest, "manifest");
    if (firstChunk < 0 || count < 1 || firstChunk > manifest.chunkCount() - count) {
      throw new IllegalArgumentException("chunks " + firstChunk + " +" + count
          + " are not all in the track's " + manifest.chunkCount() + " chunks");
    }
    int last = firstChunk + count - 1;
    long offset = manifest.chunkOffset(firstChunk);
    long length = manifest.chunkOffset(last) + manifest.chunkLength(last) - offset;
    checkRangeLength(length);
    return startRange(manifest, offset, (int) length, (response, body) -> {
      ManifestVerifier verifier = ManifestVerifier.create();
      List<byte[]> chunks = new ArrayList<>(count);
      int from = 0;
      for (int i = firstChunk; i <= last; i++) {
        byte[] chunk = Arrays.copyOfRange(body, from, from + manifest.chunkLength(i));
        from += chunk.length;
        try {
          verifier.verifyChunk(manifest, i, chunk);
        } catch (ManifestException e) {
          throw new BadContent("chunk " + i + " does not verify against the manifest: " + e.getMessage());
        }
        chunks.add(chunk);
      }
      return List.copyOf(chunks);
    });
  }

  /**
   * Fails every pending request with {@link Kind#CANCELLED} and stops the client's threads.
   * Idempotent; later calls fail the same way.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Request<?> r : pending) {
      r.fail(new OriginException(Kind.CANCELLED, null, -1, 0,
          "request for " + r.key + " cancelled: the origin client was closed", null));
    }
    timer.shutdownNow();
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "OriginClient" + shownBases;
  }

  private void checkRangeLength(long length) {
    if (length > config.maxRangeBytes()) {
      throw new IllegalArgumentException("a range of " + length + " bytes is over origin.maxRangeBytes ("
          + config.maxRangeBytes() + "); fetch fewer chunks at once");
    }
  }

  private <T> CompletableFuture<T> startRange(TrackManifest m, long offset, int length, RangeCheck<T> then) {
    String key = m.originKey();
    try {
      OriginUris.checkKey(key);
    } catch (IllegalArgumentException e) {
      // The key is signed by the publisher, but still must not reach outside the catalog.
      return CompletableFuture.failedFuture(new OriginException(Kind.BAD_CONTENT, null, -1, 0,
          "track " + m.trackId() + " cannot be fetched from an origin: " + e.getMessage(), null));
    }
    long last = offset + length - 1;
    String range = "bytes=" + offset + "-" + last;
    return start(key, range, offset == 0 && length == m.sizeBytes(), length, response -> {
      byte[] body = response.body();
      if (response.statusCode() == 206) {
        String contentRange = response.headers().firstValue("content-range").orElse("");
        Matcher cr = CONTENT_RANGE.matcher(contentRange.strip());
        boolean rangeOk = cr.matches() && cr.group(1).equals(Long.toString(offset))
            && cr.group(2).equals(Long.toString(last))
            && (cr.group(3).equals("*") || cr.group(3).equals(Long.toString(m.sizeBytes())));
        if (!rangeOk) {
          throw new BadContent("asked for " + range + " of a " + m.sizeBytes()
              + "-byte file, got Content-Range '" + contentRange + "'");
        }
      } else if (response.statusCode() != 200 || offset != 0 || length != m.sizeBytes()) {
        throw new BadContent("asked for " + range + ", got status " + response.statusCode()
            + " (the origin ignores Range requests; serve the catalog from one that honours them)");
      }
      if (body.length != length) {
        throw new BadContent("asked for " + length + " bytes (" + range + "), got " + body.length
            + " (the object is not the file the manifest describes)");
      }
      return then.apply(response, body);
    });
  }

  private <T> CompletableFuture<T> start(String key, String range, boolean wholeFile, long bodyLimit,
      BodyCheck<T> check) {
    Request<T> r = new Request<>(key, range, wholeFile, bodyLimit, check);
    pending.add(r);
    r.result.whenComplete((v, t) -> {
      pending.remove(r);
      if (r.result.isCancelled()) {
        r.abort();
      }
    });
    if (closed) {
      r.fail(new OriginException(Kind.CANCELLED, null, -1, 0,
          "request for " + key + " refused: the origin client is closed", null));
    } else {
      r.attempt();
    }
    return r.result;
  }

  /** Checks a 2xx response and turns it into the request's value. */
  @FunctionalInterface
  private interface BodyCheck<T> {
    T check(HttpResponse<byte[]> response) throws BadContent;
  }

  /** Checks a range's bytes further (e.g. chunk hashes) and turns them into the value. */
  @FunctionalInterface
  private interface RangeCheck<T> {
    T apply(HttpResponse<byte[]> response, byte[] body) throws BadContent;
  }

  /** The origin answered 2xx, but not with what the request needs. */
  private static final class BadContent extends Exception {
    private static final long serialVersionUID = 1L;

    BadContent(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * One request: its attempts, one after another (so {@code plan} and {@code failures} need no
   * lock: each attempt starts after the previous one's completion has been handled).
   */
  private final class Request<T> {
    final String key;
    final String range;
    /** The range is the whole object, so a 200 (Range ignored) is as good as a 206. */
    final boolean wholeFile;
    final long bodyLimit;
    final BodyCheck<T> check;
    final CompletableFuture<T> result = new CompletableFuture<>();
    final RetryPlan plan;
    final List<OriginException> failures = new ArrayList<>();
    /** The attempt in flight, or null; for cancellation. */
    volatile Attempt current;
    /** The scheduled next attempt, or null; for cancellation. */
    volatile Future<?> next;

    Request(String key, String range, boolean wholeFile, long bodyLimit, BodyCheck<T> check) {
      this.key = key;
      this.range = range;
      this.wholeFile = wholeFile;
      this.bodyLimit = bodyLimit;
      this.check = check;
      this.plan = new RetryPlan(bases.size(), preferred.get(), config.maxAttempts(),
          config.initialBackoff().toNanos(), config.maxBackoff().toNanos(), random);
    }

    void attempt() {
      limiter.run(this::send);
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
        limiter.release();
        return;
      }
      Attempt a = new Attempt(plan.origin());
      current = a;
      try {
        listener.requestStarted(shownBases.get(a.origin));
        a.exchange = http.sendAsync(a.request(), a::bodyFor);
        // HttpRequest.timeout only covers the wait for the headers; this also bounds the body.
        a.watchdog = timer.schedule(a::timeOut, config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        // Handled on our threads (java.net.http hands completions to the common pool).
        a.exchange.whenCompleteAsync(a::completed, executor);
      } catch (RuntimeException e) { // the client is being closed
        a.abort();
        limiter.release();
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
        this.uri = OriginUris.objectUri(bases.get(origin), key);
      }

      HttpRequest request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(config.requestTimeout());
        if (range != null) {
          b.header("Range", range);
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
        limiter.release();
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

    private void handle(Attempt a, HttpResponse<byte[]> response, Throwable error) {
      if (current == a) {
        current = null;
      }
      if (result.isDone()) {
        return;
      }
      int origin = a.origin;
      URI shown = OriginUris.redact(a.uri);
      OriginException failure;
      if (error != null) {
        failure = failure(origin, shown, unwrap(error), a.timedOut);
      } else if (response.statusCode() / 100 == 2) {
        try {
          T value = check.check(response);
          succeeded(origin, shown, response.body().length, System.nanoTime() - a.started, value);
          return;
        } catch (BadContent e) {
          failure = exception(Kind.BAD_CONTENT, shown, response.statusCode(), "origin "
              + shownBases.get(origin) + " served wrong content for " + key + ": " + e.getMessage()
              + "; re-upload the object or remove this origin", null);
        } catch (RuntimeException e) {
          failure = exception(Kind.BAD_CONTENT, shown, response.statusCode(), "origin "
              + shownBases.get(origin) + " served content for " + key + " that could not be read: " + e, e);
        }
      } else {
        failure = statusFailure(origin, shown, response.statusCode());
      }
      failed(origin, failure);
    }

    private void succeeded(int origin, URI shown, long bytes, long nanos, T value) {
      preferred.set(origin);
      listener.requestSucceeded(shownBases.get(origin), bytes, nanos);
      if (LOG.isDebugEnabled()) {
        LOG.debug("GET {}{} -> {} bytes in {} ms (attempt {})", shown,
            range == null ? "" : " " + range, bytes, nanos / 1_000_000, plan.attempts());
      }
      result.complete(value);
    }

    private void failed(int origin, OriginException failure) {
      listener.requestFailed(shownBases.get(origin), failure.kind());
      failures.add(failure);
      long delay = closed ? RetryPlan.GIVE_UP : plan.onFailure(failure.kind());
      if (delay == RetryPlan.GIVE_UP) {
        giveUp(failure);
        return;
      }
      int nextOrigin = plan.origin();
      listener.retry(shownBases.get(nextOrigin), failure.kind(), plan.attempts(), Duration.ofNanos(delay));
      if (nextOrigin != origin) {
        LOG.warn("{}; failing over to origin {}", failure.getMessage(), shownBases.get(nextOrigin));
      } else {
        LOG.debug("{}; retrying in {} ms", failure.getMessage(), delay / 1_000_000);
      }
      try {
        if (delay == 0) {
          executor.execute(this::attempt);
        } else {
          next = timer.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
          if (result.isDone()) {
            abort();
          }
        }
      } catch (RejectedExecutionException e) {
        giveUp(exception(Kind.CANCELLED, null, -1, "request for " + key
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

    private OriginException failure(int origin, URI shown, Throwable error, boolean timedOut) {
      URI base = shownBases.get(origin);
      if (timedOut) { // however the abort surfaced (cancellation, closed connection)
        return exception(Kind.TIMEOUT, shown, -1, "origin " + base + " did not answer " + key
            + " within " + config.requestTimeout() + " (origin.requestTimeout); it is slow or overloaded",
            null);
      }
      if (error instanceof CancellationException) {
        return exception(Kind.CANCELLED, shown, -1, "request for " + key + " cancelled", error);
      }
      if (error instanceof HttpConnectTimeoutException) {
        return exception(Kind.CONNECT_FAILED, shown, -1, "could not connect to origin " + base
            + " within " + config.connectTimeout() + " (origin.connectTimeout); check that it is up"
            + " and reachable", error);
      }
      if (error instanceof HttpTimeoutException) {
        return exception(Kind.TIMEOUT, shown, -1, "origin " + base + " did not answer " + key
            + " within " + config.requestTimeout() + " (origin.requestTimeout); it is slow or overloaded",
            error);
      }
      BoundedBody.TooLarge tooLarge = tooLarge(error);
      if (tooLarge != null) {
        return exception(Kind.BAD_CONTENT, shown, -1, "origin " + base + " served wrong content for "
            + key + ": " + tooLarge.getMessage(), error);
      }
      if (error instanceof ConnectException) {
        return exception(Kind.CONNECT_FAILED, shown, -1, "could not connect to origin " + base + " ("
            + (error.getMessage() == null ? "connection refused" : error.getMessage())
            + "); check that it is up and that the base URL's host and port are right", error);
      }
      if (error instanceof IOException) {
        return exception(Kind.CONNECT_FAILED, shown, -1, "the connection to origin " + base
            + " broke while fetching " + key + " (" + error + ")", error);
      }
      if (closed) {
        return exception(Kind.CANCELLED, shown, -1, "request for " + key
            + " cancelled: the origin client was closed", error);
      }
      return exception(Kind.CONNECT_FAILED, shown, -1, "fetching " + key + " from origin " + base
          + " failed unexpectedly: " + error, error);
    }

    private OriginException statusFailure(int origin, URI shown, int status) {
      URI base = shownBases.get(origin);
      String answered = "origin " + base + " answered " + status + " for " + key;
      if (status == 404 || status == 410) {
        return exception(Kind.NOT_FOUND, shown, status, answered + ": the object is not published"
            + " there; check the origin base URL and that the catalog was uploaded", null);
      }
      if (status == 416) {
        return exception(Kind.BAD_CONTENT, shown, status, answered + " (range not satisfiable): the"
            + " object is shorter than the manifest says; re-upload it", null);
      }
      if (status == 408) {
        return exception(Kind.TIMEOUT, shown, status, answered + ": the origin timed out the request", null);
      }
      if (status == 429 || status / 100 == 5) {
        return exception(Kind.SERVER_ERROR, shown, status, answered + ": the origin is failing or"
            + " overloaded; retry later or configure another origin", null);
      }
      if (status == 401 || status == 403) {
        return exception(Kind.CLIENT_ERROR, shown, status, answered + ": access denied; check the"
            + " origin's access policy and the base URL's token or signature (it may have expired)", null);
      }
      return exception(Kind.CLIENT_ERROR, shown, status, answered + ": the origin refused the"
          + " request; check the origin base URL", null);
    }

    private OriginException exception(Kind kind, URI shown, int status, String message, Throwable cause) {
      return new OriginException(kind, shown, status, plan.attempts(), message, cause);
    }
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

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
