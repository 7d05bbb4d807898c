package dev.chorus.node.internal.originclient;

import dev.chorus.node.internal.s3.S3AccessException;
import dev.chorus.node.internal.s3.S3Location;
import dev.chorus.node.internal.s3.S3RequestSigner;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * What all requests of one {@link OriginClient} share: the origins (and their redacted forms for
 * logs and metrics), the HTTP client with its threads and timer, the concurrency limit, the
 * preferred origin and whether the client is closed. Thread-safe.
 */
final class OriginResources {
  private static final int HTTP_THREADS = 2;

  final OriginConfig config;
  final OriginListener listener;
  final RandomGenerator random;
  /** The HTTP(S) base URL of every origin ({@code s3://} ones as their bucket's URL). */
  final List<URI> bases;
  /**
   * The origins as configured, with their queries (credentials) removed: the only form that is
   * shown ({@code s3://bucket/prefix/} for a bucket).
   */
  final List<URI> shownBases;
  /** Per origin: the SigV4 signer of an {@code s3://} origin, or null for a plain HTTP one. */
  final List<S3RequestSigner> signers;
  final ExecutorService executor;
  final ScheduledThreadPoolExecutor timer;
  final HttpClient http;
  final ConcurrencyLimiter limiter;
  /** The origin that last answered well; new requests start there. */
  final AtomicInteger preferred = new AtomicInteger();
  volatile boolean closed;

  OriginResources(OriginConfig config, OriginListener listener, RandomGenerator random) {
    this.config = config;
    this.listener = listener;
    this.random = random;
    List<URI> http = new ArrayList<>();
    List<URI> shown = new ArrayList<>();
    List<S3RequestSigner> sign = new ArrayList<>();
    S3RequestSigner s3 = config.hasS3Origins() ? new S3RequestSigner(config.s3()) : null;
    for (int i = 0; i < config.baseUris().size(); i++) {
      URI b = config.baseUris().get(i);
      shown.add(OriginUris.redact(b));
      if (S3Location.isS3(b)) {
        S3Location location = S3Location.parse("origin.baseUris[" + i + "]", b.toString());
        try {
          http.add(config.s3().httpBase(location));
        } catch (S3AccessException e) {
          throw new IllegalArgumentException("origin.baseUris[" + i + "]: " + e.getMessage(), e);
        }
        sign.add(s3);
      } else {
        http.add(b);
        sign.add(null);
      }
    }
    this.bases = List.copyOf(http);
    this.shownBases = List.copyOf(shown);
    this.signers = java.util.Collections.unmodifiableList(sign);
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

  /** Stops the threads; exchanges in flight fail, scheduled retries never run. */
  void shutdown() {
    timer.shutdownNow();
    executor.shutdownNow();
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
