package dev.chorus.simulator.swarm;

import dev.chorus.node.internal.core.SwarmActions;
import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.node.internal.core.SwarmShellContract;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.simulator.network.NetworkModel;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.tracker.index.Candidate;
import java.util.BitSet;
import java.util.List;

/**
 * The simulator's driver under the node's shell contract: three hosts of a real {@link World}
 * (its simulated network, tracker index and caches) — A, a holder of the track (in its cache,
 * announced when it came online) and a listener holding nothing — with A linked to both.
 */
class SimShellContractTest extends SwarmShellContract {
  private static final int A = 0;
  private static final int HOLDER = 1;
  private static final int LISTENER = 2;
  private static final int TRACK = 0;

  @Override
  protected Shell newShell() {
    return new SimShell();
  }

  static final class SimShell implements Shell {
    final World w;
    final SimPeer a;

    SimShell() {
      Scenario small = SwarmSimulationTest.small(5);
      Scenario s = small.toBuilder()
          .peers(3)
          .historyDays(0)
          .network(NetworkModel.Config.builder(3).natShare(0).build())
          .build();
      w = new World(s, 0);
      w.caches.insert(HOLDER, TRACK, (host, t) -> { });
      for (int h = 0; h < 3; h++) {
        w.comeOnline(h, 0);
      }
      a = w.peer(A);
      w.shell.watchedHost = LISTENER;
      w.connect(a, HOLDER);
      w.connect(a, LISTENER);
      SimPeer holder = w.peer(HOLDER);
      w.deliverAfter(0, a, EventCensus.MANIFEST, now -> a.core.layoutKnown(w.layout(TRACK), now));
      runFor(5 * SECOND); // the links are up
      // The holder tells A what it holds, as the node world's holder does with a Have.
      w.sendHave(holder, A, track(), true, new BitSet());
      runFor(SECOND);
    }

    @Override
    public TrackId track() {
      return Ids.track(TRACK);
    }

    @Override
    public int chunkCount() {
      return w.chunkCount(TRACK);
    }

    @Override
    public NodeId holder() {
      return Ids.node(HOLDER);
    }

    @Override
    public NodeId listener() {
      return Ids.node(LISTENER);
    }

    @Override
    public SwarmActions actions() {
      return a;
    }

    @Override
    public SwarmCore core() {
      return a.core;
    }

    @Override
    public void post(CoreEvent event) {
      w.deliverAfter(0, a, EventCensus.MANIFEST, now -> event.run(a.core, now));
    }

    @Override
    public void deliverPending() {
      w.engine.run(w.engine.now(), w);
    }

    @Override
    public int pendingEvents() {
      return w.engine.pending();
    }

    @Override
    public void runFor(long nanos) {
      w.engine.run(w.engine.now() + nanos, w);
    }

    @Override
    public BitSet held() {
      return a.held(track());
    }

    @Override
    public boolean trackerKnows(TrackId track) {
      List<Candidate> c = w.index.candidates(track, w.engine.now() / 1_000_000L).toCompletableFuture().join();
      return c.stream().anyMatch(x -> x.peer().nodeId().equals(a.trackerInfo.nodeId()));
    }

    @Override
    public int havesReceived(NodeId peer, TrackId track) {
      if (!peer.equals(listener())) {
        throw new IllegalArgumentException("only the listener's Haves are counted");
      }
      return (int) w.shell.havesToWatched;
    }

    @Override
    public void hangUp(NodeId peer) {
      w.disconnect(w.peer(Ids.host(peer)), A);
    }
  }
}
