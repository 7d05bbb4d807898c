package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A connected peer as the core sees it: what it holds, how fast it delivers, how useful it is. */
final class Neighbour {
  final NodeId id;
  final long connectedAtNanos;
  PeerContact contact;
  VivaldiCoordinate coordinate = VivaldiCoordinate.ORIGIN;
  /** Tracks it holds completely, and partial holdings. */
  final Set<TrackId> complete = new HashSet<>();
  final Map<TrackId, BitSet> partial = new HashMap<>();

  /** Observed rate in bytes per second; negative until the first measurement. */
  double measuredBytesPerSecond = -1;
  long outstandingBytes;
  int outstandingRequests;
  long lastArrivalNanos = Long.MIN_VALUE;
  /** The peer said its upload slots are full: leave it alone until then. */
  long busyUntilNanos = Long.MIN_VALUE;

  /** Counts, over all neighbours, those that say they hold something of a track. */
  private final TrackTally tally;

  /** Exponentially decayed bytes exchanged with it. */
  private double usefulness;
  private long usefulnessAtNanos;

  Neighbour(NodeId id, long nowNanos, TrackTally tally) {
    this.id = id;
    this.tally = tally;
    this.connectedAtNanos = nowNanos;
    this.usefulnessAtNanos = nowNanos;
  }

  boolean holds(TrackId track, int index) {
    if (complete.contains(track)) {
      return true;
    }
    BitSet b = partial.get(track);
    return b != null && b.get(index);
  }

  boolean holdsAny(TrackId track) {
    if (complete.contains(track)) {
      return true;
    }
    BitSet b = partial.get(track);
    return b != null && !b.isEmpty();
  }

  /** Whether it holds a chunk below {@code chunkCount} that is not in {@code held}. */
  boolean holdsSomeOf(TrackId track, BitSet held, int chunkCount) {
    if (complete.contains(track)) {
      int firstMissing = held.nextClearBit(0);
      return firstMissing < chunkCount;
    }
    BitSet b = partial.get(track);
    if (b == null) {
      return false;
    }
    for (int i = b.nextSetBit(0); i >= 0 && i < chunkCount; i = b.nextSetBit(i + 1)) {
      if (!held.get(i)) {
        return true;
      }
    }
    return false;
  }

  void setHolding(TrackId track, boolean all, BitSet chunks) {
    if (all) {
      if (complete.add(track) && partial.remove(track) == null) {
        tally.add(track);
      }
    } else if (!complete.contains(track)) {
      BitSet b = partial.get(track);
      if (b == null) {
        partial.put(track, b = new BitSet());
        tally.add(track);
      }
      b.or(chunks);
    }
  }

  /** Takes this neighbour's holdings out of the tally (it is gone). */
  void untally() {
    for (TrackId t : complete) {
      tally.remove(t);
    }
    for (TrackId t : partial.keySet()) {
      tally.remove(t);
    }
  }

  void forget(TrackId track, int first, int count) {
    if (complete.remove(track)) {
      // It said complete, then missed chunks: from now on assume it holds nothing of the track.
      tally.remove(track);
      return;
    }
    BitSet b = partial.get(track);
    if (b != null) {
      b.clear(first, first + count);
    }
  }

  double rate(double prior) {
    return measuredBytesPerSecond > 0 ? measuredBytesPerSecond : prior;
  }

  /** Folds one arrival into the rate estimate (EWMA over per-chunk samples). */
  void observeArrival(int bytes, long sinceNanos, long nowNanos) {
    long interval = Math.max(1_000, nowNanos - Math.max(sinceNanos, lastArrivalNanos));
    double sample = bytes * 1e9 / interval;
    measuredBytesPerSecond = measuredBytesPerSecond < 0 ? sample : 0.8 * measuredBytesPerSecond + 0.2 * sample;
    lastArrivalNanos = nowNanos;
  }

  void penalize() {
    if (measuredBytesPerSecond > 0) {
      measuredBytesPerSecond /= 2;
    }
  }

  void credit(double bytes, long nowNanos, long halfLifeNanos) {
    usefulness = usefulness(nowNanos, halfLifeNanos) + bytes;
    usefulnessAtNanos = nowNanos;
  }

  double usefulness(long nowNanos, long halfLifeNanos) {
    long dt = nowNanos - usefulnessAtNanos;
    if (dt <= 0) {
      return usefulness;
    }
    return usefulness * Math.pow(0.5, (double) dt / halfLifeNanos);
  }
}
