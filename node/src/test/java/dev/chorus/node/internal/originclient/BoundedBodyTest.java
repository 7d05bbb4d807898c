package dev.chorus.node.internal.originclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {
  /** A subscription that, like java.net.http may, completes the subscriber when cancelled. */
  static final class CompletingOnCancel implements Flow.Subscription {
    final BoundedBody subscriber;
    boolean cancelled;

    CompletingOnCancel(BoundedBody subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {}

    @Override
    public void cancel() {
      cancelled = true;
      subscriber.onComplete();
    }
  }

  /** How the body failed (null if it did not). */
  static Throwable failure(BoundedBody b) {
    CompletableFuture<byte[]> body = b.getBody().toCompletableFuture();
    assertTrue(body.isDone());
    return body.handle((v, t) -> t).join();
  }

  static ByteBuffer bytes(int n) {
    return ByteBuffer.wrap(new byte[n]);
  }

  @Test
  void collectsUpToTheLimit() throws Exception {
    BoundedBody b = BoundedBody.collect(10, -1, "too long");
    b.onSubscribe(new CompletingOnCancel(b));
    b.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2, 3}), ByteBuffer.wrap(new byte[] {4, 5, 6, 7, 8, 9, 10})));
    b.onComplete();
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, b.getBody().toCompletableFuture().get());
  }

  @Test
  void aLongerBodyFailsEvenIfCancellingCompletesTheSubscriber() {
    BoundedBody b = BoundedBody.collect(10, -1, "too long");
    CompletingOnCancel s = new CompletingOnCancel(b);
    b.onSubscribe(s);
    b.onNext(List.of(bytes(10)));
    b.onNext(List.of(bytes(1)));
    assertTrue(s.cancelled);
    assertInstanceOf(BoundedBody.TooLarge.class, failure(b));
  }

  @Test
  void aLongerDeclaredLengthFailsBeforeReading() {
    BoundedBody b = BoundedBody.collect(10, 11, "too long");
    CompletingOnCancel s = new CompletingOnCancel(b);
    b.onSubscribe(s);
    assertTrue(s.cancelled);
    assertTrue(failure(b).getMessage().contains("Content-Length 11"));
  }

  @Test
  void abortFailsTheBodyEvenIfCancellingCompletesTheSubscriber() {
    BoundedBody b = BoundedBody.collect(10, -1, "too long");
    CompletingOnCancel s = new CompletingOnCancel(b);
    b.onSubscribe(s);
    b.onNext(List.of(bytes(5)));
    b.abort();
    assertTrue(s.cancelled);
    assertInstanceOf(CancellationException.class, failure(b));
  }

  @Test
  void abortBeforeSubscribingCancelsOnSubscribe() {
    BoundedBody b = BoundedBody.collect(10, -1, "too long");
    b.abort();
    CompletingOnCancel s = new CompletingOnCancel(b);
    b.onSubscribe(s);
    assertTrue(s.cancelled);
    assertInstanceOf(CancellationException.class, failure(b));
  }

  @Test
  void discardKeepsNothingAndStopsQuietlyAtItsLimit() throws Exception {
    BoundedBody small = BoundedBody.discard(-1);
    small.onSubscribe(new CompletingOnCancel(small));
    small.onNext(List.of(bytes(100)));
    small.onComplete();
    assertNull(small.getBody().toCompletableFuture().get());

    BoundedBody big = BoundedBody.discard(-1);
    CompletingOnCancel s = new CompletingOnCancel(big);
    big.onSubscribe(s);
    big.onNext(List.of(bytes((int) BoundedBody.DISCARD_LIMIT), bytes(1)));
    assertTrue(s.cancelled);
    assertNull(big.getBody().toCompletableFuture().get());
  }
}
