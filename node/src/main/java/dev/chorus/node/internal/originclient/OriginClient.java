package dev.chorus.node.internal.originclient;

import dev.chorus.node.internal.originclient.OriginContent.BodyCheck;
import dev.chorus.node.internal.originclient.OriginContent.RangeCheck;
import dev.chorus.node.internal.originclient.OriginException.Kind;
import dev.chorus.protocol.manifest.ManifestLimits;
import dev.chorus.protocol.manifest.ManifestVerifier;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

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
 *
 * <p><b>Design.</b> This class is the facade: it checks arguments and keeps the pending requests
 * (for {@link #close()}). Each request is an {@link OriginRequest} (the retry and failover loop,
 * driven by the pure {@link RetryPlan}); {@link OriginContent} checks what a 2xx answer holds,
 * {@link OriginFailures} says what any other outcome means, and {@link OriginResources} holds the
 * threads, HTTP client and limits all requests share.
 *
 * <h2>Private buckets ({@code s3://bucket/prefix})</h2>
 *
 * <p>An {@code s3://} origin is turned into its bucket's HTTP(S) URL once ({@code
 * S3Access.httpBase}: path-style at a custom endpoint, virtual-hosted at AWS), and each attempt's
 * GET is signed with SigV4 by the AWS SDK's own signer ({@code S3RequestSigner}, credentials from
 * the SDK's provider chain, asked again at every signature so refreshed ones are used). The
 * request then goes through this client like any other.
 *
 * <p>Why the signer on our HTTP path rather than the SDK's {@code S3Client.getObject(range)}: the
 * S3 client has its own retries, timeouts, connection pool, threads and exception types. Used
 * here, a bucket would be retried by two policies (or need the SDK's turned off), its failures
 * would have to be mapped back to {@link Kind}, and a failover between a CDN and its bucket would
 * cross two clients. With the signer, one {@link RetryPlan} decides retries and failover for all
 * origins alike, {@link OriginContent} checks {@code Content-Range} and chunk hashes the same way,
 * {@link BoundedBody} bounds every body, cancellation and {@link #close()} abort the exchange the
 * same way, and the listener sees one kind of origin. A signature lives in the request's headers
 * only: they are never logged, and the origin is shown as {@code s3://bucket/prefix/}. A missing
 * credential or region fails the attempt as {@link Kind#CLIENT_ERROR} without a request (the other
 * origins are still tried). Pre-signed or CDN URLs need no signer: they are plain HTTP origins.
 */
public final class OriginClient implements ChunkOrigin, AutoCloseable {
  private final OriginResources shared;
  private final Set<OriginRequest<?>> pending = ConcurrentHashMap.newKeySet();

  private OriginClient(OriginConfig config, OriginListener listener, RandomGenerator random) {
    this.shared = new OriginResources(config, listener, random);
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
    return shared.config;
  }

  /**
   * Fetches {@code <base>/manifests/<id hex>} and verifies it against {@code id}. Completes with
   * the verified manifest, or an {@link OriginException}.
   */
  @Override
  public CompletableFuture<TrackManifest> fetchManifest(TrackId id) {
    Objects.requireNonNull(id, "id");
    String key = OriginUris.manifestKey(id);
    return start(key, null, false, ManifestLimits.DEFAULT_MAX_ENCODED_BYTES, OriginContent.manifest(id));
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
    return startRange(manifest, offset, (int) length, OriginContent.chunks(manifest, firstChunk, last));
  }

  /**
   * Fails every pending request with {@link Kind#CANCELLED} and stops the client's threads.
   * Idempotent; later calls fail the same way.
   */
  @Override
  public void close() {
    if (shared.closed) {
      return;
    }
    shared.closed = true;
    for (OriginRequest<?> r : pending) {
      r.fail(new OriginException(Kind.CANCELLED, null, -1, 0,
          "request for " + r.key + " cancelled: the origin client was closed", null));
    }
    shared.shutdown();
  }

  @Override
  public String toString() {
    return "OriginClient" + shared.shownBases;
  }

  private void checkRangeLength(long length) {
    if (length > shared.config.maxRangeBytes()) {
      throw new IllegalArgumentException("a range of " + length + " bytes is over origin.maxRangeBytes ("
          + shared.config.maxRangeBytes() + "); fetch fewer chunks at once");
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
    return start(key, OriginContent.rangeHeader(offset, length), offset == 0 && length == m.sizeBytes(), length,
        OriginContent.range(m, offset, length, then));
  }

  private <T> CompletableFuture<T> start(String key, String range, boolean wholeFile, long bodyLimit,
      BodyCheck<T> check) {
    OriginRequest<T> r = new OriginRequest<>(shared, key, range, wholeFile, bodyLimit, check);
    pending.add(r);
    r.result.whenComplete((v, t) -> {
      pending.remove(r);
      if (r.result.isCancelled()) {
        r.abort();
      }
    });
    if (shared.closed) {
      r.fail(new OriginException(Kind.CANCELLED, null, -1, 0,
          "request for " + key + " refused: the origin client is closed", null));
    } else {
      r.attempt();
    }
    return r.result;
  }
}
