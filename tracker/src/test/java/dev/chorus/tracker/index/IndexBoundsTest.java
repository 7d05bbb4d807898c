package dev.chorus.tracker.index;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The in-memory index's own bounds: partial bitmap bytes per peer and the accounted-bytes budget. */
class IndexBoundsTest {
  private static final long SECOND = 1000;

  private static IndexCore core(PeerIndexConfig config) {
    return new IndexCore(config, 11);
  }

  private static TrackId randomTrack(SplittableRandom random) {
    byte[] id = new byte[32];
    random.nextBytes(id);
    return TrackId.fromBytes(id);
  }

  /** A partial holding whose kept bitmap is exactly {@code bytes} long (its last chunk is set). */
  private static Holding partialOf(TrackId track, int bytes) {
    byte[] bitmap = new byte[bytes];
    bitmap[0] = 1;
    bitmap[bytes - 1] = (byte) 0x80;
    return Holding.partial(track, bytes * 8, bitmap);
  }

  private static PeerInfo peerAt(int n, int a, int b, int c, int d) {
    byte[] key = new byte[32];
    key[0] = (byte) (n >>> 24);
    key[1] = (byte) (n >>> 16);
    key[2] = (byte) (n >>> 8);
    key[3] = (byte) n;
    key[31] = 1;
    return PeerInfo.of(key, IndexTestData.ipv4(a, b, c, d), 4000, IndexTestData.coordinate(1, 2, 0), "");
  }

  @Test
  void partialBitmapBytesPerPeerAreCapped() {
    IndexCore core = core(PeerIndexConfig.builder().maxPartialBytesPerPeer(100).build());
    PeerInfo p = peerAt(1, 10, 0, 0, 1);
    TrackId a = IndexTestData.track(1);
    TrackId b = IndexTestData.track(2);
    assertEquals(0, core.announce(p, false, List.of(partialOf(a, 60)), T0).refusedTotal());
    AnnounceResult r = core.announce(p, false, List.of(partialOf(b, 60), Holding.complete(b, 480)), T0);
    assertEquals(1, r.refused(AnnounceResult.Refusal.PARTIAL_BYTES), "60 + 60 > 100");
    assertEquals(1, r.refusedTotal(), "the complete holding listed after it is not partial: accepted");
    assertEquals(60, core.partialBytesOf(p.nodeId()));
    assertEquals(0, core.announce(p, false, List.of(partialOf(a, 100)), T0 + SECOND).refusedTotal(),
        "a refreshed bitmap counts instead of the old one");
    assertEquals(100, core.partialBytesOf(p.nodeId()));
    r = core.announce(p, false, List.of(partialOf(a, 101)), T0 + SECOND);
    assertEquals(1, r.refused(AnnounceResult.Refusal.PARTIAL_BYTES));
    assertTrue(core.candidates(a, T0 + SECOND).isEmpty(), "a refused refresh leaves the holding out whole");
    assertEquals(0, core.partialBytesOf(p.nodeId()));
    assertEquals(1, core.entries(), "track b, complete");
    core.checkInvariants();
  }

  @Test
  void aFloodStopsAtTheBudgetWhichStaysAboveWhatTheArraysTake() {
    long budget = 2L << 20;
    IndexCore core = core(PeerIndexConfig.builder().maxIndexBytes(budget).maxHoldingsPerPeer(5_000)
        .maxHoldingsPerPrefix(5_000).maxPartialBytesPerPeer(256 << 10).build());
    SplittableRandom random = new SplittableRandom(17);
    PeerInfo good = peerAt(0, 192, 0, 2, 1);
    List<Holding> goodHoldings = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      goodHoldings.add(Holding.complete(IndexTestData.track(i), 320));
    }
    assertEquals(0, core.announce(good, true, goodHoldings, T0).refusedTotal());

    long indexFull = 0;
    long accepted = 0;
    for (int round = 0; round < 40; round++) {
      long now = T0 + round * SECOND;
      for (int k = 0; k < 16; k++) {
        int n = 1 + round * 16 + k; // a fresh key per connection and round, each from its own /32
        PeerInfo attacker = peerAt(n, 10, n >>> 16, n >>> 8, n);
        List<Holding> holdings = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          TrackId t = randomTrack(random);
          holdings.add(random.nextBoolean() ? Holding.complete(t, 0) : partialOf(t, 1 + random.nextInt(2048)));
        }
        AnnounceResult r = core.announce(attacker, false, holdings, now);
        indexFull += r.refused(AnnounceResult.Refusal.INDEX_FULL);
        accepted += holdings.size() - r.refusedTotal();
        assertTrue(core.accountedBytes() <= budget, core.accountedBytes() + " accounted > budget " + budget);
      }
      // The well-behaved node re-announces what it holds: refreshes are admitted even when full.
      assertEquals(0, core.announce(good, true, goodHoldings, now).refusedTotal());
      assertEquals(good.nodeId(), core.candidates(IndexTestData.track(3), now).get(0).peer().nodeId());
    }
    core.checkInvariants();
    long arrays = core.retainedBytesEstimate();
    System.out.printf("IndexBoundsTest flood: %d holdings accepted, %d refused index_full, %d entries, "
        + "accounted %d bytes (budget %d), arrays alone %d bytes%n",
        accepted, indexFull, core.entries(), core.accountedBytes(), budget, arrays);
    assertTrue(indexFull > 0, "the flood reached the budget");
    assertTrue(core.accountedBytes() > budget * 9 / 10, "and filled it: " + core.accountedBytes());
    assertTrue(core.accountedBytes() >= arrays, "the account covers the arrays: " + arrays);
  }

  @Test
  void removingPeersFreesTheBudget() {
    long budget = 1L << 20;
    IndexCore core = core(PeerIndexConfig.builder().maxIndexBytes(budget).build());
    SplittableRandom random = new SplittableRandom(5);
    List<PeerInfo> attackers = new ArrayList<>();
    for (int n = 1; n <= 100; n++) {
      PeerInfo a = peerAt(n, 10, 0, n >>> 8, n);
      attackers.add(a);
      List<Holding> holdings = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        holdings.add(Holding.complete(randomTrack(random), 10));
      }
      core.announce(a, false, holdings, T0);
    }
    PeerInfo late = peerAt(0, 192, 0, 2, 1);
    assertEquals(1, core.announce(late, false, List.of(Holding.complete(IndexTestData.track(1), 10)), T0)
        .refused(AnnounceResult.Refusal.INDEX_FULL));
    for (PeerInfo a : attackers) {
      core.removePeer(a.nodeId());
    }
    // Their pairs are stale (IndexCore's "Departures") and still count, until the refusal they
    // would cause drops a batch of them: the late peer gets in at once.
    assertTrue(core.hasStalePairs());
    int slots = core.peerSlotHigh();
    assertEquals(0, core.announce(late, false, List.of(Holding.complete(IndexTestData.track(1), 10)), T0).refusedTotal());
    assertEquals(slots, core.peerSlotHigh(), "the late peer took a freed slot");
    core.checkInvariants();
    assertEquals(0, core.expire(T0));
    assertEquals(core.peerSlotHigh() * IndexCore.PEER_SLOT_BYTES + IndexCore.TRACK_BYTES + IndexCore.ENTRY_BYTES,
        core.accountedBytes(), "after the sweep: the peer slots, which the next peers reuse, and the late peer's entry");
    core.checkInvariants();
  }
}
