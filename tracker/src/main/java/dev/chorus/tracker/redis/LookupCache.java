package dev.chorus.tracker.redis;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.CandidateList;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.PeerInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A bounded read-through cache of each track's candidates as read from Redis, for {@link
 * LookupCacheConfig#ttl} (tracker/docs/redis.md, "Lookup cache"). Time is the callers' (epoch ms
 * passed in); no clock, no I/O, no threads. Safe for concurrent use.
 *
 * <p>A track's entry is put in the map <em>before</em> its read is sent, and a write of this tracker
 * removes the entries of the tracks it touched once it has completed ({@link #invalidate}). So a
 * read that may have been sent before the write's commands leaves nothing behind: its entry was
 * removed, or is removed when the write completes; an entry added after the removal belongs to a
 * read sent after the write, which sees it (one connection keeps commands in order; on a cluster,
 * one connection per node). Lookups of a track whose read is in flight wait for it instead of
 * sending another.
 *
 * <p>An entry holds the candidates as the reply needs them (decoded peers, holdings, times), shared
 * read-only by every hit; entries the index would already have expired are left out per hit, so
 * the cache never returns what a fresh read would not, apart from other trackers' changes made in
 * the last TTL. Past {@link LookupCacheConfig#maxTracks} tracks, stale entries and then arbitrary
 * ones are dropped (the map's order: tracks are hashes, so in effect random); a read that finds the
 * cache full while another thread is making room is not cached.
 */
final class LookupCache {
  private final long ttlMillis;
  private final long indexTtlMillis;
  private final int maxTracks;
  private final ConcurrentHashMap<TrackId, Entry> tracks = new ConcurrentHashMap<>();
  private final AtomicBoolean makingRoom = new AtomicBoolean();
  private final LongAdder hits = new LongAdder();
  private final LongAdder shared = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /**
   * @param indexTtlMillis the index's entry TTL: a cached candidate older than that at the time of
   *     a lookup is left out, as a read would leave it out
   */
  LookupCache(LookupCacheConfig config, long indexTtlMillis) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("the lookup cache is disabled in " + config);
    }
    this.ttlMillis = config.ttlMillis();
    this.indexTtlMillis = indexTtlMillis;
    this.maxTracks = config.maxTracks();
  }

  /**
   * On a hit, appends {@code track}'s cached candidates unexpired at {@code nowMillis} to {@code
   * into} and returns true; otherwise returns false and counts nothing (the caller then asks {@link
   * #candidates}, which counts).
   */
  boolean appendIfCached(TrackId track, long nowMillis, CandidateList into) {
    Entry e = tracks.get(track);
    if (e == null || !e.freshAt(nowMillis, ttlMillis)) {
      return false;
    }
    Snapshot s = e.read.getNow(null);
    if (s == null) {
      return false;
    }
    hits.increment();
    long oldest = nowMillis - indexTtlMillis;
    for (int i = 0; i < s.peers.length; i++) {
      if (s.seen[i] > oldest) {
        into.add(s.peers[i], s.holdings[i], s.seen[i]);
      }
    }
    return true;
  }

  /**
   * {@code track}'s candidates: cached, or from the read in flight for it, or from {@code read}
   * (called at most once, after the track's entry is in place), whose result is then cached.
   */
  CompletableFuture<List<Candidate>> candidates(TrackId track, long nowMillis,
      Supplier<CompletableFuture<List<Candidate>>> read) {
    Entry e = tracks.get(track);
    if (e != null && e.freshAt(nowMillis, ttlMillis) && !e.read.isCompletedExceptionally()) {
      Snapshot s = e.read.getNow(null);
      if (s != null) {
        hits.increment();
        return CompletableFuture.completedFuture(s.unexpired(nowMillis - indexTtlMillis));
      }
      shared.increment();
      return e.read.thenApply(r -> r.unexpired(nowMillis - indexTtlMillis));
    }
    misses.increment();
    Entry mine = new Entry(nowMillis);
    boolean placed = e == null ? placeNew(track, mine, nowMillis) : tracks.replace(track, e, mine);
    if (!placed) {
      return read.get(); // another lookup placed its own read first, or the cache is full: not cached
    }
    CompletableFuture<List<Candidate>> result;
    try {
      result = read.get();
    } catch (RuntimeException ex) {
      tracks.remove(track, mine);
      mine.read.completeExceptionally(ex);
      throw ex;
    }
    return result.whenComplete((list, error) -> {
      if (error != null) {
        tracks.remove(track, mine);
        mine.read.completeExceptionally(error);
      } else {
        mine.read.complete(Snapshot.of(list));
      }
    });
  }

  /** Forgets {@code track}'s candidates: call when a write of this tracker to the track has completed. */
  void invalidate(TrackId track) {
    tracks.remove(track);
  }

  void invalidate(List<TrackId> touched) {
    for (TrackId t : touched) {
      tracks.remove(t);
    }
  }

  /** Lookups answered from a cached read. */
  long hits() {
    return hits.sum();
  }

  /** Lookups that waited for another lookup's read of their track (no read of their own). */
  long shared() {
    return shared.sum();
  }

  /** Lookups that read Redis. */
  long misses() {
    return misses.sum();
  }

  /** Tracks cached or being read (about: concurrent changes). */
  int size() {
    return tracks.size();
  }

  private boolean placeNew(TrackId track, Entry mine, long nowMillis) {
    if (tracks.size() >= maxTracks && !makeRoom(nowMillis)) {
      return false;
    }
    return tracks.putIfAbsent(track, mine) == null;
  }

  /**
   * Drops stale entries, then arbitrary ones until an eighth of the bound is free; false if another
   * thread is at it, or the cache is still full.
   */
  private boolean makeRoom(long nowMillis) {
    if (!makingRoom.compareAndSet(false, true)) {
      return false;
    }
    try {
      tracks.values().removeIf(e -> !e.freshAt(nowMillis, ttlMillis));
      int target = maxTracks - Math.max(1, maxTracks / 8);
      Iterator<Map.Entry<TrackId, Entry>> it = tracks.entrySet().iterator();
      while (tracks.size() > target && it.hasNext()) {
        it.next();
        it.remove();
      }
      return tracks.size() < maxTracks;
    } finally {
      makingRoom.set(false);
    }
  }

  /** A track's read: when it was sent (the caller's time), and its result once it has one. */
  private static final class Entry {
    final long sentAt;
    final CompletableFuture<Snapshot> read = new CompletableFuture<>();

    Entry(long sentAt) {
      this.sentAt = sentAt;
    }

    /** A clock that went back makes every entry stale rather than young. */
    boolean freshAt(long nowMillis, long ttlMillis) {
      return nowMillis >= sentAt && nowMillis - sentAt < ttlMillis;
    }
  }

  /** A track's candidates in parallel arrays, immutable once built. */
  private static final class Snapshot {
    final PeerInfo[] peers;
    final Holding[] holdings;
    final long[] seen;

    private Snapshot(int n) {
      peers = new PeerInfo[n];
      holdings = new Holding[n];
      seen = new long[n];
    }

    static Snapshot of(List<Candidate> candidates) {
      Snapshot s = new Snapshot(candidates.size());
      for (int i = 0; i < s.peers.length; i++) {
        Candidate c = candidates.get(i);
        s.peers[i] = c.peer();
        s.holdings[i] = c.holding();
        s.seen[i] = c.lastSeenMillis();
      }
      return s;
    }

    /** The candidates announced after {@code oldestExcluded}, in order. */
    List<Candidate> unexpired(long oldestExcluded) {
      List<Candidate> out = new ArrayList<>(peers.length);
      for (int i = 0; i < peers.length; i++) {
        if (seen[i] > oldestExcluded) {
          out.add(new Candidate(peers[i], holdings[i], seen[i]));
        }
      }
      return out;
    }
  }
}
