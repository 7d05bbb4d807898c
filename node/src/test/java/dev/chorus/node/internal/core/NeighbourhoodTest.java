package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import static dev.chorus.node.internal.core.SwarmCoreTest.contact;
import static dev.chorus.node.internal.core.SwarmCoreTest.peer;
import static dev.chorus.node.internal.core.SwarmCoreTest.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.core.RecordingActions.Connect;
import dev.chorus.protocol.wire.Priority;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The neighbour bookkeeping on its own: bans, dial retries, the hard limit, eviction choice. */
class NeighbourhoodTest {
  static final long S = 1_000_000_000L;

  final RecordingActions actions = new RecordingActions();
  final UploadSlots slots = new UploadSlots(4, 8);
  long now = 500 * S;

  Neighbourhood neighbourhood(SwarmConfig config) {
    return new Neighbourhood(config, new CommandGuard(actions), slots);
  }

  Download downloadWithCandidates(int... peers) {
    Download d = new Download(track(1), Priority.PLAYBACK, new BitSet(), now);
    for (int p : peers) {
      d.candidates.put(peer(p), PeerHolding.complete(contact(p)));
    }
    return d;
  }

  @Test
  void aBanEndsAfterItsDurationAndIsThenForgotten() {
    Neighbourhood n = neighbourhood(SwarmConfig.builder().banDuration(Duration.ofSeconds(10)).build());
    n.ban(peer(1), now);
    assertTrue(n.isBanned(peer(1), now + 10 * S - 1));
    assertFalse(n.isBanned(peer(1), now + 10 * S));
    assertFalse(n.isBanned(peer(2), now));
  }

  @Test
  void aFailedDialIsRetriedOnlyAfterThirtySeconds() {
    Neighbourhood n = neighbourhood(SwarmConfig.builder().connectsPerTrack(1).build());
    Download d = downloadWithCandidates(1);
    n.dialFailed(peer(1), now);
    n.connectToCandidates(d, now + 29 * S);
    assertEquals(List.of(), actions.all(Connect.class));
    n.connectToCandidates(d, now + 30 * S);
    assertEquals(List.of(new Connect(peer(1))), actions.all(Connect.class));
  }

  @Test
  void dialsInProgressCountTowardsTheHardLimit() {
    Neighbourhood n = neighbourhood(SwarmConfig.builder().neighbourSoftLimit(2).neighbourHardLimit(2)
        .connectsPerTrack(5).build());
    n.connectToCandidates(downloadWithCandidates(1, 2, 3), now);
    assertEquals(2, actions.all(Connect.class).size());
  }

  @Test
  void theLeastUsefulNeighbourIsChosenButNeverTheKeptOneOrOneBeingServed() {
    Neighbourhood n = neighbourhood(SwarmConfig.defaults());
    List<Download> none = List.of();
    n.admit(contact(1), none, now).credit(1_000_000, now, 60 * S);
    n.admit(contact(2), none, now).credit(1_000, now, 60 * S);
    n.admit(contact(3), none, now);
    assertSame(n.get(peer(3)), n.leastUseful(null, now));
    assertSame(n.get(peer(2)), n.leastUseful(peer(3), now));
    slots.offer(peer(2), 1, track(1), 0, 1, 3);
    assertSame(n.get(peer(1)), n.leastUseful(peer(3), now));
    n.get(peer(1)).outstandingRequests = 1;
    assertNull(n.leastUseful(peer(3), now));
  }

  @Test
  void mayHoldFollowsWhatNeighboursSayTheyHold() {
    Neighbourhood n = neighbourhood(SwarmConfig.defaults());
    Download d = downloadWithCandidates(1); // peer 1 is said to hold track 1 whole
    Neighbour one = n.admit(contact(1), List.of(d), now);
    Neighbour two = n.admit(contact(2), List.of(), now);
    assertTrue(n.mayHold(track(1)));
    assertFalse(n.mayHold(track(2)));
    BitSet some = new BitSet();
    some.set(3);
    two.setHolding(track(2), false, some);
    two.setHolding(track(2), false, some); // told twice: still one holder
    two.setHolding(track(2), true, new BitSet()); // partial becomes complete: still one
    assertTrue(n.mayHold(track(2)));
    two.forget(track(2), 0, 1); // said complete, then missed: holds nothing of it
    assertFalse(n.mayHold(track(2)));
    two.setHolding(track(1), true, new BitSet());
    n.remove(one.id);
    assertTrue(n.mayHold(track(1)), "two still holds it");
    n.remove(two.id);
    assertFalse(n.mayHold(track(1)));
  }

  @Test
  void holdersInOrderAreTheHoldersInTheNeighboursOrder() {
    Neighbourhood n = neighbourhood(SwarmConfig.builder().neighbourSoftLimit(200).neighbourHardLimit(200).build());
    BitSet some = new BitSet();
    some.set(1);
    for (int round = 0; round < 3; round++) {
      for (int p = 1; p <= 120; p++) {
        if (n.get(peer(p)) == null && (p + round) % 3 != 0) {
          Neighbour x = n.admit(contact(p), List.of(), now);
          if (p % 2 == 0) {
            x.setHolding(track(1), p % 4 == 0, some);
          }
        }
      }
      for (int p = round + 1; p <= 120; p += 5) {
        n.remove(peer(p)); // membership changes between questions: the order must follow
      }
      List<Neighbour> expected = n.all().stream().filter(x -> x.holdsAny(track(1))).toList();
      int k = n.holdersInOrder(track(1));
      List<Neighbour> found = new java.util.ArrayList<>();
      for (int i = 0; i < k; i++) {
        found.add(n.orderedHolder(i));
      }
      assertEquals(expected, found, "round " + round);
      assertEquals(0, n.holdersInOrder(track(2)));
    }
  }

  @Test
  void lookupsByIdFollowAdmitsAndRemovalsWhateverTheIdObject() {
    Neighbourhood n = neighbourhood(SwarmConfig.builder().neighbourSoftLimit(500).neighbourHardLimit(500).build());
    java.util.Map<dev.chorus.protocol.NodeId, Neighbour> reference = new java.util.HashMap<>();
    java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
    for (int step = 0; step < 20_000; step++) {
      int p = 1 + rng.nextInt(step < 10_000 ? 250 : 60); // grows the table, then churns a small set
      // A fresh id object each time: lookups must not depend on being handed the stored object.
      dev.chorus.protocol.NodeId id = dev.chorus.protocol.NodeId.fromBytes(peer(p).bytes());
      if (rng.nextBoolean()) {
        if (!reference.containsKey(id)) {
          reference.put(id, n.admit(contact(p), List.of(), now));
        }
      } else {
        assertSame(reference.remove(id), n.remove(id));
      }
      dev.chorus.protocol.NodeId asked = peer(1 + rng.nextInt(250));
      assertSame(reference.get(asked), n.get(asked), "step " + step);
      assertEquals(reference.containsKey(asked), n.contains(asked));
    }
    assertEquals(reference.size(), n.size());
    assertNull(n.get(null));
  }
}
