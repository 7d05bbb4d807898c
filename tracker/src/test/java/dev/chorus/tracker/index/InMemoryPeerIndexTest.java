package dev.chorus.tracker.index;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static dev.chorus.tracker.index.IndexTestData.partial;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.TrackId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract, plus what is particular to the in-memory index and its core. */
class InMemoryPeerIndexTest extends PeerIndexContract {
  private static final long SECOND = 1000;

  private final List<InMemoryPeerIndex> made = new ArrayList<>();

  @Override
  protected PeerIndex newIndex(PeerIndexConfig config) {
    InMemoryPeerIndex index = InMemoryPeerIndex.create(config, 0x5eed);
    made.add(index);
    return index;
  }

  /** A departed peer's tracks are dropped by the sweep (IndexCore's "Departures"). */
  @Override
  protected boolean trackCountLagsUntilSwept() {
    return true;
  }

  /** After every contract test (this runs before the suite closes the indexes). */
  @AfterEach
  void structureStaysConsistent() {
    for (InMemoryPeerIndex index : made) {
      if (index.isClosed()) {
        continue; // the tests of a closed index
      }
      index.withCore(c -> {
        c.checkInvariants();
        return null;
      });
    }
    made.clear();
  }

  private static IndexCore core(int keep, Duration ttl) {
    return new IndexCore(keep, ttl.toMillis(), 99);
  }

