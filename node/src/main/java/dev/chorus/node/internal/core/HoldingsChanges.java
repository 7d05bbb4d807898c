package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which of a node's holdings changed since it last told the swarm, and when to tell it: the one
 * holdings-change policy, run by the {@link SwarmCore} in a real node and in the simulator alike.
 *
 * <p>Rule. A track whose holding grew (a chunk or the whole track acquired) or went away (evicted,
 * or abandoned by the simulator's whole-track cache) is remembered; at most once per {@link
 * #INTERVAL_NANOS} the pending changes are flushed: grown tracks are announced to the tracker and
 * told to every neighbour as a {@code Have}, gone ones are withdrawn from the tracker. Batching a
 * second's worth keeps a download of 16 KiB chunks from sending a message per chunk, while a
 * neighbour still learns of a partial holding within about a second. A change that is undone
 * before the flush (grown, then evicted) is sent as its final state only.
 */
final class HoldingsChanges {
  /** Changes are flushed at most this often. */
  static final long INTERVAL_NANOS = 1_000_000_000L;

  private final LinkedHashSet<TrackId> grown = new LinkedHashSet<>();
  private final LinkedHashSet<TrackId> gone = new LinkedHashSet<>();
  private long lastFlushNanos;
  private boolean flushedOnce;

  /** What to send now. */
  record Flush(List<TrackId> announce, List<TrackId> withdraw) {}

  void grew(TrackId trackId) {
    gone.remove(trackId);
    grown.add(trackId);
  }

  void went(TrackId trackId) {
    grown.remove(trackId);
    gone.add(trackId);
  }

  boolean pending() {
    return !grown.isEmpty() || !gone.isEmpty();
  }

  /** The changes to send now, or null if there are none or the last flush was too recent. */
  Flush takeIfDue(long nowNanos) {
    if (!pending() || (flushedOnce && nowNanos - lastFlushNanos < INTERVAL_NANOS)) {
      return null;
    }
    flushedOnce = true;
    lastFlushNanos = nowNanos;
    Flush f = new Flush(List.copyOf(grown), List.copyOf(gone));
    grown.clear();
    gone.clear();
    return f;
  }
}
