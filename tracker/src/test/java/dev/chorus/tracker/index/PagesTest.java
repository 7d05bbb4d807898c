package dev.chorus.tracker.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The paged arrays against plain arrays, and an index large enough to span several pages. */
class PagesTest {
  @Test
  void pagedArraysHoldWhatPlainArraysHoldAcrossPageBoundaries() {
    SplittableRandom random = new SplittableRandom(5);
    IntPages ints = new IntPages(3);
    LongPages longs = new LongPages(3);
    RefPages<String> refs = new RefPages<>(0);
    int[] intModel = new int[0];
    long[] longModel = new long[0];
    String[] refModel = new String[0];
    int size = 0;
    for (int op = 0; op < 200_000; op++) {
      int kind = random.nextInt(10);
      if ((kind == 0 && random.nextInt(50) == 0) || size == 0) {
        // grow by a few cells, or now and then by up to a page and a half at once
        size += random.nextInt(8) == 0 ? random.nextInt(3 * IntPages.PAGE / 2) : 1 + random.nextInt(100);
        ints.ensureCapacity(size);
        longs.ensureCapacity(size);
        refs.ensureCapacity(size);
        intModel = Arrays.copyOf(intModel, size);
        longModel = Arrays.copyOf(longModel, size);
        refModel = Arrays.copyOf(refModel, size);
        assertTrue(ints.capacity() >= size && longs.capacity() >= size && refs.capacity() >= size);
      } else {
        int i = random.nextInt(size);
        int v = random.nextInt();
        if (kind < 5) {
          ints.set(i, v);
          intModel[i] = v;
          longs.set(i, (long) v << 20);
          longModel[i] = (long) v << 20;
          refs.set(i, Integer.toString(v));
          refModel[i] = Integer.toString(v);
        } else if (kind < 7) {
          assertEquals(intModel[i] += v, ints.add(i, v));
          assertEquals(longModel[i] += v, longs.add(i, v));
        }
        assertEquals(intModel[i], ints.get(i), "int cell " + i + " at op " + op);
        assertEquals(longModel[i], longs.get(i), "long cell " + i + " at op " + op);
        assertEquals(refModel[i], refs.get(i), "ref cell " + i + " at op " + op);
      }
    }
    assertTrue(size > 4 * IntPages.PAGE, "grew to " + size);
    for (int i = 0; i < size; i++) {
      assertEquals(intModel[i], ints.get(i));
      assertEquals(longModel[i], longs.get(i));
      assertEquals(refModel[i], refs.get(i));
    }
    // At most a page spare beyond what was asked for (the first page grows by half below a page).
    assertTrue(ints.capacity() - size < IntPages.PAGE, "capacity " + ints.capacity() + " for " + size);
    long pages = (ints.capacity() + IntPages.PAGE - 1) / IntPages.PAGE;
    assertEquals(IndexCore.refArrayBytes((int) pages) + pages * IndexCore.intArrayBytes(IntPages.PAGE),
        ints.retainedBytes(), "every page whole once past the first");
  }

  @Test
  void aFirstPageGrowsByHalfThenWholePagesAreAdded() {
    IntPages ints = new IntPages(16);
    assertEquals(16, ints.capacity());
    ints.ensureCapacity(17);
    assertEquals(25, ints.capacity());
    ints.ensureCapacity(IntPages.PAGE + 1);
    assertEquals(2 * IntPages.PAGE, ints.capacity());
    IntPages table = new IntPages(1 << 18);
    assertEquals(1 << 18, table.capacity());
    assertEquals(IndexCore.refArrayBytes(16) + 16 * IndexCore.intArrayBytes(IntPages.PAGE), table.retainedBytes());
  }

  /**
   * Tracks, peers and prefixes in slots past the first page, freed and reused: lookups match a
   * model (which peers hold which track; nothing expires and nothing is evicted) and every
   * structural invariant holds, tables and free lists included.
   */
  @Test
  void anIndexOfSeveralPagesMatchesAModel() {
    SplittableRandom random = new SplittableRandom(17);
    int tracks = 2 * IntPages.PAGE + 100;
    int peers = 3 * IntPages.PAGE;
    IndexCore core = new IndexCore(1_000, 3_600_000, 7);
    Map<Integer, Set<Integer>> model = new HashMap<>(); // track -> peers
    Map<Integer, Set<Integer>> held = new HashMap<>(); // peer -> tracks
    long now = 1_000_000_000_000L;
    for (int round = 0; round < 3; round++) {
      for (int p = 0; p < peers; p++) {
        if (held.containsKey(p) && random.nextInt(2) == 0) {
          continue;
        }
        List<Holding> list = new ArrayList<>();
        Set<Integer> mine = new HashSet<>();
        for (int k = 1 + random.nextInt(3); k > 0; k--) {
          int t = random.nextInt(tracks);
          if (mine.add(t)) {
            list.add(IndexTestData.complete(t));
          }
        }
        core.announce(IndexTestData.peer(p), true, list, now);
        for (int t : held.getOrDefault(p, Set.of())) {
          model.get(t).remove(p);
        }
        held.put(p, mine);
        for (int t : mine) {
          model.computeIfAbsent(t, k -> new HashSet<>()).add(p);
        }
      }
      for (int p = 0; p < peers; p++) {
        if (held.containsKey(p) && random.nextInt(3) == 0) {
          core.removePeer(IndexTestData.nodeId(p));
          for (int t : held.remove(p)) {
            model.get(t).remove(p);
          }
        }
      }
      core.checkInvariants();
      long entries = 0;
      for (int t = 0; t < tracks; t++) {
        Set<NodeId> expected = new HashSet<>();
        for (int p : model.getOrDefault(t, Set.of())) {
          expected.add(IndexTestData.nodeId(p));
        }
        entries += expected.size();
        Set<NodeId> found = new HashSet<>();
        for (Candidate c : core.candidates(IndexTestData.track(t), now)) {
          found.add(c.peer().nodeId());
        }
        assertEquals(expected, found, "track " + t + " in round " + round);
      }
      assertEquals(entries, core.entries());
      assertEquals(held.size(), core.peers());
      assertTrue(core.peerSlotHigh() > 2 * IntPages.PAGE && core.trackSlotHigh() > IntPages.PAGE);
    }
  }
}
