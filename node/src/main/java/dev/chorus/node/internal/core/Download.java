package dev.chorus.node.internal.core;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.Priority;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** One track being fetched: for playback (the current track) or as a prefetch. */
final class Download {
  final TrackId trackId;
  Priority priority;
  TrackLayout layout;
  /** Chunks held (in the cache or just received). */
  final BitSet held;
  /** Chunks requested and not yet arrived, from a peer or the CDN. */
  final BitSet inFlight = new BitSet();
  long playheadOffset;
  /** Set at start and after a seek: fetch the first window from the CDN unless a fast peer is known. */
  boolean startFromCdn = true;
  boolean completeReported;
  final long startedAtNanos;
  long lastLookupNanos;
  /** Discovery waits for the manifest: some chunks are held, the track may be complete. */
  boolean discoveryDeferred;
  /** Discovery counts as pending until then; afterwards "no holder" means no peers exist. */
  long discoveryUntilNanos;
  long cdnRetryAtNanos = Long.MIN_VALUE;
  /** Holders found by discovery, not necessarily connected. */
  final Map<dev.chorus.protocol.NodeId, PeerHolding> candidates = new HashMap<>();
  final Set<Long> peerRequests = new LinkedHashSet<>();
  final Set<Long> cdnFetches = new LinkedHashSet<>();

  Download(TrackId trackId, Priority priority, BitSet held, long nowNanos) {
    this.trackId = trackId;
    this.priority = priority;
    this.held = held;
    this.startedAtNanos = nowNanos;
  }

  boolean isComplete() {
    return layout != null && held.cardinality() >= layout.chunkCount();
  }

  boolean isPlayback() {
    return priority == Priority.PLAYBACK;
  }

  int playheadChunk() {
    return layout.chunkAt(playheadOffset);
  }

  /** The next chunk at or after {@code from} that is neither held nor in flight, or -1. */
  int nextWanted(int from) {
    int n = layout.chunkCount();
    int i = from;
    while (i < n) {
      int a = held.nextClearBit(i);
      if (a >= n) {
        return -1;
      }
      int b = inFlight.nextClearBit(a);
      if (b == a) {
        return a;
      }
      i = b;
    }
    return -1;
  }

  boolean wanted(int index) {
    return index < layout.chunkCount() && !held.get(index) && !inFlight.get(index);
  }

  /**
   * Deadline of a chunk in nanoseconds from now at the average rate, from the playhead; chunks
   * behind the playhead (skipped by a seek) are due last.
   */
  long dueInNanos(int index) {
    long delta = layout.chunkOffset(index) - playheadOffset;
    if (delta < -layout.chunkBytes()) {
      return Long.MAX_VALUE / 2;
    }
    return layout.nanosOf(Math.max(0, delta));
  }
}
