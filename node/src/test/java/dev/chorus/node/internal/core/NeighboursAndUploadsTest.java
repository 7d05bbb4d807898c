package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import static dev.chorus.node.internal.core.SwarmCoreTest.contact;
import static dev.chorus.node.internal.core.SwarmCoreTest.peer;
import static dev.chorus.node.internal.core.SwarmCoreTest.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.core.RecordingActions.Answer;
import dev.chorus.node.internal.core.RecordingActions.Connect;
import dev.chorus.node.internal.core.RecordingActions.Disconnect;
import dev.chorus.node.internal.core.RecordingActions.Query;
import dev.chorus.node.internal.core.RecordingActions.Refuse;
import dev.chorus.node.internal.core.RecordingActions.Serve;
import dev.chorus.node.internal.core.RecordingActions.StopServing;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Neighbour limits, upload slots and the overlay search, driven with a fake clock. */
class NeighboursAndUploadsTest {
  static final long S = 1_000_000_000L;
  static final TrackId TRACK = track(1);

  final RecordingActions actions = new RecordingActions();
  final Map<TrackId, BitSet> cache = new HashMap<>();
  long now = 500 * S;

  SwarmCore core(SwarmConfig config) {
    return new SwarmCore(config, actions, SwarmListener.NONE,
        t -> (BitSet) cache.getOrDefault(t, new BitSet()).clone(), new SplittableRandom(7));
  }

  @Test
  void overTheSoftLimitTheLeastUsefulNeighbourIsEvicted() {
    SwarmCore core = core(SwarmConfig.builder().neighbourSoftLimit(2).neighbourHardLimit(3).build());
    core.peerConnected(contact(1), now);
    core.peerConnected(contact(2), now);
    // Peer 1 uploads to us a lot: useful. Peer 2 did little.
    core.requestReceived(peer(2), 1, TRACK, 0, 1, Priority.PLAYBACK, now);
    core.uploadDone(peer(2), 1, 1_000, now);
    core.requestReceived(peer(1), 1, TRACK, 0, 1, Priority.PLAYBACK, now);
    core.uploadDone(peer(1), 1, 1_000_000, now);
    now += S;
    assertTrue(core.peerConnected(contact(3), now));
    assertEquals(List.of(new Disconnect(peer(2), ErrorCode.NONE)), actions.all(Disconnect.class));
    assertEquals(2, core.neighbourCount());
    assertTrue(core.isNeighbour(peer(1)));
    assertTrue(core.isNeighbour(peer(3)));
  }

  @Test
  void busyNeighboursAreNotEvictedAndTheHardLimitRefuses() {
    SwarmCore core = core(SwarmConfig.builder().neighbourSoftLimit(1).neighbourHardLimit(2).build());
    core.peerConnected(contact(1), now);
    core.requestReceived(peer(1), 9, TRACK, 0, 4, Priority.PLAYBACK, now); // being served
    assertTrue(core.peerConnected(contact(2), now));
    core.requestReceived(peer(2), 9, TRACK, 0, 4, Priority.PLAYBACK, now);
    assertTrue(actions.all(Disconnect.class).isEmpty(), "nobody idle to evict");
    assertFalse(core.peerConnected(contact(3), now), "hard limit");
    assertEquals(2, core.neighbourCount());
  }

  @Test
  void atMostFourPeersAreServedAndWaitersGoByPriority() {
    SwarmCore core = core(SwarmConfig.defaults());
    for (int p = 1; p <= 4; p++) {
      core.requestReceived(peer(p), 100 + p, TRACK, 0, 8, Priority.PREFETCH, now);
    }
    assertEquals(4, actions.all(Serve.class).size());
    core.requestReceived(peer(5), 105, TRACK, 0, 8, Priority.BACKGROUND, now);
    core.requestReceived(peer(6), 106, TRACK, 0, 8, Priority.PLAYBACK, now);
    assertEquals(4, actions.all(Serve.class).size());
    assertEquals(4, core.uploadingTo());
    core.uploadDone(peer(1), 101, 8 * 16_384, now);
    assertEquals(new Serve(peer(6), 106, TRACK, 0, 8), actions.all(Serve.class).get(4),
        "the PLAYBACK waiter goes before the BACKGROUND one");
    core.uploadDone(peer(2), 102, 8 * 16_384, now);
    assertEquals(new Serve(peer(5), 105, TRACK, 0, 8), actions.all(Serve.class).get(5));
  }

