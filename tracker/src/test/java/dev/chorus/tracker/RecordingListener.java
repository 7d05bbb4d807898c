package dev.chorus.tracker;

import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.testing.Await;
import dev.chorus.tracker.index.AnnounceResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Test listener: counts events by name ("lookup:OK", "rejected:RATE_LIMITED", "banned"...). */
final class RecordingListener implements TrackerListener {
  private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();
  /** Accepted playback reports, in order, as "region" and figures. */
  final List<java.util.Map.Entry<String, PlaybackReports.Figures>> reports = new CopyOnWriteArrayList<>();

  private void add(String key) {
    counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  long count(String key) {
    AtomicLong c = counts.get(key);
    return c == null ? 0 : c.get();
  }

  void awaitCount(String key, long atLeast) throws InterruptedException {
    Await.until(() -> count(key) >= atLeast, Duration.ofSeconds(TestNode.WAIT_SECONDS), Duration.ofMillis(5),
        () -> key + " stayed at " + count(key) + ", expected " + atLeast);
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
  public void holdingsRefused(AnnounceResult.Refusal reason, int count) {
    counts.computeIfAbsent("refused:" + reason, k -> new AtomicLong()).addAndGet(count);
  }

  @Override
  public void punchHandled(String outcome) {
    add("punch:" + outcome);
  }

  @Override
  public void banned() {
    add("banned");
  }

  @Override
  public void playbackReported(String region, PlaybackReports.Figures figures) {
    reports.add(java.util.Map.entry(region, figures));
    add("report:OK");
  }

  @Override
  public void playbackReportRefused(Outcome outcome) {
    add("report:" + outcome);
  }
}
