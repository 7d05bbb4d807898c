package dev.chorus.tracker;

import dev.chorus.protocol.wire.ErrorCode;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Test listener: counts events by name ("lookup:OK", "rejected:RATE_LIMITED", "banned"...). */
final class RecordingListener implements TrackerListener {
  private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

  private void add(String key) {
    counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  long count(String key) {
    AtomicLong c = counts.get(key);
    return c == null ? 0 : c.get();
  }

  void awaitCount(String key, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestNode.WAIT_SECONDS);
    while (count(key) < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(key + " stayed at " + count(key) + ", expected " + atLeast);
      }
      Thread.sleep(5);
    }
  }

  @Override
  public void connectionOpened() {
    add("opened");
  }

  @Override
  public void connectionClosed(ErrorCode reason, boolean closedByTracker) {
    add("closed:" + reason);
  }

  @Override
  public void announceHandled(Outcome outcome, int tracks) {
    add("announce:" + outcome);
  }

  @Override
  public void lookupHandled(Outcome outcome, int peersReturned, long latencyNanos) {
    add("lookup:" + outcome);
  }

  @Override
  public void rejected(ErrorCode code) {
    add("rejected:" + code);
  }

  @Override
  public void banned() {
    add("banned");
  }
}
