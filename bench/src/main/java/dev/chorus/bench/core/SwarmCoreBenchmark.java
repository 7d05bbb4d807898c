package dev.chorus.bench.core;

import dev.chorus.node.SwarmConfig;
import dev.chorus.node.internal.core.HeldChunks;
import dev.chorus.node.internal.core.PeerContact;
import dev.chorus.node.internal.core.PeerHolding;
import dev.chorus.node.internal.core.SwarmActions;
import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.node.internal.core.SwarmListener;
import dev.chorus.node.internal.core.TrackLayout;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The swarm core's hot operations, as the simulator drives them a million times a second: one
 * core with {@link #NEIGHBOURS} neighbours, each holding {@code tracksPerNeighbour} tracks of its
 * own, five of them also holding a popular track and ten the track being played.
 *
 * <ul>
 *   <li>{@code queryHeld}: an overlay query at its last hop (answer, no forwarding: most of the
 *       2,550 deliveries of a two-hop flood) about the popular track;
 *   <li>{@code queryAbsent}: the same about a track no neighbour holds;
 *   <li>{@code queryForwarded}: a first-hop query about the popular track, answered and forwarded
 *       to the other 49 neighbours;
 *   <li>{@code schedule}: a neighbour's have for a track it already announced, which leaves the
 *       holdings alone and runs the scheduler over the playing download (every event does).
 * </ul>
 *
 * <p>The actions are no-ops that feed a blackhole; each query has a fresh id and time moves on by
 * a millisecond per query, so the core's query memory stays at its steady-state size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SwarmCoreBenchmark {
  static final int NEIGHBOURS = 50;

  @Param({"10", "1000"})
  public int tracksPerNeighbour;

  private SwarmCore core;
  private NodeId[] peers;
  private TrackId popular;
  private TrackId absent;
  private TrackId ownTrack;
  private long queryId;
  private long now;
  private Blackhole sink;

  @Setup
  public void setUp(Blackhole blackhole) {
    sink = blackhole;
    SplittableRandom random = new SplittableRandom(7);
    core = new SwarmCore(SwarmConfig.defaults(), new Sink(), new SwarmListener() {}, t -> new BitSet(),
        new SplittableRandom(11));
    core.listening(4000);
    popular = track(random);
    absent = track(random);
    TrackId playing = track(random);
    now = 1_000_000_000_000L;
    core.play(playing, now);
    core.layoutKnown(TrackLayout.of(playing, 600L * 16384, 16384, 30_000_000_000L), now);
    peers = new NodeId[NEIGHBOURS];
    BitSet none = new BitSet();
    for (int i = 0; i < NEIGHBOURS; i++) {
      byte[] key = new byte[32];
      random.nextBytes(key);
      PeerContact contact = new PeerContact(NodeId.fromBytes(key), key, new byte[] {10, 0, (byte) (i >> 8), (byte) i},
          4000 + i, VivaldiCoordinate.ORIGIN);
      peers[i] = contact.id();
      if (!core.peerConnected(contact, now)) {
        throw new IllegalStateException("neighbour " + i + " refused: raise the hard limit");
      }
      for (int t = 0; t < tracksPerNeighbour; t++) {
        TrackId own = track(random);
        if (t == 0) {
          ownTrack = own;
        }
        core.peerHas(peers[i], own, true, none, now);
      }
      if (i % 10 == 3) {
        core.peerHas(peers[i], popular, true, none, now);
      }
      if (i % 5 == 1) {
        core.peerHas(peers[i], playing, true, none, now);
      }
    }
    if (core.neighbourCount() != NEIGHBOURS) {
      throw new IllegalStateException(core.neighbourCount() + " neighbours, expected " + NEIGHBOURS);
    }
  }

  private static TrackId track(SplittableRandom random) {
    byte[] b = new byte[TrackId.BYTES];
    random.nextBytes(b);
    return TrackId.fromBytes(b);
  }

  @Benchmark
  public void queryHeld() {
    now += 1_000_000;
    core.queryReceived(peers[(int) (queryId % NEIGHBOURS)], ++queryId, popular, 1, now);
  }

  @Benchmark
  public void queryAbsent() {
    now += 1_000_000;
    core.queryReceived(peers[(int) (queryId % NEIGHBOURS)], ++queryId, absent, 1, now);
  }

  @Benchmark
  public void queryForwarded() {
    now += 1_000_000;
    core.queryReceived(peers[(int) (queryId % NEIGHBOURS)], ++queryId, popular, 2, now);
  }

  @Benchmark
  public void schedule() {
    core.peerHas(peers[0], ownTrack, true, EMPTY, now);
  }

  private static final BitSet EMPTY = new BitSet();

  /** Actions that go nowhere, so that only the core's own work is measured. */
  private final class Sink implements SwarmActions {
    @Override public void fetchManifest(TrackId trackId) {}
    @Override public void lookup(TrackId trackId, int maxPeers) {}
    @Override public void connect(PeerContact contact) {}
    @Override public void disconnect(NodeId peer, ErrorCode reason) {}
    @Override public void ban(NodeId peer, ErrorCode reason) {}
    @Override public void requestChunks(NodeId peer, long requestId, TrackId trackId, int first, int count, Priority priority) {
      sink.consume(requestId);
    }
    @Override public void cancelRequest(NodeId peer, long requestId) {}
    @Override public void fetchFromCdn(long fetchId, TrackId trackId, int first, int count) {
      sink.consume(fetchId);
    }
    @Override public void cancelCdn(long fetchId) {}
    @Override public void serveChunks(NodeId peer, long requestId, TrackId trackId, int first, int count) {}
    @Override public void stopServing(NodeId peer, long requestId) {}
    @Override public void refuseRequest(NodeId peer, long requestId, int first, int count, ErrorCode reason) {}
    @Override public void sendQuery(NodeId peer, long queryId, TrackId trackId, int hopsLeft) {
      sink.consume(peer);
    }
    @Override public void answerQuery(NodeId peer, long queryId, TrackId trackId, boolean includeSelf, List<PeerHolding> holders) {
      sink.consume(holders);
    }
    @Override public void announce(List<TrackId> trackIds) {}
    @Override public void withdraw(List<TrackId> trackIds) {}
    @Override public void sendHave(NodeId peer, TrackId trackId) {}
  }
}
