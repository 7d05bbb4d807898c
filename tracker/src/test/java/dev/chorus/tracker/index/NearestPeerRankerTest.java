package dev.chorus.tracker.index;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.bitmap;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.coordinate;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.ipv6;
import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static dev.chorus.tracker.index.IndexTestData.partial;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NearestPeerRankerTest {
  private static final NearestPeerRanker RANKER = NearestPeerRanker.create();
  /** The asker: 203.0.113.5, region "eu-west", at the origin. */
  private static final NodeId ASKER = nodeId(999);
  private static final NetworkPrefix ASKER_PREFIX = NetworkPrefix.of(ipv4(203, 0, 113, 5));
  private static final String ASKER_REGION = "eu-west";
  private static final VivaldiCoordinate ASKER_AT = coordinate(0, 0, 0);

  /** Peer n at {@code ip}, {@code rtt} ms from the asker, in {@code region}, holding {@code holding}. */
  private static Candidate candidate(int n, byte[] ip, double rtt, String region, Holding holding) {
    return new Candidate(peer(n, ip, 4000, coordinate((float) rtt, 0, 0), region), holding, T0);
  }

  /** Peer n elsewhere (198.51.100.n, no region), {@code rtt} ms away, holding all of track 1. */
  private static Candidate far(int n, double rtt) {
    return candidate(n, ipv4(198, 51, 100, n), rtt, "", complete(1));
  }

  private static List<Candidate> rank(List<Candidate> candidates, byte[] wanted, int max, long seed) {
    return RANKER.rank(ASKER, ASKER_PREFIX, ASKER_REGION, ASKER_AT, candidates, wanted, max, new SplittableRandom(seed));
  }

  private static List<NodeId> ids(List<Candidate> candidates) {
    List<NodeId> ids = new ArrayList<>();
    for (Candidate c : candidates) {
      ids.add(c.peer().nodeId());
    }
    return ids;
  }

  private static List<NodeId> ids(int... peers) {
    List<NodeId> ids = new ArrayList<>();
    for (int p : peers) {
      ids.add(nodeId(p));
    }
    return ids;
  }

  /** Asserts the order for many seeds: the rule under test leaves no room for chance. */
  private static void assertOrder(List<Candidate> candidates, byte[] wanted, List<NodeId> expected) {
    for (long seed = 0; seed < 50; seed++) {
      assertEquals(expected, ids(rank(candidates, wanted, 10, seed)), "seed " + seed);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Basics

  @Test
  void theAskerIsLeftOut() {
    Candidate self = candidate(999, ipv4(203, 0, 113, 5), 0, ASKER_REGION, complete(1));
    assertOrder(List.of(far(1, 50), self, far(2, 100)), null, ids(1, 2));
    // By id, whatever the address it was seen at.
    Candidate selfElsewhere = candidate(999, ipv4(192, 0, 2, 1), 80, "", complete(1));
    assertOrder(List.of(selfElsewhere, far(1, 50)), null, ids(1));
  }

  @Test
  void aNullAskerLeavesNobodyOut() {
    List<Candidate> in = List.of(far(1, 50), far(2, 100));
    assertEquals(ids(1, 2), ids(RANKER.rank(null, null, null, ASKER_AT, in, null, 10, new SplittableRandom(1))));
  }

  @Test
  void atMostMaxPeersComeBack() {
    List<Candidate> in = new ArrayList<>();
    for (int n = 0; n < 30; n++) {
      in.add(far(n, 10 * n));
    }
    assertEquals(ids(0, 1, 2), ids(rank(in, null, 3, 1)));
    assertEquals(30, rank(in, null, 100, 1).size());
    assertEquals(List.of(), rank(in, null, 0, 1));
    assertEquals(List.of(), rank(List.of(), null, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> rank(in, null, -1, 1));
  }

  @Test
  void theInputIsNotModifiedAndAnyListWorks() {
    List<Candidate> in = new LinkedList<>(List.of(far(3, 30), far(1, 10), far(2, 20)));
    List<Candidate> copy = new ArrayList<>(in);
    assertEquals(ids(1, 2, 3), ids(rank(in, null, 10, 1)));
    assertEquals(copy, in);
  }

  /** The example in docs/index-and-ranking.md. */
  @Test
  void theDocumentedExample() {
    int[] tenToTwenty = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    Candidate a = candidate(1, ipv4(198, 51, 100, 7), 40, "us-east", complete(1));
    Candidate b = candidate(2, ipv4(203, 0, 113, 80), 90, "", partial(1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
    Candidate c = candidate(3, ipv4(192, 0, 2, 1), 12, "eu-west", complete(1));
    Candidate d = candidate(4, ipv4(192, 0, 2, 9), 13, "eu-west", partial(1, tenToTwenty));
    Candidate e = new Candidate(peer(5, ipv4(198, 51, 100, 8), 4000, coordinate(3, 0, 1), "us-east"),
        partial(1, 0, 1, 2, 3), T0);
    Candidate self = candidate(999, ipv4(203, 0, 113, 5), 0, ASKER_REGION, complete(1));
    List<Candidate> in = List.of(a, b, c, d, e, self);
    byte[] wanted = bitmap(IndexTestData.CHUNKS, 10, 11, 12);
    Set<List<NodeId>> orders = new HashSet<>();
    for (long seed = 0; seed < 50; seed++) {
      orders.add(ids(rank(in, wanted, 4, seed)));
    }
    assertEquals(Set.of(ids(3, 4, 1, 2), ids(4, 3, 1, 2)), orders);
  }

  // ---------------------------------------------------------------------------------------------
  // (a) What they hold

  @Test
  void holdingAllWantedBeatsSomeBeatsNone() {
    byte[] ip = ipv4(198, 51, 100, 1);
    byte[] wanted = bitmap(IndexTestData.CHUNKS, 10, 11, 12);
    Candidate none = candidate(1, ip, 10, "", partial(1, 0, 1, 2));
    Candidate some = candidate(2, ip, 10, "", partial(1, 10, 50));
    Candidate all = candidate(3, ip, 10, "", partial(1, 10, 11, 12, 13));
    Candidate complete = candidate(4, ip, 10, "", complete(1));
    List<Candidate> ranked = rank(List.of(none, some, all, complete), wanted, 10, 1);
    assertEquals(Set.of(nodeId(3), nodeId(4)), new HashSet<>(ids(ranked.subList(0, 2))));
    assertEquals(ids(2, 1), ids(ranked.subList(2, 4)));
  }

  @Test
  void withoutWantedChunksTheWholeTrackIsWanted() {
    byte[] ip = ipv4(198, 51, 100, 1);
    Candidate empty = candidate(1, ip, 10, "", Holding.partial(IndexTestData.track(1), 16, new byte[0]));
    Candidate half = candidate(2, ip, 10, "", Holding.partial(IndexTestData.track(1), 16, new byte[] {(byte) 0xff}));
    Candidate full = candidate(3, ip, 10, "", complete(1));
    assertOrder(List.of(empty, half, full), null, ids(3, 2, 1));
    assertOrder(List.of(empty, half, full), new byte[4], ids(3, 2, 1)); // all-zero: same as none
    // A partial holding with every chunk counts as complete.
    Candidate allBits = candidate(4, ip, 10, "", Holding.partial(IndexTestData.track(1), 16, new byte[] {-1, -1}));
    List<Candidate> ranked = rank(List.of(half, allBits, full), null, 10, 1);
    assertEquals(nodeId(2), ranked.get(2).peer().nodeId());
  }

  @Test
  void holdingBeatsLocalityAndRtt() {
    Candidate localPartial = candidate(1, ipv4(203, 0, 113, 77), 1, ASKER_REGION, partial(1, 5));
    Candidate farComplete = far(2, 300);
    assertOrder(List.of(localPartial, farComplete), bitmap(IndexTestData.CHUNKS, 5, 6), ids(2, 1));
  }

  // ---------------------------------------------------------------------------------------------
  // (b) Locality

  @Test
  void theSameIpv4SlashTwentyFourComesFirst() {
    Candidate sameNet = candidate(1, ipv4(203, 0, 113, 200), 100, "", complete(1));
    Candidate nextNet = candidate(2, ipv4(203, 0, 114, 5), 10, "", complete(1));
    assertOrder(List.of(nextNet, sameNet), null, ids(1, 2));
  }

  @Test
  void theSameIpv6SlashFortyEightComesFirst() {
    NetworkPrefix askerV6 = NetworkPrefix.of(ipv6("2001:db8:aa::1"));
    Candidate sameNet = candidate(1, ipv6("2001:db8:aa:ffff::9"), 100, "", complete(1));
    Candidate nextNet = candidate(2, ipv6("2001:db8:ab::1"), 10, "", complete(1));
    for (long seed = 0; seed < 20; seed++) {
      List<Candidate> ranked = RANKER.rank(ASKER, askerV6, "", ASKER_AT, List.of(nextNet, sameNet), null, 10,
          new SplittableRandom(seed));
      assertEquals(ids(1, 2), ids(ranked));
    }
  }

  @Test
  void theSameRegionComesFirstAndCountsLikeTheSameNetwork() {
    Candidate sameRegion = candidate(1, ipv4(192, 0, 2, 1), 100, ASKER_REGION, complete(1));
    Candidate otherRegion = candidate(2, ipv4(192, 0, 2, 2), 10, "us-east", complete(1));
    assertOrder(List.of(otherRegion, sameRegion), null, ids(1, 2));
    // Region and network are one tier: between them the RTT decides.
    Candidate sameNet = candidate(3, ipv4(203, 0, 113, 9), 50, "", complete(1));
    assertOrder(List.of(otherRegion, sameRegion, sameNet), null, ids(3, 1, 2));
  }

  @Test
  void anEmptyRegionMatchesNothing() {
    Candidate noRegion = candidate(1, ipv4(192, 0, 2, 1), 100, "", complete(1));
    Candidate near = candidate(2, ipv4(192, 0, 2, 2), 10, "", complete(1));
    for (long seed = 0; seed < 20; seed++) {
      List<Candidate> ranked = RANKER.rank(ASKER, null, "", ASKER_AT, List.of(noRegion, near), null, 10,
          new SplittableRandom(seed));
      assertEquals(ids(2, 1), ids(ranked));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // (c) RTT

  @Test
  void smallerPredictedRttFirst() {
    assertOrder(List.of(far(1, 80), far(2, 20), far(3, 140), far(4, 6)), null, ids(4, 2, 1, 3));
  }

  @Test
  void heightsCountInTheRtt() {
    Candidate lowHeight = new Candidate(peer(1, ipv4(198, 51, 100, 1), 1, coordinate(30, 0, 0), ""), complete(1), T0);
    Candidate highHeight = new Candidate(peer(2, ipv4(198, 51, 100, 2), 1, coordinate(10, 0, 40), ""), complete(1), T0);
    assertOrder(List.of(highHeight, lowHeight), null, ids(1, 2));
  }

  @Test
  void rttsInOneBucketCountAsEqual() {
    List<Candidate> in = List.of(far(1, 1), far(2, 4));
    assertEquals(Set.of(ids(1, 2), ids(2, 1)), ordersOver(in, RANKER, 100));
    NearestPeerRanker fine = NearestPeerRanker.create(0.5);
    assertEquals(Set.of(ids(1, 2)), ordersOver(in, fine, 100));
    assertEquals(0.5, fine.rttBucketMillis());
    assertEquals(NearestPeerRanker.DEFAULT_RTT_BUCKET_MILLIS, RANKER.rttBucketMillis());
  }

  @Test
  void withoutTheAskersCoordinateRttIsIgnored() {
    List<Candidate> in = List.of(far(1, 1), far(2, 400));
    Set<List<NodeId>> orders = new HashSet<>();
    for (long seed = 0; seed < 100; seed++) {
      orders.add(ids(RANKER.rank(ASKER, ASKER_PREFIX, ASKER_REGION, null, in, null, 10, new SplittableRandom(seed))));
    }
    assertEquals(Set.of(ids(1, 2), ids(2, 1)), orders);
  }

  @Test
  void theBucketWidthIsChecked() {
    assertThrows(IllegalArgumentException.class, () -> NearestPeerRanker.create(0));
    assertThrows(IllegalArgumentException.class, () -> NearestPeerRanker.create(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> NearestPeerRanker.create(Double.POSITIVE_INFINITY));
  }

  // ---------------------------------------------------------------------------------------------
  // (d) Chance

  @Test
  void theSameSeedGivesTheSameOrder() {
    List<Candidate> in = new ArrayList<>();
    for (int n = 0; n < 20; n++) {
      in.add(far(n, 10 + n % 3));
    }
    assertEquals(rank(in, null, 10, 7), rank(in, null, 10, 7));
    assertNotEquals(ids(rank(in, null, 10, 7)), ids(rank(in, null, 10, 8)));
  }

  @Test
  void loadSpreadsEvenlyOverEqualPeers() {
    int peers = 5;
    int runs = 10_000;
    List<Candidate> in = new ArrayList<>();
    for (int n = 0; n < peers; n++) {
      in.add(far(n, 20));
    }
    in.add(far(50, 200)); // worse: never first
    int[] first = new int[peers];
    int[] returned = new int[peers];
    SplittableRandom random = new SplittableRandom(2024);
    for (int run = 0; run < runs; run++) {
      List<Candidate> ranked = RANKER.rank(ASKER, ASKER_PREFIX, ASKER_REGION, ASKER_AT, in, null, 2, random);
      first[index(ranked.get(0))]++;
      for (Candidate c : ranked) {
        returned[index(c)]++;
      }
    }
    for (int n = 0; n < peers; n++) {
      // Expected 2,000 firsts and 4,000 appearances each; 5 standard deviations is about 200 and 245.
      assertTrue(Math.abs(first[n] - runs / peers) < 250, "peer " + n + " first " + first[n] + " times");
      assertTrue(Math.abs(returned[n] - 2 * runs / peers) < 300, "peer " + n + " returned " + returned[n] + " times");
    }
  }

  private static int index(Candidate c) {
    for (int n = 0; n < 50; n++) {
      if (c.peer().nodeId().equals(nodeId(n))) {
        return n;
      }
    }
    throw new AssertionError("unexpected " + c);
  }

  private static Set<List<NodeId>> ordersOver(List<Candidate> in, NearestPeerRanker ranker, int seeds) {
    Set<List<NodeId>> orders = new HashSet<>();
    for (long seed = 0; seed < seeds; seed++) {
      orders.add(ids(ranker.rank(ASKER, ASKER_PREFIX, ASKER_REGION, ASKER_AT, in, null, 10, new SplittableRandom(seed))));
    }
    return orders;
  }
}
