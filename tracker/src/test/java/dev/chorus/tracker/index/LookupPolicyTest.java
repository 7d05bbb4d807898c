package dev.chorus.tracker.index;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.coordinate;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.nodeId;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.ConnectionPlan;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.ReachabilityClass;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LookupPolicyTest {
  private static List<Candidate> candidates(int n) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Candidate(peer(i, ipv4(10, 0, i / 256, i % 256), 4000, coordinate(i, 0, 0), ""),
          complete(100), T0));
    }
    return out;
  }

  @Test
  void zeroAsksForTheDefaultAndLargerRequestsAreClampedToTheMaximum() {
    LookupPolicy p = LookupPolicy.of(10, 50, 5);
    assertEquals(10, p.peersFor(0));
    assertEquals(3, p.peersFor(3));
    assertEquals(50, p.peersFor(50));
    assertEquals(50, p.peersFor(51));
    assertEquals(50, p.peersFor(-1), "a uint32 above 2^31 is a large request, not a negative one");
  }

  @Test
  void answerAppliesTheLimitAndLeavesTheAskerOut() {
    LookupPolicy p = LookupPolicy.of(4, 6, 5);
    List<Candidate> all = candidates(20);
    NodeId asker = nodeId(0);
    List<Candidate> byDefault = p.answer(asker, null, null, coordinate(0, 0, 0), all, null, 0,
        new SplittableRandom(1));
    assertEquals(4, byDefault.size());
    assertFalse(byDefault.stream().anyMatch(c -> c.peer().nodeId().equals(asker)));
    assertEquals(6, p.answer(asker, null, null, null, all, null, 100, new SplittableRandom(1)).size());
  }

  @Test
  void answerUsesTheConfiguredRttBuckets() {
    // Peers 1 ms apart: with 1 ms buckets the nearest comes first every time; with 100 ms buckets
    // all are equal and chance decides, so over many seeds some other peer comes first.
    List<Candidate> all = candidates(10);
    NodeId asker = nodeId(999);
    LookupPolicy fine = LookupPolicy.of(1, 10, 0.5);
    LookupPolicy coarse = LookupPolicy.of(1, 10, 100);
    boolean coarseVaried = false;
    for (int seed = 0; seed < 50; seed++) {
      Candidate first = fine.answer(asker, null, null, coordinate(0, 0, 0), all, null, 1,
          new SplittableRandom(seed)).get(0);
      assertEquals(all.get(0), first);
      Candidate coarseFirst = coarse.answer(asker, null, null, coordinate(0, 0, 0), all, null, 1,
          new SplittableRandom(seed)).get(0);
      coarseVaried |= !coarseFirst.equals(all.get(0));
    }
    assertTrue(coarseVaried);
  }

  @Test
  void onlyNodesThatAcceptIncomingConnectionsAreIndexed() {
    LookupPolicy p = LookupPolicy.defaults();
    assertTrue(p.indexes(7401));
    assertFalse(p.indexes(0));
    assertTrue(p.indexes(peer(1, ipv4(10, 0, 0, 1), 4000, coordinate(0, 0, 0), "")));
    assertFalse(p.indexes(peer(1, ipv4(10, 0, 0, 1), 0, coordinate(0, 0, 0), "")));
  }

  @Test
  void aNodeIsPublicWhenItsPortIsDialableElseReversalOnlyIfItTakesPartElseNotIndexed() {
    LookupPolicy p = LookupPolicy.defaults();
    assertEquals(ReachabilityClass.PUBLIC, p.classOf(7401, true, true));
    assertEquals(ReachabilityClass.PUBLIC, p.classOf(7401, true, false));
    assertEquals(ReachabilityClass.REVERSAL_ONLY, p.classOf(7401, false, true));
    assertEquals(ReachabilityClass.REVERSAL_ONLY, p.classOf(0, true, true));
    assertEquals(ReachabilityClass.NONE, p.classOf(0, true, false));
    assertEquals(ReachabilityClass.NONE, p.classOf(7401, false, false));
    assertTrue(p.indexes(ReachabilityClass.REVERSAL_ONLY));
    assertFalse(p.indexes(ReachabilityClass.NONE));
    assertEquals(7401, p.indexedPort(ReachabilityClass.PUBLIC, 7401));
    assertEquals(0, p.indexedPort(ReachabilityClass.REVERSAL_ONLY, 7401));
  }

  @Test
  void holdersOnlyReversalReachesGoOnlyToAskersThatCanReverse() {
    LookupPolicy p = LookupPolicy.defaults();
    List<Candidate> mixed = new ArrayList<>(candidates(3));
    Candidate natted = new Candidate(peer(50, ipv4(10, 1, 0, 50), 0, coordinate(0, 0, 0), ""), complete(100), T0);
    mixed.add(natted);
    NodeId asker = nodeId(99);
    List<Candidate> reversing = p.answer(asker, ReachabilityClass.PUBLIC, ConnectionPlan.Traversal.REVERSAL, null, "",
        null, mixed, null, 0, new SplittableRandom(1));
    assertEquals(4, reversing.size());
    assertTrue(reversing.contains(natted));
    for (ConnectionPlan.Traversal t : new ConnectionPlan.Traversal[] {ConnectionPlan.Traversal.NONE, ConnectionPlan.Traversal.REVERSAL}) {
      List<Candidate> unreachableAsker = p.answer(asker, ReachabilityClass.REVERSAL_ONLY, t, null, "", null, mixed,
          null, 0, new SplittableRandom(1));
      assertEquals(3, unreachableAsker.size());
      assertFalse(unreachableAsker.contains(natted));
    }
    assertFalse(p.answer(asker, ReachabilityClass.PUBLIC, ConnectionPlan.Traversal.NONE, null, "", null, mixed, null, 0,
        new SplittableRandom(1)).contains(natted), "an asker outside traversal cannot ask for a reversal");
    assertFalse(p.answer(asker, null, "", null, mixed, null, 0, new SplittableRandom(1)).contains(natted),
        "the answer without classes (the simulator's) returns dialable holders only");
  }

  @Test
  void theArrayFormGivesTheListFormsAnswerAndFiltersInPlace() {
    LookupPolicy p = LookupPolicy.defaults();
    List<Candidate> mixed = new ArrayList<>(candidates(12));
    mixed.add(3, new Candidate(peer(50, ipv4(10, 1, 0, 50), 0, coordinate(0, 0, 0), ""), complete(100), T0));
    mixed.add(new Candidate(peer(51, ipv4(10, 1, 0, 51), 0, coordinate(5, 0, 0), ""), complete(100), T0));
    NodeId asker = nodeId(99);
    for (ConnectionPlan.Traversal t : new ConnectionPlan.Traversal[] {ConnectionPlan.Traversal.NONE, ConnectionPlan.Traversal.REVERSAL}) {
      for (long seed = 0; seed < 20; seed++) {
        List<Candidate> listed = p.answer(asker, ReachabilityClass.PUBLIC, t, null, "", coordinate(1, 1, 1), mixed,
            null, 5, new SplittableRandom(seed));
        CandidateList columns = CandidateList.of(mixed);
        int[] order = new int[5];
        int count = p.answer(asker, ReachabilityClass.PUBLIC, t, null, "", coordinate(1, 1, 1), columns, null, 5,
            new SplittableRandom(seed), order);
        List<Candidate> arrayed = new ArrayList<>();
        for (int j = 0; j < count; j++) {
          arrayed.add(columns.candidate(order[j]));
        }
        assertEquals(listed, arrayed, t + ", seed " + seed);
        assertEquals(t.reversal() ? 14 : 12, columns.size(), "the holders the asker cannot reach are removed");
      }
    }
    assertThrows(IllegalArgumentException.class, () -> p.answer(asker, ReachabilityClass.PUBLIC,
        ConnectionPlan.Traversal.NONE, null, "", null, CandidateList.of(mixed), null, 5, new SplittableRandom(1), new int[4]),
        "an order array shorter than the answer");
  }

  @Test
  void wantedBitmapsLargerThanTheLargestTrackDoNotFit() {
    assertTrue(LookupPolicy.wantedFits(Holding.MAX_CHUNKS / 8));
    assertFalse(LookupPolicy.wantedFits(Holding.MAX_CHUNKS / 8 + 1));
  }

  @Test
  void outOfRangeSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> LookupPolicy.of(0, 10, 5));
    assertThrows(IllegalArgumentException.class, () -> LookupPolicy.of(11, 10, 5));
    assertThrows(IllegalArgumentException.class, () -> LookupPolicy.of(1, 1001, 5));
    assertThrows(IllegalArgumentException.class, () -> LookupPolicy.of(1, 10, 0));
  }
}
