package dev.chorus.bench.tracker;

import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fills an index directly (not over the network): {@code peers} random peers, each announcing
 * (full) {@code tracksPerPeer} tracks drawn by popularity. Tracks that more than keepPerTrack
 * peers draw keep only the most recent ones, as the index's eviction rule says; tracks nobody
 * draws stay absent.
 */
final class Preload {
  private Preload() {}

  /** What a preload did. */
  static final class Result {
    final long peersAnnounced;
    final long holdingsAnnounced;
    final long nanos;

    Result(long peersAnnounced, long holdingsAnnounced, long nanos) {
      this.peersAnnounced = peersAnnounced;
      this.holdingsAnnounced = holdingsAnnounced;
      this.nanos = nanos;
    }
  }

  /**
   * Announces every peer, with at most {@code maxInFlight} announces outstanding (1 for the
   * in-memory index, whose stages complete before announce returns; more for Redis, whose round
   * trips would otherwise dominate).
   */
  static Result run(PeerIndex index, Workload workload, int peers, int tracksPerPeer, long nowMillis,
      int maxInFlight, long seed, ProgressPrinter progress) throws InterruptedException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] key = new byte[32];
    Semaphore inFlight = new Semaphore(maxInFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long start = System.nanoTime();
    long holdings = 0;
    for (int p = 0; p < peers; p++) {
      PeerInfo peer = Workload.randomPeer(random, key);
      List<Holding> list = new ArrayList<>(tracksPerPeer);
      for (int i = 0; i < tracksPerPeer; i++) {
        list.add(Holding.complete(Workload.trackId(workload.popularTrack(random)), Workload.CHUNKS_PER_TRACK));
      }
      holdings += tracksPerPeer;
      inFlight.acquire();
      CompletionStage<Void> done = index.announce(peer, true, list, nowMillis);
      done.whenComplete((v, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
        inFlight.release();
      });
      if (failure.get() != null) {
        throw new IllegalStateException("preload failed at peer " + p, failure.get());
      }
      if ((p & 0xffff) == 0xffff) {
        progress.print(p + 1, peers, System.nanoTime() - start);
      }
    }
    if (!inFlight.tryAcquire(maxInFlight, 10, TimeUnit.MINUTES)) {
      throw new IllegalStateException("preload announces did not complete within 10 minutes");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("preload failed", failure.get());
    }
    return new Result(peers, holdings, System.nanoTime() - start);
  }

  /** Progress lines on stderr, at most every few seconds. */
  static final class ProgressPrinter {
    private long lastPrint;

    void print(long done, long total, long elapsedNanos) {
      if (elapsedNanos - lastPrint >= TimeUnit.SECONDS.toNanos(5)) {
        lastPrint = elapsedNanos;
        System.err.printf("  preload: %,d of %,d peers after %.1f s%n", done, total, elapsedNanos / 1e9);
      }
    }
  }
}
