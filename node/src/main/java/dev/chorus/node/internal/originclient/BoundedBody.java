package dev.chorus.node.internal.originclient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A body subscriber that reads at most {@code limit} bytes, so that a misbehaving origin cannot
 * make the node buffer (or download) more than it asked for, and that can be {@linkplain #abort()
 * aborted} from another thread: cancelling the subscription is what makes {@code java.net.http}
 * close the connection, whatever cancelling the response future does on this JDK.
 *
 * <p>In <em>collect</em> mode the body is the bytes, and a longer body fails with {@link
 * TooLarge}. In <em>discard</em> mode (error responses) the body is null and nothing is kept;
 * reading a longer body stops quietly (the connection is then closed instead of reused).
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** Bytes of an error body read (and dropped) to keep its connection reusable. */
  static final long DISCARD_LIMIT = 64 * 1024;

  /** The body is longer than the limit. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message);
    }
  }

  private final long limit;
  private final long declaredLength;
  private final String overLimit;
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private final ByteArrayOutputStream buffer;
  private long received;
  private volatile Flow.Subscription subscription;
  private volatile boolean aborted;

  private BoundedBody(long limit, long declaredLength, String overLimit) {
    this.limit = limit;
    this.declaredLength = declaredLength;
    this.overLimit = overLimit;
    long initial = overLimit == null ? 0 : declaredLength >= 0 ? Math.min(declaredLength, limit) : Math.min(limit, 8192);
    this.buffer = new ByteArrayOutputStream((int) initial);
  }

  /**
   * Collects up to {@code limit} bytes; {@code declaredLength} is the Content-Length or -1, {@code
   * overLimit} the message of the {@link TooLarge} failure.
   */
  static BoundedBody collect(long limit, long declaredLength, String overLimit) {
    return new BoundedBody(limit, declaredLength, overLimit);
  }

  /** Reads and drops up to {@link #DISCARD_LIMIT} bytes; the body is null. */
  static BoundedBody discard(long declaredLength) {
    return new BoundedBody(DISCARD_LIMIT, declaredLength, null);
  }

  /** Stops reading and closes the connection; the body fails with a CancellationException. */
  void abort() {
    aborted = true;
    // Complete first: cancelling may make the client call onComplete with a partial body.
    body.completeExceptionally(new CancellationException("aborted"));
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (aborted) {
      s.cancel();
      return;
    }
    if (declaredLength > limit) {
      over(s);
      return;
    }
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer b : items) {
      received += b.remaining();
      if (received > limit) {
        over(subscription);
        return;
      }
      if (overLimit == null) {
        b.position(b.limit());
      } else if (b.hasArray()) {
        buffer.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
      } else {
        byte[] copy = new byte[b.remaining()];
        b.get(copy);
        buffer.writeBytes(copy);
      }
    }
  }

  @Override
  public void onError(Throwable throwable) {
    body.completeExceptionally(throwable);
  }

  @Override
  public void onComplete() {
    body.complete(overLimit == null ? null : buffer.toByteArray());
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  /**
   * Completes the body, then cancels: in that order, because cancelling may make the client call
   * {@link #onComplete} (from another thread) with the partial body, which must not win.
   */
  private void over(Flow.Subscription s) {
    if (overLimit == null) {
      body.complete(null);
    } else {
      String declared = declaredLength > limit ? " (Content-Length " + declaredLength + ")" : "";
      body.completeExceptionally(new TooLarge(overLimit + declared));
    }
    s.cancel();
  }
}
