package dev.chorus.node;

import com.google.protobuf.ByteString;
import dev.chorus.node.ShellFakes.FakeLink;
import dev.chorus.node.ShellFakes.FakeOrigin;
import dev.chorus.node.ShellFakes.FakePeers;
import dev.chorus.node.ShellFakes.FakeTracker;
import dev.chorus.node.ShellFakes.QueueExecutor;
import dev.chorus.node.ShellFakes.Track;
import dev.chorus.node.internal.core.SwarmActions;
import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.node.internal.core.SwarmListener;
import dev.chorus.node.internal.core.SwarmShellContract;
import dev.chorus.node.internal.core.TrackLayout;
import dev.chorus.node.internal.store.ChunkStoreConfig;
import dev.chorus.node.internal.store.ChunkStoreListener;
import dev.chorus.node.internal.store.InMemoryChunkStore;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Have;
import dev.chorus.protocol.wire.PeerMessage;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;

/**
 * The node's runtime under the shared shell contract: the real shell classes (CoreLoop,
 * SwarmCommands, PeerEvents, ReceivedChunks with its verifiers, an in-memory store) around a real
 * core, with scripted fakes for the peer network, tracker and origin, and the core's thread
 * replaced by a queue that {@link Shell#runFor} drains as it moves the injected clock.
 */
class NodeShellContractTest extends SwarmShellContract {
  private final List<World> worlds = new ArrayList<>();

  @Override
  protected Shell newShell() {
    World w = new World();
    worlds.add(w);
    return w;
  }

  @AfterEach
  void closeWorlds() {
    for (World w : worlds) {
      w.io.shutdownNow();
      w.received.close();
      w.store.close();
    }
  }

  static final class World implements Shell {
    static final long STEP = 50_000_000L;
    final QueueExecutor loopThread = new QueueExecutor();
    long now = 1_000 * SECOND;
    long lastTick = now;
    final CoreLoop loop = new CoreLoop(loopThread, () -> now);
    final InMemoryChunkStore store = InMemoryChunkStore.create(
        ChunkStoreConfig.builder().capacityBytes(100_000_000).build(), ChunkStoreListener.NO_OP);
    final NodeStatsRecorder stats = new NodeStatsRecorder();
    final ReceivedChunks received = new ReceivedChunks(store, loop, stats, List.of(), "contract");
    final FakePeers peers = new FakePeers();
    final FakeTracker tracker = new FakeTracker();
    final FakeOrigin origin = new FakeOrigin();
    final ExecutorService io = Executors.newSingleThreadExecutor();
    final Writability writability = new Writability();
    final byte[] selfKey = NodeShellTest.key(99);
    final SwarmCommands commands = new SwarmCommands(loop, peers, tracker, origin, store, received, io,
        stats, NodeListener.NONE, selfKey, writability);
    final PeerEvents events = new PeerEvents(loop, received, writability, NodeId.ofStaticKey(selfKey));
    final Track track = Track.of(3, 40 * 16_384);
    final FakeLink holder = peers.add(new FakeLink(5, 7005));
    final FakeLink listener = peers.add(new FakeLink(6, 7006));
    /** How many of the holder's received messages it has answered. */
    int answered;
    int readsAnswered;
    int lookupsAnswered;
    SwarmCore core;

    World() {
      loop.start(() -> {
        core = new SwarmCore(SwarmConfig.defaults(), commands, SwarmListener.NONE, received::held,
            new SplittableRandom(11));
        core.listening(7401);
        return core;
      });
      origin.manifests.put(track.id(), CompletableFuture.completedFuture(track.manifest()));
      received.manifestKnown(track.manifest());
      store.putManifest(track.manifest());
      TrackLayout layout = TrackLayout.of(track.manifest());
      loop.post(c -> c.layoutKnown(layout, now));
      events.connected(holder);
      events.connected(listener);
      events.message(holder, PeerMessage.newBuilder().setHave(Have.newBuilder()
          .setTrackId(ByteString.copyFrom(track.id().bytes())).setChunks(ChunkSets.complete())).build());
      loopThread.runAll();
    }

    @Override
    public TrackId track() {
      return track.id();
    }

    @Override
    public int chunkCount() {
      return track.manifest().chunkCount();
    }

    @Override
    public NodeId holder() {
      return holder.nodeId();
    }

    @Override
    public NodeId listener() {
      return listener.nodeId();
    }

    @Override
    public SwarmActions actions() {
      return commands;
    }

    @Override
    public SwarmCore core() {
      return core;
    }

    @Override
    public void post(CoreEvent event) {
      loop.post(c -> event.run(c, now));
    }

    @Override
    public void deliverPending() {
      loopThread.runAll();
    }

    @Override
    public int pendingEvents() {
      return loopThread.pending();
    }

    @Override
    public void runFor(long nanos) {
      long end = now + nanos;
      while (now < end) {
        boolean progress = true;
        while (progress) {
          progress = loopThread.runAll() > 0;
          progress |= answerHolderRequests();
          progress |= answerOrigin();
          progress |= answerLookups();
          try {
            received.quiesce();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
          progress |= loopThread.pending() > 0;
        }
        now += STEP;
        if (now - lastTick >= SECOND) {
          lastTick = now;
          loop.post(c -> c.tick(now));
        }
      }
    }

    /**
     * The holder sends every chunk it was asked for — also when a cancel followed or after it hung
     * up, as a real peer may have the data on the wire already: dropping it is the shell's job.
     */
    private boolean answerHolderRequests() {
      List<PeerMessage> sent = holder.sent;
      boolean any = false;
      while (answered < sent.size()) {
        PeerMessage m = sent.get(answered++);
        if (m.getBodyCase() != PeerMessage.BodyCase.CHUNK_REQUEST) {
          continue;
        }
        ChunkRequest r = m.getChunkRequest();
        for (int i = r.getFirstIndex(); i < r.getFirstIndex() + r.getCount(); i++) {
          events.message(holder, PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder()
              .setRequestId(r.getRequestId()).setIndex(i).setData(ByteString.copyFrom(track.chunk(i)))).build());
        }
        any = true;
      }
      return any;
    }

    private boolean answerOrigin() {
      boolean any = false;
      while (readsAnswered < origin.reads.size()) {
        FakeOrigin.CdnRead read = origin.reads.get(readsAnswered++);
        read.result().complete(track.chunks(read.first(), read.count()));
        any = true;
      }
      return any;
    }

    private boolean answerLookups() {
      boolean any = false;
      while (lookupsAnswered < tracker.lookups.size()) {
        tracker.lookups.get(lookupsAnswered++).complete(List.of()); // the holder is a neighbour already
        any = true;
      }
      return any;
    }

    @Override
    public BitSet held() {
      BitSet held = new BitSet();
      for (int i = 0; i < chunkCount(); i++) {
        if (received.read(track.id(), i) != null) {
          held.set(i);
        }
      }
      return held;
    }

    @Override
    public boolean trackerKnows(TrackId id) {
      return tracker.announced.stream().anyMatch(h -> h.track().equals(id));
    }

    @Override
    public int havesReceived(NodeId peer, TrackId id) {
      FakeLink link = peer.equals(holder.nodeId()) ? holder : listener;
      ByteString want = ByteString.copyFrom(id.bytes());
      return (int) link.sent(PeerMessage.BodyCase.HAVE).stream()
          .filter(m -> m.getHave().getTrackId().equals(want)).count();
    }

    @Override
    public void hangUp(NodeId peer) {
      FakeLink link = peer.equals(holder.nodeId()) ? holder : listener;
      link.open = false;
      events.disconnected(link, ErrorCode.NONE);
    }
  }
}
