package dev.chorus.tracker.index;

import static dev.chorus.tracker.index.IndexTestData.T0;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.ipv6;
import static dev.chorus.tracker.index.IndexTestData.partial;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The index keeps its peers in a slab ({@link PeerSlab}) instead of PeerInfo objects: lookups must
 * still return exactly the peers announced, in the same order, with what ranking and the reply
 * read unchanged; and peers that go must give their slab space back.
 */
class PeerSlabTest {
  private static final long TTL = 30_000;
  private static final String[] REGIONS = {"", "eu-west", "us-east", "a-region-tag-of-32-characters-xx"};

  /**
   * A random peer with key {@code n}: IPv4 or IPv6, port 0 or not, 2 to 8 dimensions (the
   * longer IPv6 ones overflow the slab's stride), height 0 or not, one of a few regions.
   */
  private static PeerInfo randomPeer(int n, Random random) {
    byte[] ip = random.nextInt(4) == 0 ? ipv6("2001:db8:" + Integer.toHexString(n) + "::" + (1 + random.nextInt(9)))
        : ipv4(10, n >>> 8 & 0xff, n & 0xff, 1 + random.nextInt(200));
    int dims = random.nextInt(3) == 0 ? 2 + random.nextInt(7) : 2;
    float[] position = new float[dims];
    for (int i = 0; i < dims; i++) {
      position[i] = (float) (random.nextDouble() * 300 - 150);
    }
    float height = random.nextInt(5) == 0 ? 0f : (float) (random.nextDouble() * 20);
    float error = random.nextInt(5) == 0 ? 0f : (float) random.nextDouble();
    int port = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(65535);
    return IndexTestData.peer(n, ip, port, VivaldiCoordinate.of(position, height, error),
        REGIONS[random.nextInt(REGIONS.length)]);
  }

  /** What the contract says the index holds, kept the simple way: one list per track, oldest first. */
  private static final class Model {
    final int keep;
    final Map<TrackId, List<Object[]>> tracks = new HashMap<>(); // {NodeId, Holding, Long seconds}
    final Map<NodeId, PeerInfo> info = new HashMap<>();

    Model(int keep) {
      this.keep = keep;
    }

    void announce(PeerInfo peer, boolean full, List<Holding> holdings, long now) {
      info.put(peer.nodeId(), peer);
      long sec = now / 1000;
      if (full) {
        Set<TrackId> listed = new HashSet<>();
        for (Holding h : holdings) {
          listed.add(h.track());
        }
        for (var e : tracks.entrySet()) {
          if (!listed.contains(e.getKey())) {
            e.getValue().removeIf(x -> x[0].equals(peer.nodeId()));
          }
        }
      }
      for (Holding h : holdings) {
        List<Object[]> list = tracks.computeIfAbsent(h.track(), k -> new ArrayList<>());
        boolean had = list.removeIf(x -> x[0].equals(peer.nodeId()));
        if (!had && list.size() == keep) {
          if (sec < (long) list.get(0)[2]) {
            continue; // full of newer entries
          }
          list.remove(0);
        }
        int pos = list.size();
        while (pos > 0 && (long) list.get(pos - 1)[2] > sec) {
          pos--;
        }
        list.add(pos, new Object[] {peer.nodeId(), h, sec});
      }
      tracks.values().removeIf(List::isEmpty);
    }

    void withdraw(NodeId peer, List<TrackId> ts) {
      for (TrackId t : ts) {
        List<Object[]> list = tracks.get(t);
        if (list != null) {
          list.removeIf(x -> x[0].equals(peer));
        }
      }
      tracks.values().removeIf(List::isEmpty);
    }

    void removePeer(NodeId peer) {
      for (List<Object[]> list : tracks.values()) {
        list.removeIf(x -> x[0].equals(peer));
      }
      tracks.values().removeIf(List::isEmpty);
    }

    void expire(long now) {
      for (List<Object[]> list : tracks.values()) {
        list.removeIf(x -> now - (long) x[2] * 1000 >= TTL);
      }
      tracks.values().removeIf(List::isEmpty);
    }

    List<Candidate> candidates(TrackId t, long now) {
      List<Candidate> out = new ArrayList<>();
      List<Object[]> list = tracks.getOrDefault(t, List.of());
      for (int i = list.size() - 1; i >= 0; i--) {
        long seen = (long) list.get(i)[2] * 1000;
        if (now - seen >= TTL) {
          break;
        }
        out.add(new Candidate(info.get((NodeId) list.get(i)[0]), (Holding) list.get(i)[1], seen));
      }
      return out;
    }
  }

