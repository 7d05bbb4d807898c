package dev.chorus.bench.tracker;

import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.tracker.TrackerListener;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Counts what the tracker reports: announces are not answered on the wire, so this is how the
 * benchmark knows how many the tracker processed. Anything but OK is counted apart and reported,
 * since it would mean the benchmark is measuring refusals.
 */
final class CountingListener implements TrackerListener {
  final LongAdder announcesOk = new LongAdder();
  final LongAdder announcedTracks = new LongAdder();
  final LongAdder lookupsOk = new LongAdder();
  final LongAdder notOk = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder connections = new LongAdder();
  /** The tracker's own view of each answered lookup: message decoded to answer written. */
  final Recorder serverLatency = new Recorder(LoadGenerator.MAX_LATENCY_NANOS, 3);

  @Override
  public void connectionOpened() {
    connections.increment();
  }

  @Override
  public void announceHandled(Outcome outcome, int tracks) {
    if (outcome == Outcome.OK) {
      announcesOk.increment();
      announcedTracks.add(tracks);
    } else {
      notOk.increment();
    }
  }

  @Override
  public void withdrawHandled(Outcome outcome, int tracks) {
    if (outcome != Outcome.OK) {
      notOk.increment();
    }
  }

  @Override
  public void lookupHandled(Outcome outcome, int peersReturned, long latencyNanos) {
    if (outcome == Outcome.OK) {
      lookupsOk.increment();
      serverLatency.recordValue(Math.min(LoadGenerator.MAX_LATENCY_NANOS, Math.max(1, latencyNanos)));
    } else {
      notOk.increment();
    }
  }

  @Override
  public void rejected(ErrorCode code) {
    rejected.increment();
  }
}
