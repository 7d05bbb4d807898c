package dev.chorus.node.internal.originclient;

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
  final List<URI> bases;
  /** {@link #bases} with their queries (credentials) removed: the only form that is shown. */
  final List<URI> shownBases;
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