  @Test
  void lookupsReturnThePeersAnnouncedInTheModelsOrderWithWhatRankingReadsUnchanged() throws IOException {
    Random random = new Random(7);
    int keep = 5;
    IndexCore core = new IndexCore(keep, TTL, 3);
    Model model = new Model(keep);
    VivaldiCoordinate asker = VivaldiCoordinate.of(new float[] {3f, -40f, 7f}, 2.5f, 0.1f);
    long now = T0;
    int lookups = 0;
    for (int op = 0; op < 6000; op++) {
      now += random.nextInt(10) == 0 ? -random.nextInt(4000) : random.nextInt(2500);
      int n = random.nextInt(80);
      int r = random.nextInt(100);
      if (r < 45) {
        List<Holding> holdings = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int k = random.nextInt(r < 8 ? 30 : 4); k > 0; k--) {
          int t = random.nextInt(60);
          if (seen.add(t)) {
            holdings.add(random.nextInt(4) == 0 ? partial(t, random.nextInt(300)) : complete(t));
          }
        }
        PeerInfo p = randomPeer(n, random);
        core.announce(p, r < 8, holdings, now);
        model.announce(p, r < 8, holdings, now);
      } else if (r < 55) {
        List<TrackId> ts = new ArrayList<>();
        for (int k = random.nextInt(6); k > 0; k--) {
          ts.add(track(random.nextInt(60)));
        }
        NodeId id = IndexTestData.peer(n).nodeId();
        core.withdraw(id, ts);
        model.withdraw(id, ts);
      } else if (r < 60) {
        NodeId id = IndexTestData.peer(n).nodeId();
        core.removePeer(id);
        model.removePeer(id);
      } else if (r < 63) {
        core.expire(now);
        model.expire(now);
      } else {
        TrackId t = track(random.nextInt(60));
        List<Candidate> expected = model.candidates(t, now);
        assertEquals(expected, core.candidates(t, now), "op " + op);
        CandidateList list = new CandidateList(2);
        core.candidatesInto(t, now, list);
        assertEquals(expected.size(), list.size());
        for (int i = 0; i < list.size(); i++) {
          assertReadsTheSame(expected.get(i).peer(), list, i, asker);
        }
        lookups += expected.isEmpty() ? 0 : 1;
      }
      if (op % 16 == 0) {
        core.checkInvariants();
      }
    }
    assertTrue(lookups > 1000, "lookups that found peers: " + lookups);
    core.checkInvariants();
  }

  /** What ranking, the traversal rule and the reply encoder read of candidate {@code i}, against the PeerInfo's own. */
  private static void assertReadsTheSame(PeerInfo expected, CandidateList list, int i, VivaldiCoordinate asker)
      throws IOException {
    assertEquals(expected.port(), list.port(i));
    assertEquals(expected.nodeIdHead(), list.nodeIdHead(i));
    assertTrue(list.hasNodeId(i, expected.nodeId()));
    assertEquals(expected.packedPrefix(), list.packedPrefix(i));
    assertEquals(expected.region(), list.region(i));
    assertEquals(expected.regionHash(), list.region(i).hashCode());
    // Bit for bit: ranking buckets this, so an ulp could move a peer to another bucket.
    assertEquals(Double.doubleToRawLongBits(expected.predictedRttMillisFrom(asker)),
        Double.doubleToRawLongBits(list.predictedRttMillisFrom(i, asker)));
    assertEquals(Double.doubleToRawLongBits(asker.predictedRttMillis(expected.coordinate())),
        Double.doubleToRawLongBits(list.predictedRttMillisFrom(i, asker)));
    assertEquals(expected.trackerPeerFieldsSize(), list.trackerPeerFieldsSize(i));
    assertArrayEquals(fields(expected), fields(list, i));
    byte[] copied = new byte[expected.trackerPeerFieldsSize() + 3];
    assertEquals(expected.trackerPeerFieldsSize(), list.copyTrackerPeerFields(i, copied, 3));
    assertArrayEquals(fields(expected), Arrays.copyOfRange(copied, 3, copied.length));
    PeerInfo made = list.peer(i);
    assertEquals(expected, made);
    assertEquals(expected.nodeId(), made.nodeId());
    assertEquals(expected.nodeIdHash(), made.nodeIdHash());
    assertEquals(expected.coordinate(), made.coordinate());
    assertEquals(Double.doubleToRawLongBits(expected.predictedRttMillisFrom(asker)),
        Double.doubleToRawLongBits(made.predictedRttMillisFrom(asker)));
  }

  private static byte[] fields(PeerInfo p) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    p.writeTrackerPeerFields(out);
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] fields(CandidateList list, int i) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    list.writeTrackerPeerFields(i, out);
    out.flush();
    return bytes.toByteArray();
  }

  @Test
  void aPeerThatLeavesGivesItsSlotOverflowAndRegionBack() {
    IndexCore core = new IndexCore(100, TTL, 3); // room for all: nothing is evicted
    Random random = new Random(11);
    long slabAfterFirstRound = -1;
    for (int round = 0; round < 30; round++) {
      long now = T0 + round * 2 * TTL;
      for (int n = 0; n < 300; n++) {
        core.announce(randomPeer(round * 1000 + n, random), true, List.of(complete(n % 40), complete(n % 7 + 40)), now);
      }
      assertTrue(core.slab().regionCount() > 0);
      assertTrue(core.slab().overflowBytes() > 0, "some peers overflow the stride");
      // Half leave, the rest expire: both free the peers' slots.
      for (int n = 0; n < 150; n++) {
        core.removePeer(IndexTestData.peer(round * 1000 + n).nodeId());
      }
      assertEquals(150 * 2, core.expire(now + TTL));
      assertEquals(0, core.peers());
      assertEquals(0, core.slab().regionCount(), "no region outlives its last peer");
      assertEquals(0, core.slab().overflowBytes(), "no overflow layout outlives its peer");
      core.checkInvariants();
      if (round == 0) {
        slabAfterFirstRound = core.slab().retainedBytes();
      }
      assertEquals(slabAfterFirstRound, core.slab().retainedBytes(), "round " + round + ": slots reused, nothing added");
    }
    assertTrue(core.peerSlotHigh() <= 300, "peer slots " + core.peerSlotHigh());
  }

  @Test
  void aReannouncedPeerIsRewrittenInPlace() {
    IndexCore core = new IndexCore(20, TTL, 3);
    PeerInfo first = IndexTestData.peer(5, ipv4(10, 0, 0, 5), 4000, IndexTestData.coordinate(1, 2, 3), "eu-west");
    PeerInfo longer = IndexTestData.peer(5, ipv6("2001:db8::5"), 0,
        VivaldiCoordinate.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 9f, 0.5f), "us-east");
    core.announce(first, true, List.of(complete(1)), T0);
    assertEquals(first, core.candidates(track(1), T0).get(0).peer());
    core.announce(longer, false, List.of(complete(2)), T0);
    assertEquals(longer, core.candidates(track(1), T0).get(0).peer(), "one peer, one info: the latest");
    assertTrue(core.slab().overflowBytes() > 0);
    assertEquals(1, core.slab().regionCount(), "eu-west went with the rewrite");
    core.announce(first, false, List.of(complete(3)), T0);
    assertEquals(first, core.candidates(track(2), T0).get(0).peer());
    assertEquals(0, core.slab().overflowBytes());
    assertEquals(1, core.peerSlotHigh());
    core.checkInvariants();
  }

  @Test
  void regionsAreSharedByThePeersThatNameThem() {
    IndexCore core = new IndexCore(20, TTL, 3);
    for (int n = 0; n < 10; n++) {
      String region = new String("eu-west".toCharArray()); // a String of its own, as each connection has
      core.announce(IndexTestData.peer(n, ipv4(10, 0, 0, n), 4000, IndexTestData.coordinate(n, 0, 0), region),
          true, List.of(complete(1)), T0);
    }
    assertEquals(1, core.slab().regionCount());
    CandidateList list = new CandidateList();
    core.candidatesInto(track(1), T0, list);
    for (int i = 1; i < list.size(); i++) {
      assertSame(list.region(0), list.region(i));
    }
  }

  @Test
  void aClearedListHoldsNoPeer() {
    CandidateList list = new CandidateList(1);
    list.add(IndexTestData.peer(1), complete(1), T0);
    list.add(IndexTestData.peer(2), complete(1), T0);
    list.clear();
    assertEquals(0, list.size());
    list.add(IndexTestData.peer(3), complete(1), T0);
    assertEquals(IndexTestData.peer(3), list.peer(0));
    list.truncate(0);
    assertEquals(0, list.size());
  }
}
