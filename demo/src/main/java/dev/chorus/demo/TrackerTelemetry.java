package dev.chorus.demo;

import dev.chorus.node.PlayedBytes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;

/** What the demo's tracker learned from the nodes' playback reports (its telemetry counters). */
final class TrackerTelemetry {
  private TrackerTelemetry() {}

  /** Bytes played by source, summed over region labels, as the tracker counts them now. */
  static PlayedBytes played(MeterRegistry registry) {
    return new PlayedBytes(sum(registry, "cache"), sum(registry, "peers"), sum(registry, "cdn"));
  }

  private static long sum(MeterRegistry registry, String source) {
    double total = 0;
    for (Counter c : registry.find("chorus.tracker.playback.played").tag("source", source).counters()) {
      total += c.count();
    }
    return Math.round(total);
  }

  /**
   * Waits until the tracker's counters reach {@code expected} (the reports of closing nodes are in
   * flight) or {@code timeoutNanos} pass, and returns what they say then.
   */
  static PlayedBytes awaitPlayed(MeterRegistry registry, PlayedBytes expected, long timeoutNanos)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    PlayedBytes seen = played(registry);
    while (!seen.equals(expected) && System.nanoTime() - deadline < 0) {
      TimeUnit.MILLISECONDS.sleep(50);
      seen = played(registry);
    }
    return seen;
  }
}
