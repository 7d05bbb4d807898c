package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.testing.Await;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/** Keeps the client's events in order as strings ("connected", "connectFailed AUTHENTICATION_FAILED 37"...). */
final class RecordingClientListener implements TrackerClientListener {
  static final long WAIT_SECONDS = 20;

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

  /** One event: its kind, the error code if any, and the retry delay if any. */
  static final class Event {
    final String kind;
    final ErrorCode code;
    final long value;

    Event(String kind, ErrorCode code, long value) {
      this.kind = kind;
      this.code = code;
      this.value = value;
    }

    @Override
    public String toString() {
      return kind + " " + code + " " + value;
    }
  }

  Event await(String kind) throws InterruptedException {
    return await(e -> e.kind.equals(kind));
  }

  Event await(String kind, ErrorCode code) throws InterruptedException {
    return await(e -> e.kind.equals(kind) && e.code == code);
  }

  /** The next event matching {@code which}, skipping others. */
  Event await(Predicate<Event> which) throws InterruptedException {
    return Await.next(events, which, Duration.ofSeconds(WAIT_SECONDS),
        () -> "no matching client event within " + WAIT_SECONDS + " s");
  }

  @Override
  public void connected(InetSocketAddress tracker) {
    events.add(new Event("connected", ErrorCode.NONE, tracker.getPort()));
  }

  @Override
  public void connectFailed(ErrorCode reason, long retryInMillis) {
    events.add(new Event("connectFailed", reason, retryInMillis));
  }

  @Override
  public void disconnected(ErrorCode reason, long retryInMillis) {
    events.add(new Event("disconnected", reason, retryInMillis));
  }

  @Override
  public void announceSent(int tracks, boolean full) {
    events.add(new Event(full ? "fullAnnounce" : "announce", ErrorCode.NONE, tracks));
  }

  @Override
  public void withdrawSent(int tracks) {
    events.add(new Event("withdraw", ErrorCode.NONE, tracks));
  }

  @Override
  public void lookupFailed(TrackerException.Reason reason, ErrorCode code) {
    events.add(new Event("lookupFailed " + reason, code, 0));
  }

  @Override
  public void requestRefused(ErrorCode code, String detail) {
    events.add(new Event("refused", code, 0));
  }
}
