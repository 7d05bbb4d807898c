package dev.chorus.tracker.redis;

import dev.chorus.protocol.NodeId;
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
 * <p>A track's entry is put in the map <em>before</em> its read is sent. When a write of this
 * tracker has completed, a track's entry whose read is done is updated as Redis was ({@link
 * #announced}: the peer's entry moves to the front, the oldest beyond {@code keepPerTrack} goes;
 * {@link #withdrawn}), so that a popular track, which its holders announce all the time, stays
 * cached; an entry whose read is still in flight is removed, as are the tracks of writes whose
 * effect is not known entry by entry ({@link #invalidate}). So a read that may have been sent
 * before the write's commands leaves nothing stale behind: its entry was removed, or is when the
 * write completes; an entry added after that belongs to a read sent after the write, which sees it
 * (one connection keeps commands in order; on a cluster, one connection per node). Lookups of a
 * track whose read is in flight wait for it instead of sending another.
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
  private final int keepPerTrack;
  private final int maxTracks;
  private final ConcurrentHashMap<TrackId, Entry> tracks = new ConcurrentHashMap<>();
  private final AtomicBoolean makingRoom = new AtomicBoolean();
  private final LongAdder hits = new LongAdder();
  private final LongAdder shared = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /**
   * @param indexTtlMillis the index's entry TTL: a cached candidate older than that at the time of
   *     a lookup is left out, as a read would leave it out
   * @param keepPerTrack the index's entries per track: an update keeps at most that many
   */
  LookupCache(LookupCacheConfig config, long indexTtlMillis, int keepPerTrack) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("the lookup cache is disabled in " + config);
    }
    this.ttlMillis = config.ttlMillis();
    this.indexTtlMillis = indexTtlMillis;
    this.keepPerTrack = keepPerTrack;
    this.maxTracks = config.maxTracks();
  }

  /**
   * On a hit, appends {@code track}'s cached candidates unexpired at {@code nowMillis} to {@code
   * into} and returns true; otherwise returns false and counts nothing (the caller then asks {@link
   * #candidates}, which counts).
   */
  boolean appendIfCached(TrackId track, long nowMillis, CandidateList into) {
    Entry e = tracks.get(track);
    Snapshot s = e == null || !e.freshAt(nowMillis, ttlMillis) ? null : e.result();
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
      Snapshot s = e.result();
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

  /**
   * This tracker's announce of {@code peer} holding {@code holding} as of {@code nowMillis} has
   * completed, nothing refused: in the track's cached candidates the peer's entry, with its new
   * info, goes before the older ones and the oldest beyond {@code keepPerTrack} leaves, as in Redis.
   * A read in flight for the track is dropped instead.
   */
  void announced(PeerInfo peer, Holding holding, long nowMillis) {
    tracks.computeIfPresent(holding.track(), (t, e) -> {
      Snapshot s = e.result();
      return s == null ? null : new Entry(e.sentAt, s.with(peer, holding, nowMillis, keepPerTrack));
    });
  }

  /** This tracker's withdraw of {@code track} by {@code peer} has completed: as {@link #announced}. */
  void withdrawn(NodeId peer, TrackId track) {
    tracks.computeIfPresent(track, (t, e) -> {
      Snapshot s = e.result();
      return s == null ? null : new Entry(e.sentAt, s.without(peer));
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
    final CompletableFuture<Snapshot> read;

    Entry(long sentAt) {
      this.sentAt = sentAt;
      this.read = new CompletableFuture<>();
    }

    /** A read's result updated by a write of this tracker: as old as the read. */
    Entry(long sentAt, Snapshot updated) {
      this.sentAt = sentAt;
      this.read = CompletableFuture.completedFuture(updated);
    }

    /** The read's result; null while it is in flight or if it failed. */
    Snapshot result() {
      return read.isDone() && !read.isCompletedExceptionally() ? read.join() : null;
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

    /**
     * This snapshot with {@code peer}'s entry (if any) replaced by one at {@code time}, placed after
     * the entries announced at the same time or later, and at most {@code keep} entries (the
     * oldest go).
     */
    Snapshot with(PeerInfo peer, Holding holding, long time, int keep) {
      Snapshot rest = without(peer.nodeId());
      int n = rest.peers.length;
      int at = 0;
      while (at < n && rest.seen[at] >= time) {
        at++;
      }
      if (at >= keep) {
        return rest; // older than every entry kept (a clock behind the others'): Redis evicted it at once
      }
      int size = Math.min(keep, n + 1);
      Snapshot s = new Snapshot(size);
      System.arraycopy(rest.peers, 0, s.peers, 0, at);
      System.arraycopy(rest.holdings, 0, s.holdings, 0, at);
      System.arraycopy(rest.seen, 0, s.seen, 0, at);
      s.peers[at] = peer;
      s.holdings[at] = holding;
      s.seen[at] = time;
      int after = size - at - 1;
      System.arraycopy(rest.peers, at, s.peers, at + 1, after);
      System.arraycopy(rest.holdings, at, s.holdings, at + 1, after);
      System.arraycopy(rest.seen, at, s.seen, at + 1, after);
      return s;
    }

    /** This snapshot without {@code node}'s entry (itself if it has none). */
    Snapshot without(NodeId node) {
      int i = 0;
      while (i < peers.length && !peers[i].nodeId().equals(node)) {
        i++;
      }
      if (i == peers.length) {
        return this;
      }
      Snapshot s = new Snapshot(peers.length - 1);
      System.arraycopy(peers, 0, s.peers, 0, i);
      System.arraycopy(holdings, 0, s.holdings, 0, i);
      System.arraycopy(seen, 0, s.seen, 0, i);
      System.arraycopy(peers, i + 1, s.peers, i, peers.length - i - 1);
      System.arraycopy(holdings, i + 1, s.holdings, i, peers.length - i - 1);
      System.arraycopy(seen, i + 1, s.seen, i, peers.length - i - 1);
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
