package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The default {@link PeerIndex}: everything in this process's heap, in compact primitive arrays
 * (about 30 bytes per (track, peer) entry including the peers' own records; see
 * {@code tracker/docs/index-and-ranking.md}).
 *
 * <p>Bounds: besides the caps per peer and per prefix that every index applies, this one refuses
 * a partial holding whose bitmap would take its peer past {@link
 * PeerIndexConfig#maxPartialBytesPerPeer}, and any new holding once its accounted bytes ({@link
 * #accountedBytes}) would pass {@link PeerIndexConfig#maxIndexBytes}; it refuses rather than
 * evicts (why: the design notes in {@code IndexCore}).
 *
 * <p>Thread-safe: one lock guards a single-threaded core. Every operation holds it for a bounded
 * time — a lookup for O(keepPerTrack); large announces and withdraws are applied in batches of
 * 256 tracks and {@link #expire} sweeps 16,384 tracks per lock hold (2,048 while departed peers'
 * stale pairs are left to drop), so that lookups on other
 * threads are not held up. The stages returned are complete when
 * the method returns; invalid arguments give a failed stage, as does any call after {@link
 * #close}.
 */
public final class InMemoryPeerIndex implements PeerIndex {
  /** Holdings (announce) or tracks (withdraw) applied per lock hold. */
  static final int BATCH = 256;
  /** Track slots swept per lock hold by {@link #expire}. */
  static final int EXPIRE_BATCH_SLOTS = 16_384;
  /**
   * Track slots swept per lock hold while departed peers' stale pairs exist: then every pair of
   * every track is read (about 60,000 pairs per hold at 30 per track), not one int per track.
   */
  static final int STALE_BATCH_SLOTS = 2_048;

  private final PeerIndexConfig config;
  /**
   * How many times a thread tries the lock again before it parks: about 8 µs on the development
   * machine (a try is a volatile read, 0.5 ns there). Holds are short (a lookup or a small
   * announce: a few microseconds), and a parked waiter costs its releaser a futex wake-up and both
   * a context switch each: with two tracker I/O threads that was about a tenth of their CPU time
   * (perf, bench/compare's tracker), for waits shorter than the wake-up itself. Counted, not timed:
   * the index reads no clock (IndexArchitectureTest), and nothing it returns depends on this.
   */
  static final int SPINS = 16_384;

  private final ReentrantLock lock = new ReentrantLock();
  private IndexCore core; // null once closed; guarded by lock

  private InMemoryPeerIndex(PeerIndexConfig config, long hashSeed) {
    this.config = config;
    this.core = new IndexCore(config, hashSeed);
  }

  /** An empty index. Its hash tables are seeded from {@link SecureRandom} against hash flooding. */
  public static InMemoryPeerIndex create(PeerIndexConfig config) {
    return create(config, new SecureRandom().nextLong());
  }

  /**
   * An empty index with a fixed hash seed, for tests and for the simulator, whose runs must not
   * depend on anything but their own seed. The seed changes no observable behaviour.
   */
  public static InMemoryPeerIndex create(PeerIndexConfig config, long hashSeed) {
    return new InMemoryPeerIndex(Objects.requireNonNull(config, "config"), hashSeed);
  }

  public PeerIndexConfig config() {
    return config;
  }

  @Override
  public CompletionStage<AnnounceResult> announceChecked(PeerInfo peer, boolean full, List<Holding> holdings, long nowMillis) {
    try {
      Objects.requireNonNull(peer, "peer");
      IndexCore.seconds(nowMillis);
      for (Holding h : holdings) {
        Objects.requireNonNull(h, "holding");
      }
      int n = holdings.size();
      AnnounceResult result = AnnounceResult.ACCEPTED;
      if (n <= BATCH) {
        acquire();
        try {
          result = core().announce(peer, full, holdings, nowMillis);
        } finally {
          lock.unlock();
        }
      } else {
        // The first batch replaces (if full), the rest add: the same end state as one step.
        for (int from = 0; from < n; from += BATCH) {
          List<Holding> batch = holdings.subList(from, Math.min(n, from + BATCH));
          acquire();
          try {
            result = result.plus(core().announce(peer, full && from == 0, batch, nowMillis));
          } finally {
            lock.unlock();
          }
        }
      }
      return CompletableFuture.completedFuture(result);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Void> withdraw(NodeId peer, List<TrackId> tracks) {
    try {
      Objects.requireNonNull(peer, "peer");
      for (TrackId t : tracks) {
        Objects.requireNonNull(t, "track");
      }
      int n = tracks.size();
      for (int from = 0; from < n || from == 0; from += BATCH) {
        List<TrackId> batch = tracks.subList(from, Math.min(n, from + BATCH));
        acquire();
        try {
          core().withdraw(peer, batch);
        } finally {
          lock.unlock();
        }
      }
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Void> removePeer(NodeId peer) {
    acquire();
    try {
      core().removePeer(peer);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean candidatesNow(TrackId track, long nowMillis, CandidateList into) {
    int before = into.size();
    acquire();
    try {
      core().candidatesInto(track, nowMillis, into);
      return true;
    } catch (RuntimeException e) {
      into.truncate(before); // candidates() reports the failure the usual way
      return false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public CompletionStage<List<Candidate>> candidates(TrackId track, long nowMillis) {
    acquire();
    try {
      return CompletableFuture.completedFuture(core().candidates(track, nowMillis));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public CompletionStage<Long> expire(long nowMillis) {
    try {
      IndexCore.seconds(nowMillis);
      long removed = 0;
      for (int from = 0; ; ) {
        acquire();
        try {
          IndexCore c = core();
          if (from >= c.trackSlotHigh()) {
            break;
          }
          int to = from + (c.hasStalePairs() ? STALE_BATCH_SLOTS : EXPIRE_BATCH_SLOTS);
          removed += c.expireSlots(nowMillis, from, to);
          from = to;
        } finally {
          lock.unlock();
        }
      }
      return CompletableFuture.completedFuture(removed);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<IndexStats> stats() {
    acquire();
    try {
      IndexCore c = core();
      return CompletableFuture.completedFuture(new IndexStats(c.peers(), c.tracks(), c.entries()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * What the index holds in accounted bytes (see {@link PeerIndexConfig#maxIndexBytes}): an upper
   * bound of its footprint computed from its own counts, never from heap readings.
   */
  public long accountedBytes() {
    acquire();
    try {
      return core().accountedBytes();
    } finally {
      lock.unlock();
    }
  }

  /** Drops everything; later calls fail. Idempotent. */
  @Override
  public void close() {
    acquire();
    try {
      core = null;
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@link #close} was called (tests). */
  boolean isClosed() {
    acquire();
    try {
      return core == null;
    } finally {
      lock.unlock();
    }
  }

  /** Takes the lock: trying it up to {@link #SPINS} times first, then waiting parked. */
  private void acquire() {
    for (int i = 0; i < SPINS; i++) {
      if (!lock.isLocked() && lock.tryLock()) {
        return;
      }
    }
    lock.lock();
  }

  /** Whether a thread waits parked for the lock (tests: past its spin). */
  boolean hasParkedWaiters() {
    return lock.hasQueuedThreads();
  }

  /** The core, for tests; callers hold the lock. */
  IndexCore core() {
    IndexCore c = core;
    if (c == null) {
      throw new IllegalStateException("the index is closed");
    }
    return c;
  }

  /** Runs {@code action} on the core under the lock (tests: invariants, memory). */
  <T> T withCore(Function<IndexCore, T> action) {
    acquire();
    try {
      return action.apply(core());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "InMemoryPeerIndex[" + config + "]";
  }
}
