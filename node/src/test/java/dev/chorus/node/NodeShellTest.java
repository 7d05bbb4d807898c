package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.node.ShellFakes.FakeLink;
import dev.chorus.node.ShellFakes.FakeOrigin;
import dev.chorus.node.ShellFakes.FakePeers;
import dev.chorus.node.ShellFakes.FakeTracker;
import dev.chorus.node.ShellFakes.QueueExecutor;
import dev.chorus.node.ShellFakes.Track;
import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.node.internal.core.SwarmListener;
import dev.chorus.node.internal.core.PeerContact;
import dev.chorus.node.internal.store.ChunkStoreConfig;
import dev.chorus.node.internal.store.ChunkStoreListener;
import dev.chorus.node.internal.store.InMemoryChunkStore;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.Priority;
import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.node.internal.core.PeerHolding;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's shell around a real {@link SwarmCore}, with the peer network, tracker and origin
 * replaced by scripted fakes and the core's thread by a queue the test runs: the shell side of the
 * {@code SwarmActions} contract. Every outcome of a command comes back as a later event (it waits
 * in the queue); a chunk acquired is announced and told to neighbours; a cancelled request or CDN
 * read delivers nothing afterwards; a disconnect cancels what was outstanding with that peer.
 */
class NodeShellTest {
  static final long S = 1_000_000_000L;