  @Test
  void aPeerWithASlotHasItsRequestsServedInTurn() {
    SwarmCore core = core(SwarmConfig.builder().uploadSlots(1).build());
    core.requestReceived(peer(1), 1, TRACK, 0, 8, Priority.PLAYBACK, now);
    core.requestReceived(peer(1), 2, TRACK, 8, 8, Priority.PLAYBACK, now);
    core.requestReceived(peer(2), 3, TRACK, 0, 8, Priority.PLAYBACK, now);
    assertEquals(1, actions.all(Serve.class).size());
    core.uploadDone(peer(1), 1, 1, now);
    assertEquals(new Serve(peer(1), 2, TRACK, 8, 8), actions.all(Serve.class).get(1));
    core.uploadDone(peer(1), 2, 1, now);
    assertEquals(new Serve(peer(2), 3, TRACK, 0, 8), actions.all(Serve.class).get(2));
  }

  @Test
  void aFullQueueRefusesTheLowestPriorityWithUploadSlotsFull() {
    SwarmCore core = core(SwarmConfig.builder().uploadSlots(1).uploadQueueLimit(1).build());
    core.requestReceived(peer(1), 1, TRACK, 0, 8, Priority.PLAYBACK, now);
    core.requestReceived(peer(2), 2, TRACK, 0, 8, Priority.BACKGROUND, now);
    core.requestReceived(peer(3), 3, TRACK, 0, 8, Priority.PLAYBACK, now);
    assertEquals(List.of(new Refuse(peer(2), 2, 0, 8, ErrorCode.UPLOAD_SLOTS_FULL)), actions.all(Refuse.class));
    core.requestReceived(peer(4), 4, TRACK, 0, 8, Priority.BACKGROUND, now);
    assertEquals(new Refuse(peer(4), 4, 0, 8, ErrorCode.UPLOAD_SLOTS_FULL), actions.all(Refuse.class).get(1));
  }

  @Test
  void aCancelledUploadStopsAndFreesTheSlot() {
    SwarmCore core = core(SwarmConfig.builder().uploadSlots(1).build());
    core.requestReceived(peer(1), 1, TRACK, 0, 8, Priority.PLAYBACK, now);
    core.requestReceived(peer(2), 2, TRACK, 0, 8, Priority.PLAYBACK, now);
    core.cancelReceived(peer(1), 1, now);
    assertEquals(List.of(new StopServing(peer(1), 1)), actions.all(StopServing.class));
    assertEquals(new Serve(peer(2), 2, TRACK, 0, 8), actions.all(Serve.class).get(1));
  }

  @Test
  void aDisconnectedPeersUploadsAreDropped() {
    SwarmCore core = core(SwarmConfig.builder().uploadSlots(1).build());
    core.peerConnected(contact(1), now);
    core.requestReceived(peer(1), 1, TRACK, 0, 8, Priority.PLAYBACK, now);
    core.requestReceived(peer(2), 2, TRACK, 0, 8, Priority.PLAYBACK, now);
    core.peerDisconnected(peer(1), now);
    assertEquals(new Serve(peer(2), 2, TRACK, 0, 8), actions.all(Serve.class).get(1));
  }