  private static Throwable failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get());
    return e.getCause();
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  @Test
  void timesAreKeptToTheSecondRoundedDown() {
    IndexCore core = core(20, Duration.ofSeconds(10));
    core.announce(peer(0), true, List.of(complete(1)), T0 + 1999);
    assertEquals(T0 + 1000, core.candidates(track(1), T0 + 1999).get(0).lastSeenMillis());
    assertEquals(1, core.candidates(track(1), T0 + 10_999).size());
    assertEquals(0, core.candidates(track(1), T0 + 11_000).size());
  }

  @Test
  void timesOutsideUnsignedEpochSecondsFailTheStage() {
    PeerIndex index = newIndex(PeerIndexConfig.defaults());
    try {
      assertInstanceOf(IllegalArgumentException.class, failure(index.announce(peer(0), true, List.of(complete(1)), -1)));
      assertInstanceOf(IllegalArgumentException.class, failure(index.candidates(track(1), (IndexCore.MAX_SECONDS + 1) * 1000)));
      assertInstanceOf(IllegalArgumentException.class, failure(index.expire(-5)));
      await(index.announce(peer(0), true, List.of(complete(1)), IndexCore.MAX_SECONDS * 1000 + 999));
      assertEquals(IndexCore.MAX_SECONDS * 1000, await(index.candidates(track(1), IndexCore.MAX_SECONDS * 1000)).get(0).lastSeenMillis());
      await(index.announce(peer(1), true, List.of(complete(1)), 0));
      assertEquals(new IndexStats(2, 1, 2), await(index.stats()));
    } finally {
      index.close();
    }
  }

  @Test
  void aClockThatGoesBackKeepsEntriesInTimeOrder() {
    IndexCore core = core(3, Duration.ofMinutes(30));
    core.announce(peer(0), false, List.of(complete(1)), T0 + 10 * SECOND);
    core.announce(peer(1), false, List.of(complete(1)), T0 + 5 * SECOND);
    core.announce(peer(2), false, List.of(complete(1)), T0 + 20 * SECOND);
    assertEquals(ids(2, 0, 1), ids(core.candidates(track(1), T0 + 30 * SECOND)));
    // Full of newer entries: an older announce would be evicted at once, so it is not added.
    core.announce(peer(3), false, List.of(complete(1), complete(2)), T0 + SECOND);
    assertEquals(ids(2, 0, 1), ids(core.candidates(track(1), T0 + 30 * SECOND)));
    assertEquals(ids(3), ids(core.candidates(track(2), T0 + 30 * SECOND)));
    // Re-announcing at an older time moves the entry back.
    core.announce(peer(2), false, List.of(complete(1)), T0 + 7 * SECOND);
    assertEquals(ids(0, 2, 1), ids(core.candidates(track(1), T0 + 30 * SECOND)));
    core.checkInvariants();
  }

  // ---------------------------------------------------------------------------------------------
  // Arguments, closing

  @Test
  void invalidArgumentsFailTheStageAndChangeNothing() {
    PeerIndex index = newIndex(PeerIndexConfig.defaults());
    try {
      List<Holding> withNull = new ArrayList<>();
      withNull.add(complete(1));
      withNull.add(null);
      assertInstanceOf(NullPointerException.class, failure(index.announce(peer(0), true, withNull, T0)));
      assertInstanceOf(NullPointerException.class, failure(index.announce(null, true, List.of(), T0)));
      assertInstanceOf(NullPointerException.class, failure(index.announce(peer(0), true, null, T0)));
      assertInstanceOf(NullPointerException.class, failure(index.candidates(null, T0)));
      assertInstanceOf(NullPointerException.class, failure(index.withdraw(null, List.of())));
      assertInstanceOf(NullPointerException.class, failure(index.removePeer(null)));
      assertEquals(new IndexStats(0, 0, 0), await(index.stats()));
    } finally {
      index.close();
    }
  }

  @Test
  void aClosedIndexFailsEveryCall() {
    PeerIndex index = newIndex(PeerIndexConfig.defaults());
    await(index.announce(peer(0), true, List.of(complete(1)), T0));
    index.close();
    index.close();
    assertInstanceOf(IllegalStateException.class, failure(index.announce(peer(0), true, List.of(complete(1)), T0)));
    assertInstanceOf(IllegalStateException.class, failure(index.candidates(track(1), T0)));
    assertInstanceOf(IllegalStateException.class, failure(index.withdraw(nodeId(0), List.of(track(1)))));
    assertInstanceOf(IllegalStateException.class, failure(index.removePeer(nodeId(0))));
    assertInstanceOf(IllegalStateException.class, failure(index.expire(T0)));
    assertInstanceOf(IllegalStateException.class, failure(index.stats()));
  }

  // ---------------------------------------------------------------------------------------------
  // Batching in the wrapper

  @Test
  void aLargeFullAnnounceIsAppliedInBatchesWithTheSameResult() {
    InMemoryPeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults(), 1);
    try {
      List<Holding> before = new ArrayList<>();
      for (int t = 0; t < 600; t++) {
        before.add(complete(10_000 + t));
      }
      await(index.announce(peer(0), true, before, T0));
      List<Holding> after = new ArrayList<>();
      for (int t = 0; t < 3 * InMemoryPeerIndex.BATCH + 17; t++) {
        after.add(t % 5 == 0 ? partial(t, t % 300) : complete(t));
      }
      after.add(partial(3, 1, 2)); // listed again in a later batch: the last listing wins
      after.add(complete(10_000)); // listed before too: stays
      await(index.announce(peer(0), true, after, T0 + SECOND));
      assertStats(new IndexStats(1, 3 * InMemoryPeerIndex.BATCH + 18, 3 * InMemoryPeerIndex.BATCH + 18), index);
      assertEquals(partial(3, 1, 2), await(index.candidates(track(3), T0 + SECOND)).get(0).holding());
      assertEquals(partial(5, 5), await(index.candidates(track(5), T0 + SECOND)).get(0).holding());
      assertEquals(1, await(index.candidates(track(10_000), T0 + SECOND)).size());
      assertEquals(0, await(index.candidates(track(10_001), T0 + SECOND)).size());
      index.withCore(c -> {
        c.checkInvariants();
        return null;
      });
    } finally {
      index.close();
    }
  }

  @Test
  void aLargeWithdrawIsAppliedInBatches() {
    InMemoryPeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults(), 2);
    try {
      List<Holding> holdings = new ArrayList<>();
      List<TrackId> withdrawn = new ArrayList<>();
      for (int t = 0; t < 1000; t++) {
        holdings.add(t % 3 == 0 ? partial(t, 1) : complete(t));
        if (t % 4 != 0) {
          withdrawn.add(track(t));
        }
      }
      await(index.announce(peer(0), true, holdings, T0));
      await(index.announce(peer(1), true, holdings.subList(0, 10), T0));
      await(index.withdraw(nodeId(0), withdrawn));
      assertEquals(new IndexStats(2, 250 + 7, 250 + 10), await(index.stats()));
      index.withCore(c -> {
        c.checkInvariants();
        return null;
      });
    } finally {
      index.close();
    }
  }

  @Test
  void expireSweepsInBatchesOverManySlots() {
    InMemoryPeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.builder().keepPerTrack(20)
        .ttl(Duration.ofSeconds(60)).maxHoldingsPerPeer(100_000).maxHoldingsPerPrefix(100_000).build(), 3);
    try {
      int tracks = 2 * InMemoryPeerIndex.EXPIRE_BATCH_SLOTS + 100;
      List<Holding> old = new ArrayList<>();
      for (int t = 0; t < tracks; t++) {
        old.add(complete(t));
      }
      await(index.announce(peer(0), true, old, T0));
      await(index.announce(peer(1), true, old.subList(tracks - 10, tracks), T0 + 30 * SECOND));
      assertEquals(tracks + 0L, await(index.expire(T0 + 60 * SECOND)));
      assertEquals(new IndexStats(1, 10, 10), await(index.stats()));
      index.withCore(c -> {
        c.checkInvariants();
        return null;
      });

      // Stale pairs over many slots: swept in the smaller batches, all of them.
      await(index.announce(peer(2), true, old, T0 + 61 * SECOND));
      await(index.removePeer(nodeId(2)));
      assertEquals(new IndexStats(1, tracks, 10), await(index.stats()), "tracks lag until the sweep");
      assertEquals(0L, await(index.expire(T0 + 62 * SECOND)));
      assertEquals(new IndexStats(1, 10, 10), await(index.stats()));
      index.withCore(c -> {
        assertEquals(0, c.departedPeerSlots());
        c.checkInvariants();
        return null;
      });
    } finally {
      index.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Core

  @Test
  void expiringSeventyThousandEntriesOfTenPeersAtOnce() {
    IndexCore core = core(20, Duration.ofSeconds(60));
    for (int p = 0; p < 10; p++) {
      List<Holding> holdings = new ArrayList<>();
      for (int t = 0; t < 7000; t++) {
        holdings.add(p % 2 == 0 ? complete(t) : partial(t, p));
      }
      core.announce(peer(p), true, holdings, T0);
    }
    core.announce(peer(10), true, List.of(complete(1)), T0 + 30 * SECOND);
    assertEquals(70_000, core.expire(T0 + 60 * SECOND));
    assertEquals(1, core.entries());
    assertEquals(1, core.peers());
    core.checkInvariants();
  }

  @Test
  void freedSlotsAreReused() {
    IndexCore core = core(4, Duration.ofMinutes(30));
    for (int round = 0; round < 50; round++) {
      for (int p = 0; p < 20; p++) {
        core.announce(peer(round * 100 + p), true, List.of(complete(round * 100 + p), complete(p)), T0 + round * SECOND);
      }
      for (int p = 0; p < 20; p++) {
        core.removePeer(nodeId(round * 100 + p));
      }
      core.expire(T0 + round * SECOND); // the periodic sweep frees what departed peers left
    }
    core.checkInvariants();
    assertEquals(0, core.entries());
    assertTrue(core.trackSlotHigh() <= 40, "track slots " + core.trackSlotHigh());
    assertTrue(core.peerSlotHigh() <= 20, "peer slots " + core.peerSlotHigh());
  }

  @Test
  void invariantsHoldUnderRandomOperations() {
    Random random = new Random(1);
    for (int run = 0; run < 4; run++) {
      int keep = 1 + random.nextInt(6);
      IndexCore core = core(keep, Duration.ofSeconds(30));
      long now = T0;
      for (int op = 0; op < 4000; op++) {
        now += random.nextInt(10) == 0 ? -random.nextInt(5000) : random.nextInt(3000);
        int p = random.nextInt(60);
        int r = random.nextInt(100);
        if (r < 50) {
          List<Holding> holdings = new ArrayList<>();
          for (int n = random.nextInt(r < 10 ? 40 : 5); n > 0; n--) {
            int t = random.nextInt(80);
            holdings.add(random.nextBoolean() ? complete(t) : partial(t, random.nextInt(300)));
          }
          core.announce(peer(p), r < 10, holdings, now);
        } else if (r < 65) {
          List<TrackId> ts = new ArrayList<>();
          for (int n = random.nextInt(12); n > 0; n--) {
            ts.add(track(random.nextInt(80)));
          }
          core.withdraw(nodeId(p), ts);
        } else if (r < 72) {
          core.removePeer(nodeId(p));
        } else if (r < 80) {
          int from = random.nextInt(50);
          core.expireSlots(now, from, from + random.nextInt(50));
        } else {
          List<Candidate> got = core.candidates(track(random.nextInt(80)), now);
          assertTrue(got.size() <= keep);
          for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i - 1).lastSeenMillis() >= got.get(i).lastSeenMillis());
          }
        }
        if (op % 4 == 0) {
          core.checkInvariants(); // broken structure stays broken: checking every 4th op finds it
        }
      }
      core.checkInvariants();
    }
  }

  @Test
  void concurrentCallersLeaveAConsistentIndex() throws Exception {
    InMemoryPeerIndex index = InMemoryPeerIndex.create(config(8, Duration.ofSeconds(20)), 4);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int worker = w;
        futures.add(pool.submit(() -> {
          Random random = new Random(worker);
          for (int op = 0; op < 5000; op++) {
            long now = T0 + op * 100L;
            int p = worker * 100 + random.nextInt(40);
            int r = random.nextInt(10);
            if (r < 4) {
              await(index.announce(peer(p), r == 0, List.of(complete(random.nextInt(50)), partial(random.nextInt(50), 3)), now));
            } else if (r < 5) {
              await(index.withdraw(nodeId(p), List.of(track(random.nextInt(50)))));
            } else if (r < 6) {
              await(index.removePeer(nodeId(p)));
            } else if (r < 7) {
              await(index.expire(now));
            } else {
              assertTrue(await(index.candidates(track(random.nextInt(50)), now)).size() <= 8);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      index.withCore(c -> {
        c.checkInvariants();
        return null;
      });
    } finally {
      pool.shutdownNow();
      index.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Memory

  /**
   * 100,000 tracks with 20 complete entries each, from 200,000 peers with 10 entries each (the
   * benchmark's 2 peers per track): the arrays come to well under 64 bytes per entry. A
   * structural count, not a timing: it does not depend on the machine.
   */
  @Test
  void arraysTakeAtMost64BytesPerCompleteEntry() {
    IndexCore core = core(20, Duration.ofMinutes(30));
    int tracks = 100_000;
    int peers = 200_000;
    Holding[] holdings = new Holding[tracks];
    for (int t = 0; t < tracks; t++) {
      holdings[t] = Holding.complete(trackId(t), 320);
    }
    for (int p = 0; p < peers; p++) {
      List<Holding> mine = new ArrayList<>(10);
      for (int j = 0; j < 10; j++) {
        mine.add(holdings[(p + j * 10_000) % tracks]);
      }
      core.announce(fastPeer(p), true, mine, T0);
    }
    assertEquals(2_000_000, core.entries());
    assertEquals(peers, core.peers());
    double perEntry = (double) core.retainedBytesEstimate() / core.entries();
    System.out.printf("IndexCore arrays: %.1f bytes per (track, peer) entry (100k tracks x 20, 10 per peer)%n", perEntry);
    assertTrue(perEntry <= 64, perEntry + " bytes per entry");
  }

  /**
   * What a peer costs, measured: N peers (each its own IPv4 /32, as in the benchmark) with one
   * track each, less one peer with the same N tracks, per peer, in retainedBytesEstimate (every
   * array at its JVM size, growth slack included). The accounted PEER_SLOT_BYTES must cover it.
   */
  @Test
  void aPeerSlotCostsAtMostItsAccountedBytes() {
    int n = 200_000;
    IndexCore onePeer = core(20, Duration.ofMinutes(30));
    List<Holding> all = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      all.add(Holding.complete(trackId(t), 320));
    }
    onePeer.announce(fastPeer(0), true, all, T0);
    IndexCore manyPeers = core(20, Duration.ofMinutes(30));
    for (int p = 0; p < n; p++) {
      manyPeers.announce(fastPeer(p), false, List.of(all.get(p)), T0);
    }
    assertEquals(n, manyPeers.peers());
    double perPeer = (double) (manyPeers.retainedBytesEstimate() - onePeer.retainedBytesEstimate()) / (n - 1);
    System.out.printf("IndexCore: a peer (own /32, 2-D coordinate) takes %.1f bytes; %d accounted per slot%n",
        perPeer, IndexCore.PEER_SLOT_BYTES);
    assertTrue(perPeer <= IndexCore.PEER_SLOT_BYTES, perPeer + " bytes per peer");
    assertTrue(perPeer >= IndexCore.PEER_SLOT_BYTES / 2, perPeer + " bytes per peer: is it all counted?");
  }

  /**
   * Departures leave their pairs behind, stale: never a candidate, not an entry, dropped by the
   * next announce into a full track and by the sweep, after which the slot is free. Only the
   * track count lags until then.
   */
  @Test
  void aDepartedPeersPairsAreStaleUntilSwept() {
    IndexCore core = core(3, Duration.ofMinutes(30));
    PeerInfo gone = fastPeer(1);
    PeerInfo stays = fastPeer(2);
    List<Holding> both = List.of(Holding.complete(trackId(0), 320), Holding.complete(trackId(1), 320));
    core.announce(gone, true, both, T0);
    core.announce(stays, false, List.of(Holding.complete(trackId(1), 320)), T0);
    core.removePeer(gone.nodeId());
    assertEquals(1, core.peers());
    assertEquals(1, core.entries(), "entries exact at once");
    assertEquals(2, core.tracks(), "track 0 holds only a stale pair: counted until swept");
    assertTrue(core.candidates(trackId(0), T0).isEmpty());
    assertEquals(List.of(stays.nodeId()), core.candidates(trackId(1), T0).stream().map(c -> c.peer().nodeId()).toList());
    assertEquals(1, core.departedPeerSlots());
    core.checkInvariants();

    assertEquals(0, core.expire(T0), "stale pairs were no one's entries: not counted as expired");
    assertEquals(1, core.tracks());
    assertEquals(0, core.departedPeerSlots(), "the slot is free once no pair names it");
    core.checkInvariants();

    // A full announce that leaves a track out moves the peer to a fresh slot: the left-out pair is stale.
    core.announce(gone, true, both, T0);
    core.announce(gone, true, List.of(Holding.complete(trackId(1), 320)), T0 + SECOND);
    assertTrue(core.candidates(trackId(0), T0 + SECOND).isEmpty());
    assertEquals(2, core.candidates(trackId(1), T0 + SECOND).size());
    assertEquals(2, core.entries());
    assertEquals(1, core.departedPeerSlots());
    core.checkInvariants();

    // A full track whose stale pair (not its oldest) makes room evicts no one.
    core.expire(T0 + SECOND);
    Holding two = Holding.complete(trackId(2), 320);
    core.announce(fastPeer(3), false, List.of(two), T0 + SECOND);
    core.announce(fastPeer(6), false, List.of(two), T0 + 2 * SECOND);
    core.announce(fastPeer(4), false, List.of(two), T0 + 3 * SECOND);
    core.removePeer(fastPeer(6).nodeId());
    core.announce(fastPeer(5), false, List.of(two), T0 + 4 * SECOND);
    assertEquals(List.of(fastPeer(5).nodeId(), fastPeer(4).nodeId(), fastPeer(3).nodeId()),
        core.candidates(trackId(2), T0 + 4 * SECOND).stream().map(c -> c.peer().nodeId()).toList(),
        "the stale pair made room: peer 3, the oldest, stays");
    assertEquals(0, core.departedPeerSlots());
    core.checkInvariants();
  }

  /**
   * A caller spins for the lock only briefly ({@link InMemoryPeerIndex#SPINS} tries): behind a
   * holder that keeps it longer it waits parked, and goes on with the right answer when the lock
   * is released (no timing: the holder keeps the lock until the waiter is seen parked).
   */
  @Test
  void aCallerBehindALongHoldWaitsParkedThenProceeds() throws Exception {
    InMemoryPeerIndex index = (InMemoryPeerIndex) newIndex(PeerIndexConfig.defaults());
    index.announce(peer(1), true, List.of(complete(1)), T0).toCompletableFuture().join();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<List<Candidate>> lookup = index.withCore(c -> {
        Future<List<Candidate>> f = other.submit(() -> index.candidates(track(1), T0).toCompletableFuture().join());
        while (!index.hasParkedWaiters()) {
          Thread.onSpinWait(); // the lookup spins, gives up, parks
        }
        assertFalse(f.isDone(), "no answer while the lock is held");
        return f;
      });
      assertEquals(List.of(peer(1).nodeId()), lookup.get().stream().map(c -> c.peer().nodeId()).toList());
    } finally {
      other.shutdownNow();
    }
  }

  // Cheap distinct values for the memory test (IndexTestData hashes, which is slow at 200k).
  private static TrackId trackId(int n) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) 0x5a);
    b[0] = (byte) (n >>> 24);
    b[1] = (byte) (n >>> 16);
    b[2] = (byte) (n >>> 8);
    b[3] = (byte) n;
    return TrackId.fromBytes(b);
  }

  private static PeerInfo fastPeer(int n) {
    byte[] key = new byte[32];
    key[0] = (byte) (n >>> 24);
    key[1] = (byte) (n >>> 16);
    key[2] = (byte) (n >>> 8);
    key[3] = (byte) n;
    return PeerInfo.of(key, IndexTestData.ipv4(10, n >>> 16, n >>> 8, n), 4000, IndexTestData.coordinate(1, 2, 0), "");
  }
}
