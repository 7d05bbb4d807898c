package dev.chorus.bench.tracker;

import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.tracker.TrackerListener;
import java.util.concurrent.atomic.LongAdder;

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
    } else {
      notOk.increment();
    }
  }

  @Override
  public void rejected(ErrorCode code) {
    rejected.increment();
  }
}
