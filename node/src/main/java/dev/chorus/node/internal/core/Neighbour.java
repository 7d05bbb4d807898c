package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/** A connected peer as the core sees it: what it holds, how fast it delivers, how useful it is. */
final class Neighbour {
  /** Stands for a complete holding in {@link #holdings}; never modified. */
  private static final BitSet COMPLETE = new BitSet();

  final NodeId id;
  final long connectedAtNanos;
  PeerContact contact;
  VivaldiCoordinate coordinate = VivaldiCoordinate.ORIGIN;
  /**
   * What it holds of each track: the chunks of a partial holding, or {@link #COMPLETE} for a whole
   * track. One map, so that a question about a track is one lookup (the hot paths ask about the
   * neighbours of every event).
   */
  private final Map<TrackId, BitSet> holdings = new HashMap<>();
  /** Its complete holding as answers name it (immutable, so made once rather than per answer). */
  private PeerHolding completeHolding;

  /** Observed rate in bytes per second; negative until the first measurement. */
  double measuredBytesPerSecond = -1;
  long outstandingBytes;
  int outstandingRequests;
  long lastArrivalNanos = Long.MIN_VALUE;
  /** The peer said its upload slots are full: leave it alone until then. */
  long busyUntilNanos = Long.MIN_VALUE;

  /** Over all neighbours, those that say they hold something of each track. */
  private final TrackHolders trackHolders;
  /**
   * Its place in the neighbours' iteration order ({@link Neighbourhood#holdersInOrder}); valid
   * while the neighbourhood's membership has not changed since it was set.
   */
  int rank;

  /** Exponentially decayed bytes exchanged with it. */
  private double usefulness;
  private long usefulnessAtNanos;

  Neighbour(NodeId id, long nowNanos, TrackHolders trackHolders) {
    this.id = id;
    this.trackHolders = trackHolders;
    this.connectedAtNanos = nowNanos;
    this.usefulnessAtNanos = nowNanos;
  }

  boolean holds(TrackId track, int index) {
    BitSet b = holdings.get(track);
    return b == COMPLETE || (b != null && b.get(index));
  }

  boolean holdsAny(TrackId track) {
    BitSet b = holdings.get(track);
    return b == COMPLETE || (b != null && !b.isEmpty());
  }

  /** What it holds of a track, as an overlay answer names it; null if it holds nothing of it. */
  PeerHolding holding(TrackId track) {
    BitSet b = holdings.get(track);
    if (b == null || (b != COMPLETE && b.isEmpty())) {
      return null;
    }
    if (b != COMPLETE) {
      return PeerHolding.partial(contact, b);
    }
    if (completeHolding == null || completeHolding.contact() != contact) {
      completeHolding = PeerHolding.complete(contact);
    }
    return completeHolding;
  }

  /** Whether it holds a chunk below {@code chunkCount} that is not in {@code held}. */
  boolean holdsSomeOf(TrackId track, BitSet held, int chunkCount) {
    return holdsSomeOf(track, held, chunkCount, held.nextClearBit(0));
  }

  /**
   * {@link #holdsSomeOf(TrackId, BitSet, int)} with {@code held.nextClearBit(0)} given: a caller
   * asking every holder of a download finds it once instead of once per neighbour.
   */
  boolean holdsSomeOf(TrackId track, BitSet held, int chunkCount, int firstMissing) {
    BitSet b = holdings.get(track);
    if (b == COMPLETE) {
      return firstMissing < chunkCount;
    }
    if (b == null) {
      return false;
    }
    // Leap over runs: from a chunk it holds to the next one not held here, then to the next one it
    // holds from there, a word at a time rather than a chunk at a time.
    for (int i = b.nextSetBit(0); i >= 0 && i < chunkCount; i = b.nextSetBit(i)) {
      int notHeld = held.nextClearBit(i);
      if (notHeld == i) {
        return true;
      }
      i = notHeld;
    }
    return false;
  }

  void setHolding(TrackId track, boolean all, BitSet chunks) {
    if (all) {
      if (holdings.put(track, COMPLETE) == null) {
        trackHolders.add(track, this);
      }
      return;
    }
    BitSet b = holdings.get(track);
    if (b == COMPLETE) {
      return;
    }
    if (b == null) {
      holdings.put(track, b = new BitSet());
      trackHolders.add(track, this);
    }
    b.or(chunks);
  }

  /** Takes this neighbour's holdings out of the index (it is gone). */
  void unindex() {
    for (TrackId t : holdings.keySet()) {
      trackHolders.remove(t, this);
    }
  }

  void forget(TrackId track, int first, int count) {
    BitSet b = holdings.get(track);
    if (b == COMPLETE) {
      // It said complete, then missed chunks: from now on assume it holds nothing of the track.
      holdings.remove(track);
      trackHolders.remove(track, this);
    } else if (b != null) {
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
