package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.node.internal.trackerclient.TrackerClientTest.TestSource;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Error;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.testing.process.FreePorts;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tracker client against a {@link ScriptedTracker}: the exact messages on the wire, and the
 * failures a real tracker cannot be made to produce on cue (silence, errors, a drop mid-lookup).
 */
@ExtendWith(NoLeaks.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrackerClientScriptedTest {
  private static final long WAIT_SECONDS = 20;

  private final SecureRandom random = new SecureRandom();
  private final List<TrackerClient> clients = new ArrayList<>();
  private EventLoopGroup group;
  private ScriptedTracker tracker;

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(1); // one loop: a task submitted to the group runs on the client's loop
    tracker = new ScriptedTracker(random);
  }

  @AfterEach
  void tearDown() throws Exception {
    clients.forEach(TrackerClient::close);
    tracker.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private TrackerClient client(HoldingsSource source, RecordingClientListener events,
      UnaryOperator<TrackerClientConfig.Builder> settings) {
    TrackerClientConfig config = settings.apply(TrackerClientConfig.builder(NoiseKeyPair.generateX25519(random))
        .tracker(tracker.endpoint())
        .listenPort(4100)
        .region("eu-west")
        .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)))
        .build();
    TrackerClient client = TrackerClient.start(config, group, source, events, new Random(5));
    clients.add(client);
    return client;
  }

  private static TrackId track(int i) {
    return TrackerClientTest.track(i);
  }

  private static TrackerException failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, TimeUnit.SECONDS));
    return assertInstanceOf(TrackerException.class, e.getCause());
  }

  /** Connects a client with {@code source}; returns once the tracker has its full announce. */
  private TrackerClient connected(HoldingsSource source, RecordingClientListener events,
      UnaryOperator<TrackerClientConfig.Builder> settings) throws Exception {
    TrackerClient client = client(source, events, settings);
    tracker.await(TrackerMessage::hasHello);
    events.await("connected");
    return client;
  }

  @Test
  void aNewListenPortIsSaidInANewHelloAfterAGoodbyeAndTheCacheIsAnnouncedAgain() throws Exception {
    TestSource cache = new TestSource();
    cache.put(Holding.complete(track(1), 10));
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient client = connected(cache, events, b -> b);
    tracker.await(TrackerMessage::hasAnnounce);

    client.listenPort(40_123); // a port mapping was made
    TrackerMessage goodbye = tracker.await(TrackerMessage::hasGoodbye);
    assertEquals(ErrorCode.NONE, goodbye.getGoodbye().getReason());
    assertEquals(40_123, tracker.await(TrackerMessage::hasHello).getHello().getListenPort());
    assertTrue(tracker.await(TrackerMessage::hasAnnounce).getAnnounce().getFull());

    client.listenPort(40_123); // the same port again: nothing to say
    client.listenPort(4100); // the mapping was lost: back to the peer port
    assertEquals(4100, tracker.await(TrackerMessage::hasHello).getHello().getListenPort());
  }

  @Test
  void theFullAnnounceIsSplitWithMoreOnAllButTheLastPartAndCarriesCoordinateAndRegion() throws Exception {
    VivaldiCoordinate here = VivaldiCoordinate.of(new float[] {12.5f, -3f}, 4f, 0.4f);
    TestSource cache = new TestSource() {
      @Override
      public VivaldiCoordinate coordinate() {
        return here;
      }
    };
    for (int i = 0; i < 2500; i++) {
      cache.put(Holding.complete(track(i), 300));
    }
    RecordingClientListener events = new RecordingClientListener();
    client(cache, events, b -> b.maxTracksPerAnnounce(1000));
    TrackerMessage hello = tracker.await(TrackerMessage::hasHello);
    assertEquals(4100, hello.getHello().getListenPort());
    assertEquals(here.toWire(), hello.getHello().getCoordinate());

    List<Integer> sizes = new ArrayList<>();
    List<Boolean> more = new ArrayList<>();
    java.util.Set<ByteString> ids = new java.util.HashSet<>();
    while (true) {
      Announce a = tracker.next().getAnnounce();
      assertTrue(a.getFull());
      assertEquals(here.toWire(), a.getCoordinate());
      assertEquals("eu-west", a.getRegion());
      sizes.add(a.getTracksCount());
      more.add(a.getMore());
      a.getTracksList().forEach(t -> ids.add(t.getTrackId()));
      if (!a.getMore()) {
        break;
      }
    }
    assertEquals(List.of(1000, 1000, 500), sizes);
    assertEquals(List.of(true, true, false), more);
    assertEquals(2500, ids.size());
  }

  @Test
  void bigBitmapsSplitTheAnnounceByBytesToo() throws Exception {
    TestSource cache = new TestSource();
    BitSet almostAll = new BitSet();
    almostAll.set(1, Holding.MAX_CHUNKS); // 16 KiB of bitmap per track
    for (int i = 0; i < 40; i++) {
      cache.put(Holding.partial(track(i), Holding.MAX_CHUNKS, almostAll));
    }
    client(cache, new RecordingClientListener(), b -> b);
    int tracks = 0;
    int messages = 0;
    while (true) {
      TrackerMessage m = tracker.await(TrackerMessage::hasAnnounce);
      assertTrue(m.getSerializedSize() <= TrackerClient.MAX_ANNOUNCE_BYTES + 1024, "size " + m.getSerializedSize());
      tracks += m.getAnnounce().getTracksCount();
      messages++;
      if (!m.getAnnounce().getMore()) {
        break;
      }
    }
    assertEquals(40, tracks);
    assertTrue(messages >= 3, messages + " messages for 640 KiB of bitmaps");
  }

  @Test
  void anEmptyCacheIsOneEmptyFullAnnounce() throws Exception {
    connected(new TestSource(), new RecordingClientListener(), b -> b);
    Announce a = tracker.await(TrackerMessage::hasAnnounce).getAnnounce();
    assertTrue(a.getFull());
    assertFalse(a.getMore());
    assertEquals(0, a.getTracksCount());
  }

  @Test
  void deltasAreCoalescedPerTrackAndCloseSaysGoodbye() throws Exception {
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient client = connected(new TestSource(), events, b -> b.deltaDelay(Duration.ofMillis(50)));
    tracker.await(TrackerMessage::hasAnnounce);
    BitSet some = new BitSet();
    some.set(1);
    Holding partial = Holding.partial(track(9), 16, some);
    // All in one event-loop task (the group has one loop), so all land in the same delta window.
    group.submit(() -> {
      client.announce(Holding.complete(track(9), 16), Holding.complete(track(10), 5));
      client.withdraw(List.of(track(9), track(11)));
      client.announce(partial);
    }).sync();

    TrackerMessage first = tracker.next();
    assertTrue(first.hasWithdraw(), "withdraws go first: " + first);
    assertEquals(List.of(ByteString.copyFrom(track(11).bytes())), first.getWithdraw().getTrackIdsList());
    Announce delta = tracker.next().getAnnounce();
    assertFalse(delta.getFull());
    assertEquals(2, delta.getTracksCount());
    assertEquals(ByteString.copyFrom(track(10).bytes()), delta.getTracks(0).getTrackId());
    assertEquals(ByteString.copyFrom(track(9).bytes()), delta.getTracks(1).getTrackId());
    assertEquals(ByteString.copyFrom(new byte[] {2}), delta.getTracks(1).getChunks().getBitmap());
    assertEquals(16, delta.getTracks(1).getChunkCount());

    client.close();
    TrackerMessage last = tracker.next();
    assertTrue(last.hasGoodbye(), "then nothing but the goodbye: " + last);
    assertEquals(ErrorCode.NONE, last.getGoodbye().getReason());
    assertEquals(-1, events.await("disconnected").value, "closed: no reconnect");
  }

  @Test
  void lookupsAreAnsweredAndRefusalsCarryTheTrackersCode() throws Exception {
    TrackerClient client = connected(new TestSource(), new RecordingClientListener(), b -> b);
    BitSet wanted = new BitSet();
    wanted.set(3);
    CompletableFuture<List<TrackerPeerInfo>> answered = client.lookup(track(1), wanted, 7);
    Lookup lookup = tracker.await(TrackerMessage::hasLookup).getLookup();
    assertEquals(ByteString.copyFrom(track(1).bytes()), lookup.getTrackId());
    assertEquals(7, lookup.getMaxPeers());
    assertEquals(ByteString.copyFrom(new byte[] {8}), lookup.getWanted().getBitmap());
    byte[] peerKey = NoiseKeyPair.generateX25519(random).publicKey();
    TrackerPeer good = TrackerPeer.newBuilder()
        .setNodeId(ByteString.copyFrom(dev.chorus.protocol.NodeId.ofStaticKey(peerKey).bytes()))
        .setStaticKey(ByteString.copyFrom(peerKey))
        .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(new byte[] {10, 0, 0, 7})).setPort(4001))
        .setChunks(ChunkSet.newBuilder().setComplete(true))
        .build();
    TrackerPeer badPort = good.toBuilder().setAddress(good.getAddress().toBuilder().setPort(65_536)).build();
    TrackerPeer wrongId = good.toBuilder().setNodeId(ByteString.copyFrom(new byte[32])).build();
    byte[] nattedKey = NoiseKeyPair.generateX25519(random).publicKey();
    TrackerPeer natted = good.toBuilder().setStaticKey(ByteString.copyFrom(nattedKey))
        .setNodeId(ByteString.copyFrom(dev.chorus.protocol.NodeId.ofStaticKey(nattedKey).bytes()))
        .setAddress(good.getAddress().toBuilder().setPort(0)).build();
    tracker.send(TrackerMessage.newBuilder().setLookupResult(LookupResult.newBuilder()
        .setLookupId(lookup.getLookupId()).addPeers(badPort).addPeers(good).addPeers(wrongId).addPeers(natted)).build());
    List<TrackerPeerInfo> peers = answered.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(2, peers.size(), "unusable entries are dropped");
    assertEquals(4001, peers.get(0).address().getPort());
    assertEquals(0, peers.get(1).address().getPort(), "port 0: reached by reversal, kept");

    CompletableFuture<List<TrackerPeerInfo>> refused = client.lookup(track(2));
    long id = tracker.await(TrackerMessage::hasLookup).getLookup().getLookupId();
    tracker.send(TrackerMessage.newBuilder().setError(Error.newBuilder()
        .setCode(ErrorCode.RATE_LIMITED).setLookupId(id).setDetail("slow down")).build());
    TrackerException e = failure(refused);
    assertEquals(TrackerException.Reason.REFUSED, e.reason());
    assertEquals(ErrorCode.RATE_LIMITED, e.code());
    assertTrue(client.isConnected(), "a refused lookup keeps the connection");
  }

  @Test
  void aLookupWithoutAnswerTimesOut() throws Exception {
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient client = connected(new TestSource(), events, b -> b.lookupTimeout(Duration.ofMillis(100)));
    CompletableFuture<List<TrackerPeerInfo>> silent = client.lookup(track(1));
    tracker.await(TrackerMessage::hasLookup); // received, never answered
    TrackerException e = failure(silent);
    assertEquals(TrackerException.Reason.TIMEOUT, e.reason());
    events.await("lookupFailed TIMEOUT");
    assertTrue(client.isConnected());
  }

  @Test
  void pendingLookupsFailWhenTheConnectionEndsAndTheClientComesBack() throws Exception {
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient client = connected(new TestSource(), events, b -> b.lookupTimeout(Duration.ofMinutes(5)));
    tracker.awaitConnection();
    CompletableFuture<List<TrackerPeerInfo>> a = client.lookup(track(1));
    CompletableFuture<List<TrackerPeerInfo>> b = client.lookup(track(2));
    tracker.await(TrackerMessage::hasLookup);
    tracker.await(TrackerMessage::hasLookup);
    tracker.goodbye(ErrorCode.SHUTTING_DOWN);
    for (CompletableFuture<?> f : List.of(a, b)) {
      TrackerException e = failure(f);
      assertEquals(TrackerException.Reason.DISCONNECTED, e.reason());
      assertEquals(ErrorCode.SHUTTING_DOWN, e.code());
    }
    assertTrue(events.await("disconnected", ErrorCode.SHUTTING_DOWN).value >= 0);
    tracker.awaitConnection(); // reconnects after the backoff
    assertTrue(tracker.await(TrackerMessage::hasAnnounce).getAnnounce().getFull(), "full announce again");
  }

  @Test
  void aLookupWhileDisconnectedFailsAtOnce() throws Exception {
    int closedPort = FreePorts.loopback();
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient client = client(new TestSource(), events,
        b -> b.tracker(TrackerEndpoint.of(tracker.key.publicKey(), "127.0.0.1", closedPort)));
    assertEquals(ErrorCode.NONE, events.await("connectFailed").code, "TCP refused: no protocol code");
    CompletableFuture<List<TrackerPeerInfo>> f = client.lookup(track(1));
    assertTrue(f.isDone(), "no waiting for a connection");
    TrackerException e = failure(f);
    assertEquals(TrackerException.Reason.NOT_CONNECTED, e.reason());
    assertTrue(e.getMessage().contains("not connected"), e.getMessage());
  }

  @Test
  void aTrackerThatSendsTheNodeAwayIsRetriedOnlyAfterTheMaximumBackoff() throws Exception {
    RecordingClientListener events = new RecordingClientListener();
    connected(new TestSource(), events, b -> b.reconnectBackoff(Duration.ofMillis(10), Duration.ofSeconds(60)));
    tracker.goodbye(ErrorCode.BANNED);
    long retry = events.await("disconnected", ErrorCode.BANNED).value;
    assertTrue(retry >= 30_000 && retry <= 60_000, "retry at the maximum backoff, was " + retry);
  }

  @Test
  void aRefusedAnnounceLeadsToAFullReannounce() throws Exception {
    RecordingClientListener events = new RecordingClientListener();
    TestSource cache = new TestSource();
    cache.put(Holding.complete(track(1), 1));
    // The resync waits for the maximum backoff, here 50 ms.
    TrackerClient client = connected(cache, events, b -> b.reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(50)));
    tracker.await(TrackerMessage::hasAnnounce);
    client.announce(Holding.complete(track(2), 1));
    tracker.await(m -> m.hasAnnounce() && !m.getAnnounce().getFull());
    tracker.send(TrackerMessage.newBuilder().setError(Error.newBuilder().setCode(ErrorCode.RATE_LIMITED)).build());
    events.await("refused", ErrorCode.RATE_LIMITED);
    Announce again = tracker.await(TrackerMessage::hasAnnounce).getAnnounce();
    assertTrue(again.getFull());
    assertEquals(1, again.getTracksCount());
  }

  @Test
  void theSourceIsReadAgainOnEveryConnect() throws Exception {
    List<Integer> sizes = new ArrayList<>();
    TestSource cache = new TestSource() {
      @Override
      public Collection<Holding> snapshot() {
        Collection<Holding> s = super.snapshot();
        synchronized (sizes) {
          sizes.add(s.size());
        }
        return s;
      }
    };
    RecordingClientListener events = new RecordingClientListener();
    connected(cache, events, b -> b);
    tracker.awaitConnection();
    cache.put(Holding.complete(track(5), 3));
    tracker.goodbye(ErrorCode.IDLE_TIMEOUT);
    events.await("disconnected", ErrorCode.IDLE_TIMEOUT);
    tracker.awaitConnection();
    Announce full = tracker.await(m -> m.hasAnnounce() && m.getAnnounce().getTracksCount() == 1).getAnnounce();
    assertTrue(full.getFull());
    synchronized (sizes) {
      assertEquals(List.of(0, 1), sizes);
    }
  }
}