  @Test
  void overlayQueriesAreAnsweredForwardedOnceAndRoutedBack() {
    SwarmCore core = core(SwarmConfig.defaults());
    core.listening(7401);
    BitSet held = new BitSet();
    held.set(0, 10);
    cache.put(TRACK, held);
    core.peerConnected(contact(1), now);
    core.peerConnected(contact(2), now);
    core.peerConnected(contact(3), now);
    core.peerHas(peer(3), TRACK, true, new BitSet(), now);

    core.queryReceived(peer(1), 77, TRACK, 2, now);
    assertEquals(List.of(new Answer(peer(1), 77, true, List.of(peer(3)))), actions.all(Answer.class));
    List<Query> forwarded = actions.all(Query.class);
    assertEquals(2, forwarded.size(), "to every neighbour but the asker");
    forwarded.forEach(q -> assertEquals(1, q.hops()));
    forwarded.forEach(q -> assertFalse(q.peer().equals(peer(1))));

    actions.clear();
    core.queryReceived(peer(2), 77, TRACK, 1, now);
    assertTrue(actions.log.isEmpty(), "a query seen before is dropped");

    core.queryAnswered(peer(2), 77, List.of(PeerHolding.complete(contact(9))), now);
    assertEquals(List.of(new Answer(peer(1), 77, false, List.of(peer(9)))), actions.all(Answer.class),
        "answers go back to the asker");
  }

  @Test
  void aNodeThatAcceptsNoIncomingConnectionsNeverNamesItselfInAnswers() {
    SwarmCore core = core(SwarmConfig.defaults()); // never told a listen port: assumes none
    BitSet held = new BitSet();
    held.set(0, 10);
    cache.put(TRACK, held);
    core.peerConnected(contact(1), now);
    core.queryReceived(peer(1), 77, TRACK, 2, now);
    assertTrue(actions.all(Answer.class).isEmpty(), "nothing to say: only itself holds the track");

    core.listening(0);
    core.peerConnected(contact(3), now);
    core.peerHas(peer(3), TRACK, true, new BitSet(), now);
    core.queryReceived(peer(1), 78, TRACK, 2, now);
    assertEquals(List.of(new Answer(peer(1), 78, false, List.of(peer(3)))), actions.all(Answer.class));
  }

  @Test
  void aNodeTheTrackerFoundUnreachableStopsNamingItselfUntilFoundReachable() {
    SwarmCore core = core(SwarmConfig.defaults());
    core.listening(7401);
    BitSet held = new BitSet();
    held.set(0, 10);
    cache.put(TRACK, held);
    core.peerConnected(contact(1), now);

    core.reachable(false);
    core.queryReceived(peer(1), 77, TRACK, 2, now);
    assertTrue(actions.all(Answer.class).isEmpty(), "behind a NAT its listen port is no use to anyone");

    core.reachable(true);
    core.queryReceived(peer(1), 78, TRACK, 2, now);
    assertEquals(List.of(new Answer(peer(1), 78, true, List.of())), actions.all(Answer.class));
  }

  @Test
  void forwardedAnswersAreCappedLikeOwnOnes() {
    SwarmCore core = core(SwarmConfig.defaults());
    core.peerConnected(contact(1), now);
    core.peerConnected(contact(2), now);
    core.queryReceived(peer(1), 77, TRACK, 2, now);
    List<PeerHolding> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(PeerHolding.complete(contact(100 + i)));
    }
    core.queryAnswered(peer(2), 77, many, now);
    List<Answer> back = actions.all(Answer.class);
    assertEquals(1, back.size());
    assertEquals(SwarmConfig.defaults().overlayMaxAnswers(), back.get(0).holders().size());
  }

  @Test
  void aQueryWithNoHopsLeftIsNotForwarded() {
    SwarmCore core = core(SwarmConfig.defaults());
    core.peerConnected(contact(1), now);
    core.peerConnected(contact(2), now);
    core.queryReceived(peer(1), 5, TRACK, 1, now);
    assertTrue(actions.all(Query.class).isEmpty());
  }

  @Test
  void ownOverlayQueriesFindPeersToConnectTo() {
    SwarmCore core = core(SwarmConfig.defaults());
    core.peerConnected(contact(1), now);
    core.play(TRACK, now);
    List<Query> sent = actions.all(Query.class);
    assertEquals(1, sent.size());
    assertEquals(2, sent.get(0).hops(), "hop limit 2");
    core.queryAnswered(peer(1), sent.get(0).id(), List.of(PeerHolding.complete(contact(8))), now);
    assertEquals(List.of(new Connect(peer(8))), actions.all(Connect.class));
  }
}
