package dev.chorus.bench.tracker;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * This process's GC pauses, each one as JFR reports it ({@code jdk.GarbageCollection}: the
 * longest pause of each collection, and the sum of its pauses), in nanoseconds. Read from JFR
 * rather than from the GC MXBeans because those count milliseconds, and a collector tuned for
 * latency pauses for less than one. A pause holds every thread of the process, so it sets the
 * tail latency of a server whatever its own code does; the figure is the process's, and depends
 * little on what else runs on the machine (unlike the latency a client sees).
 */
final class GcPauses implements AutoCloseable {
  private final Recorder longest = new Recorder(LoadGenerator.MAX_LATENCY_NANOS, 3);
  private final LongAdder sumNanos = new LongAdder();
  private final RecordingStream stream = new RecordingStream();

  GcPauses() {
    stream.enable("jdk.GarbageCollection");
    stream.setMaxAge(Duration.ofSeconds(10));
    stream.onEvent("jdk.GarbageCollection", this::collected);
    stream.startAsync();
  }

  private void collected(RecordedEvent e) {
    long pause = e.getDuration("longestPause").toNanos();
    if (pause > 0) {
      longest.recordValue(Math.min(LoadGenerator.MAX_LATENCY_NANOS, pause));
    }
    sumNanos.add(e.getDuration("sumOfPauses").toNanos());
  }

  /** The pauses since the previous call: a histogram of each collection's longest, and their total. */
  Interval interval() {
    // JFR hands events over about once a second: the last second of a window may come with the next.
    return new Interval(longest.getIntervalHistogram(), sumNanos.sumThenReset());
  }

  /** Pauses of one window. */
  static final class Interval {
    final Histogram longest;
    final long totalNanos;

    Interval(Histogram longest, long totalNanos) {
      this.longest = longest;
      this.totalNanos = totalNanos;
    }
  }

  @Override
  public void close() {
    stream.close();
  }
}