  final QueueExecutor loopThread = new QueueExecutor();
  long now = 1_000 * S;
  final CoreLoop loop = new CoreLoop(loopThread, () -> now);
  final InMemoryChunkStore store = InMemoryChunkStore.create(
      ChunkStoreConfig.builder().capacityBytes(100_000_000).build(), ChunkStoreListener.NO_OP);
  final NodeStatsRecorder stats = new NodeStatsRecorder();
  /** When set, a verifier writing chunk 0 says so and waits for it: verification "in progress". */
  volatile CountDownLatch verifying;
  volatile CountDownLatch finishVerifying;
  final ChunkStore gatedStore = (ChunkStore) Proxy.newProxyInstance(ChunkStore.class.getClassLoader(),
      new Class<?>[] {ChunkStore.class}, (proxy, method, args) -> {
        if (method.getName().equals("putChunk") && verifying != null && args[1].equals(0)) {
          verifying.countDown();
          finishVerifying.await();
        }
        try {
          return method.invoke(store, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });
  final ReceivedChunks received = new ReceivedChunks(gatedStore, loop, stats, List.of(), "test");
  final FakePeers peers = new FakePeers();
  final FakeTracker tracker = new FakeTracker();
  final FakeOrigin origin = new FakeOrigin();
  final ExecutorService io = Executors.newSingleThreadExecutor();
  final Writability writability = new Writability();
  final byte[] selfKey = key(99);
  final SwarmCommands commands = new SwarmCommands(loop, peers, tracker, origin, store, received, io,
      stats, NodeListener.NONE, selfKey, writability);
  final PeerEvents events = new PeerEvents(loop, received, writability, NodeId.ofStaticKey(selfKey));
  final Track track = Track.of(1, 40 * 16_384);
  SwarmCore core;

  @BeforeEach
  void startCore() {
    loop.start(() -> {
      core = new SwarmCore(SwarmConfig.defaults(), commands, SwarmListener.NONE, received::held,
          new SplittableRandom(7));
      core.listening(7401);
      return core;
    });
    loopThread.runAll();
  }

  @AfterEach
  void stop() {
    io.shutdownNow();
    received.close();
    store.close();
  }

  static byte[] key(int n) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) n);
    return k;
  }

  // ---- every outcome is a later event --------------------------------------------------------

  @Test
  void aRequestThatCannotBeSentComesBackAsALaterChunkMissing() {
    FakeLink gone = new FakeLink(5, 7000); // not connected
    commands.requestChunks(gone.nodeId(), 1, track.id(), 0, 4, Priority.PLAYBACK);
    assertEquals(1, loopThread.pending(), "reported through the loop, not from inside the call");
  }

  @Test
  void aCdnReadWithoutAManifestComesBackAsALaterFailure() {
    commands.fetchFromCdn(3, track.id(), 0, 4);
    assertEquals(1, loopThread.pending());
    assertTrue(origin.reads.isEmpty());
  }

  @Test
  void lookupsConnectsAndManifestsAnswerOnLaterTurnsOfTheLoop() {
    commands.lookup(track.id(), 10);
    commands.connect(new PeerContact(new FakeLink(6, 7000).nodeId(), key(6), new byte[] {127, 0, 0, 1}, 7006,
        VivaldiCoordinate.ORIGIN));
    assertEquals(1, loopThread.pending(), "the failed dial, queued");
    tracker.lookups.get(0).completeExceptionally(new java.io.IOException("tracker gone"));
    assertEquals(2, loopThread.pending());
    commands.fetchManifest(track.id());
    origin.manifests.get(track.id()).complete(track.manifest());
    assertEquals(3, loopThread.pending());
    assertEquals(3, loopThread.runAll());
  }

  // ---- holdings ------------------------------------------------------------------------------

  @Test
  void aChunkAcquiredIsAnnouncedToTheTrackerAndToldToNeighboursAsHave() {
    FakeLink neighbour = peers.add(new FakeLink(5, 7005));
    events.connected(neighbour);
    loop.post(c -> c.play(track.id(), now));
    loopThread.runAll();
    origin.manifests.get(track.id()).complete(track.manifest());
    loopThread.runAll();
    assertFalse(origin.reads.isEmpty(), "the first window is read from the CDN");
    ShellFakes.FakeOrigin.CdnRead read = origin.reads.get(0);
    read.result().complete(track.chunks(read.first(), read.count()));
    loopThread.runAll();
    assertTrue(tracker.announced.isEmpty(), "announced at the next flush, not per chunk");

    now += S;
    loop.post(c -> c.tick(now));
    loopThread.runAll();
    Holding announced = tracker.announced.stream().filter(h -> h.track().equals(track.id())).findFirst()
        .orElseThrow(() -> new AssertionError("no announce of the track: " + tracker.announced));
    assertEquals(read.count(), announced.chunks().cardinality());
    List<PeerMessage> haves = neighbour.sent(PeerMessage.BodyCase.HAVE);
    assertEquals(1, haves.size());
    assertEquals(ByteString.copyFrom(track.id().bytes()), haves.get(0).getHave().getTrackId());
    assertEquals(read.count(), ChunkSets.bits(haves.get(0).getHave().getChunks()).cardinality());
  }

  // ---- cancellation --------------------------------------------------------------------------

  @Test
  void aRequestsDataIsVerifiedStoredAndReportedAsALaterEvent() throws Exception {
    FakeLink holder = peers.add(new FakeLink(5, 7005));
    received.manifestKnown(track.manifest());
    loopThread.runAll();
    commands.requestChunks(holder.nodeId(), 10, track.id(), 0, 1, Priority.PLAYBACK);
    events.message(holder, chunkData(10, 0));
    received.quiesce();
    assertTrue(received.read(track.id(), 0) != null);
    assertEquals(1, loopThread.pending(), "chunkArrived, queued for the core");
  }

  @Test
  void aCancelledPeerRequestDeliversNothingAfterwards() throws Exception {
    FakeLink holder = peers.add(new FakeLink(5, 7005));
    received.manifestKnown(track.manifest());
    loopThread.runAll();
    commands.requestChunks(holder.nodeId(), 11, track.id(), 0, 2, Priority.PLAYBACK);
    assertEquals(1, holder.sent(PeerMessage.BodyCase.CHUNK_REQUEST).size());
    commands.cancelRequest(holder.nodeId(), 11);
    assertEquals(1, holder.sent(PeerMessage.BodyCase.CANCEL).size());

    events.message(holder, chunkData(11, 0));
    received.quiesce();
    assertEquals(0, loopThread.pending());
    assertTrue(received.read(track.id(), 0) == null, "data for a cancelled request is dropped");
  }

  @Test
  void aCancelledCdnReadDeliversNothingAfterwards() {
    received.manifestKnown(track.manifest());
    loopThread.runAll();
    commands.fetchFromCdn(21, track.id(), 0, 3);
    commands.cancelCdn(21);
    ShellFakes.FakeOrigin.CdnRead read = origin.reads.get(0);
    read.result().complete(track.chunks(0, 3)); // too late: cancelled
    assertEquals(0, loopThread.pending());
  }

  @Test
  void aDisconnectCancelsWhatWasOutstandingWithThatPeer() throws Exception {
    FakeLink holder = peers.add(new FakeLink(5, 7005));
    received.manifestKnown(track.manifest());
    commands.requestChunks(holder.nodeId(), 31, track.id(), 4, 2, Priority.PLAYBACK);
    events.disconnected(holder, ErrorCode.NONE);
    events.message(holder, chunkData(31, 4));
    received.quiesce();
    assertTrue(received.read(track.id(), 4) == null, "in-flight data of a departed peer is dropped");
  }

  @Test
  void onlyThePeerAskedCanAnswerARequest() throws Exception {
    FakeLink asked = peers.add(new FakeLink(5, 7005));
    FakeLink other = peers.add(new FakeLink(6, 7006));
    received.manifestKnown(track.manifest());
    commands.requestChunks(asked.nodeId(), 41, track.id(), 0, 1, Priority.PLAYBACK);
    events.message(other, chunkData(41, 0));
    received.quiesce();
    assertTrue(received.read(track.id(), 0) == null);
  }

  // ---- bans ----------------------------------------------------------------------------------

  @Test
  void aPeerThatHangsUpBeforeItsBadChunkIsVerifiedIsBannedAllTheSame() throws Exception {
    FakeLink liar = peers.add(new FakeLink(5, 7005));
    events.connected(liar);
    received.manifestKnown(track.manifest());
    loopThread.runAll();
    assertTrue(core.isNeighbour(liar.nodeId()));
    commands.requestChunks(liar.nodeId(), 51, track.id(), 0, 2, Priority.PLAYBACK);

    verifying = new CountDownLatch(1);
    finishVerifying = new CountDownLatch(1);
    events.message(liar, corruptChunkData(51, 0));
    events.message(liar, chunkData(51, 1)); // good, but queued behind the bad one
    assertTrue(verifying.await(30, TimeUnit.SECONDS), "hang guard: chunk 0 reaches its verifier");
    // It hangs up while chunk 0 is being verified, and the core hears of that first.
    liar.open = false;
    events.disconnected(liar, ErrorCode.NONE);
    loopThread.runAll();
    assertFalse(core.isNeighbour(liar.nodeId()));
    assertTrue(peers.banned.isEmpty());

    finishVerifying.countDown();
    received.quiesce();
    loopThread.runAll();
    assertEquals(List.of(liar.nodeId()), peers.banned, "PeerConnections.ban with the peer that left");
    assertTrue(core.isBanned(liar.nodeId(), now));
    assertEquals(1, stats.snapshot(0).peersBanned());
    assertTrue(received.read(track.id(), 1) == null, "its data still in flight is dropped");
    assertTrue(received.isCondemned(liar.nodeId()), "still condemned after it left");

    // The network lets it back only once the ban has ended: then it is pardoned.
    liar.open = true;
    events.connected(liar);
    assertFalse(received.isCondemned(liar.nodeId()));
  }

  @Test
  void theShellNeverDialsABannedPeer() {
    FakeLink liar = peers.add(new FakeLink(5, 7005));
    events.connected(liar);
    loopThread.runAll();
    loop.post(c -> c.play(track.id(), now));
    loopThread.runAll();
    events.disconnected(liar, ErrorCode.NONE);
    loop.post(c -> c.badChunk(liar.nodeId(), 1, 0, now));
    loopThread.runAll();
    assertEquals(List.of(liar.nodeId()), peers.banned);
    PeerContact contact = new PeerContact(liar.nodeId(), liar.identity().staticKey(), new byte[] {127, 0, 0, 1}, 7005,
        VivaldiCoordinate.ORIGIN);
    loop.post(c -> c.peersFound(track.id(), List.of(PeerHolding.complete(contact)), now));
    loopThread.runAll();
    assertTrue(peers.dialled.isEmpty(), "a banned holder named by the tracker is not dialled");
    now += 10 * 60 * S; // the default ban has ended
    loop.post(c -> c.peersFound(track.id(), List.of(PeerHolding.complete(contact)), now));
    loopThread.runAll();
    assertEquals(List.of(new InetSocketAddress("127.0.0.1", 7005)), peers.dialled);
  }

  private PeerMessage corruptChunkData(long requestId, int index) {
    return PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(requestId).setIndex(index)
        .setData(ByteString.copyFrom(new byte[track.chunk(index).length]))).build();
  }

  private PeerMessage chunkData(long requestId, int index) {
    return PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(requestId).setIndex(index)
        .setData(ByteString.copyFrom(track.chunk(index)))).build();
  }
}
