package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.testing.Await;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tracker client against a real {@link TrackerServer} on loopback (in-memory index). Progress
 * is awaited through listener events on both sides, never through elapsed time; the timeouts only
 * stop a broken build from hanging.
 */
@ExtendWith(NoLeaks.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrackerClientTest {
  private static final long WAIT_SECONDS = 20;

  private final SecureRandom random = seeded(7);
  private final NoiseKeyPair trackerKey = NoiseKeyPair.generateX25519(random);
  private final List<TrackerClient> clients = new ArrayList<>();
  private final List<PeerIndex> indexes = new ArrayList<>();
  private final CountingTrackerListener trackerEvents = new CountingTrackerListener();
  private EventLoopGroup group;
  private TrackerServer server;

  @BeforeEach
  void setUp() {
    group = new NioEventLoopGroup(2);
  }

  @AfterEach
  void tearDown() throws Exception {
    clients.forEach(TrackerClient::close);
    if (server != null) {
      server.close();
    }
    for (PeerIndex index : indexes) {
      index.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private TrackerServer startTracker(int port) throws InterruptedException {
    PeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
    indexes.add(index);
    TrackerConfig config = TrackerConfig.builder(trackerKey)
        .listenAddress(new InetSocketAddress("127.0.0.1", port))
        .ioThreads(1)
        .shutdownGrace(Duration.ofSeconds(5))
        .build();
    server = TrackerServer.start(config, index, trackerEvents);
    return server;
  }

  private TrackerClient client(NoiseKeyPair key, int listenPort, HoldingsSource source, TrackerClientListener listener,
      UnaryOperator<TrackerClientConfig.Builder> settings) {
    TrackerClientConfig config = settings.apply(TrackerClientConfig.builder(key)
        .tracker(TrackerEndpoint.of(trackerKey.publicKey(), "127.0.0.1", server.address().getPort()))
        .listenPort(listenPort)
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .deltaDelay(Duration.ZERO))
        .build();
    TrackerClient client = TrackerClient.start(config, group, source, listener, new Random(3));
    clients.add(client);
    return client;
  }

  /** A node with an empty cache that accepts no connections: it only asks. */
  private TrackerClient asker() throws InterruptedException {
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient c = client(NoiseKeyPair.generateX25519(random), 0, new TestSource(), events, b -> b);
    events.await("connected");
    return c;
  }

  static TrackId track(int i) {
    byte[] id = new byte[32];
    id[0] = (byte) i;
    id[1] = (byte) (i >> 8);
    id[31] = 0x5a;
    return TrackId.fromBytes(id);
  }

  private static List<TrackerPeerInfo> lookup(TrackerClient asker, TrackId track) throws Exception {
    return asker.lookup(track).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void theWholeCacheIsAnnouncedInPartsOnConnectAndOthersFindIt() throws Exception {
    startTracker(0);
    TestSource cache = new TestSource();
    for (int i = 0; i < 2500; i++) {
      cache.put(Holding.complete(track(i), 300));
    }
    BitSet some = new BitSet();
    some.set(0, 10);
    some.set(40);
    cache.put(Holding.partial(track(3000), 64, some));
    NoiseKeyPair key = NoiseKeyPair.generateX25519(random);
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient holder = client(key, 4001, cache, events, b -> b.maxTracksPerAnnounce(1000));

    assertEquals(2501, events.await("fullAnnounce").value);
    events.await("connected");
    assertTrue(holder.isConnected());
    trackerEvents.awaitAnnounced(2501);
    assertEquals(3, trackerEvents.announces.get(), "2501 tracks at 1000 per message");

    TrackerClient asker = asker();
    for (int i : new int[] {0, 999, 1000, 2499}) {
      List<TrackerPeerInfo> peers = lookup(asker, track(i));
      assertEquals(1, peers.size(), "track " + i);
      TrackerPeerInfo peer = peers.get(0);
      assertEquals(NodeId.ofStaticKey(key.publicKey()), peer.nodeId());
      assertEquals(new InetSocketAddress("127.0.0.1", 4001), peer.address());
      assertTrue(peer.isComplete());
    }
    TrackerPeerInfo partial = lookup(asker, track(3000)).get(0);
    assertFalse(partial.isComplete());
    assertEquals(some, partial.chunks());
    assertEquals(List.of(), lookup(asker, track(2600)), "nobody holds it");
  }

  @Test
  void deltasAfterConnectReachLookups() throws Exception {
    startTracker(0);
    TestSource cache = new TestSource();
    cache.put(Holding.complete(track(1), 100));
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient holder = client(NoiseKeyPair.generateX25519(random), 4002, cache, events, b -> b);
    events.await("connected");
    trackerEvents.awaitAnnounced(1);
    TrackerClient asker = asker();
    assertEquals(List.of(), lookup(asker, track(2)));

    BitSet first = new BitSet();
    first.set(0, 3);
    Holding partial = Holding.partial(track(2), 50, first);
    cache.put(partial);
    holder.announce(partial);
    assertEquals(1, events.await("announce").value);
    trackerEvents.awaitAnnounced(2);
    assertEquals(first, lookup(asker, track(2)).get(0).chunks());

    cache.remove(track(1));
    holder.withdraw(List.of(track(1)));
    assertEquals(1, events.await("withdraw").value);
    trackerEvents.awaitWithdrawn(1);
    assertEquals(List.of(), lookup(asker, track(1)));
    assertEquals(1, lookup(asker, track(2)).size());
  }

  @Test
  void afterATrackerRestartTheClientReconnectsAndAnnouncesEverythingAgain() throws Exception {
    int port = startTracker(0).address().getPort();
    TestSource cache = new TestSource();
    for (int i = 0; i < 10; i++) {
      cache.put(Holding.complete(track(i), 10));
    }
    RecordingClientListener events = new RecordingClientListener();
    client(NoiseKeyPair.generateX25519(random), 4003, cache, events, b -> b);
    events.await("connected");
    RecordingClientListener askerEvents = new RecordingClientListener();
    TrackerClient asker = client(NoiseKeyPair.generateX25519(random), 0, new TestSource(), askerEvents, b -> b);
    askerEvents.await("connected");
    trackerEvents.awaitAnnounced(10);

    server.close();
    assertTrue(events.await("disconnected", ErrorCode.SHUTTING_DOWN).value >= 0, "it will retry");
    askerEvents.await("disconnected", ErrorCode.SHUTTING_DOWN);
    CompletableFuture<List<TrackerPeerInfo>> meanwhile = asker.lookup(track(1));
    assertTrue(meanwhile.isDone(), "fails fast while disconnected");
    trackerEvents.reset();

    startTracker(port); // same port, same key, empty index
    assertEquals(10, events.await("fullAnnounce").value);
    events.await("connected");
    askerEvents.await("connected");
    trackerEvents.awaitAnnounced(10);
    assertEquals(1, lookup(asker, track(7)).size(), "the new tracker learnt the cache from the full announce");
  }

  @Test
  void aTrackerWithoutThePinnedKeyIsRefusedAndRetried() throws Exception {
    startTracker(0);
    byte[] otherKey = NoiseKeyPair.generateX25519(random).publicKey();
    RecordingClientListener events = new RecordingClientListener();
    TrackerClientConfig config = TrackerClientConfig.builder(NoiseKeyPair.generateX25519(random))
        .tracker(TrackerEndpoint.of(otherKey, "127.0.0.1", server.address().getPort()))
        .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .build();
    TrackerClient client = TrackerClient.start(config, group, new TestSource(), events, new Random(1));
    clients.add(client);
    for (int attempt = 0; attempt < 3; attempt++) {
      RecordingClientListener.Event e = events.await("connectFailed");
      assertEquals(ErrorCode.AUTHENTICATION_FAILED, e.code);
      assertTrue(e.value >= 0, "keeps retrying");
    }
    assertFalse(client.isConnected());
    assertEquals(0, trackerEvents.opened.get(), "no session was ever opened on the tracker");
  }

  @Test
  void aSecondInstanceWithTheSameKeyPushesTheFirstAwayForTheMaximumBackoff() throws Exception {
    startTracker(0);
    NoiseKeyPair key = NoiseKeyPair.generateX25519(random);
    RecordingClientListener first = new RecordingClientListener();
    UnaryOperator<TrackerClientConfig.Builder> slow = b -> b.reconnectBackoff(Duration.ofMillis(20), Duration.ofSeconds(60));
    client(key, 4004, new TestSource(), first, slow);
    first.await("connected");
    RecordingClientListener second = new RecordingClientListener();
    client(key, 4004, new TestSource(), second, slow);
    second.await("connected");
    long retry = first.await("disconnected", ErrorCode.DUPLICATE_CONNECTION).value;
    assertTrue(retry >= 30_000 && retry <= 60_000, "retry at the maximum backoff, was " + retry);
  }

  @Test
  void closingSaysGoodbyeAndStopsReconnecting() throws Exception {
    startTracker(0);
    RecordingClientListener events = new RecordingClientListener();
    TrackerClient client = client(NoiseKeyPair.generateX25519(random), 4005, new TestSource(), events, b -> b);
    events.await("connected");
    client.close();
    assertEquals(-1, events.await("disconnected", ErrorCode.NONE).value, "no retry after close");
    assertFalse(client.isConnected());
    trackerEvents.awaitClosed(1);
    ExecutionException e = assertThrows(ExecutionException.class, () -> client.lookup(track(1)).get());
    assertInstanceOf(TrackerException.class, e.getCause());
    client.close(); // idempotent
  }

  /** A cache the test edits; the client reads snapshots of it. */
  static class TestSource implements HoldingsSource {
    private final Map<TrackId, Holding> holdings = new ConcurrentHashMap<>();

    void put(Holding h) {
      holdings.put(h.track(), h);
    }

    void remove(TrackId t) {
      holdings.remove(t);
    }

    @Override
    public Collection<Holding> snapshot() {
      return List.copyOf(holdings.values());
    }
  }

  /** The tracker's side: announced tracks, withdraws and sessions, awaited by count. */
  static final class CountingTrackerListener implements TrackerListener {
    final AtomicLong announces = new AtomicLong();
    final AtomicLong announcedTracks = new AtomicLong();
    final AtomicLong withdrawnTracks = new AtomicLong();
    final AtomicLong opened = new AtomicLong();
    final AtomicLong closed = new AtomicLong();

    void reset() {
      announces.set(0);
      announcedTracks.set(0);
      withdrawnTracks.set(0);
    }

    @Override
    public void connectionOpened() {
      opened.incrementAndGet();
    }

    @Override
    public void connectionClosed(ErrorCode reason, boolean closedByTracker) {
      closed.incrementAndGet();
    }

    @Override
    public void announceHandled(Outcome outcome, int tracks) {
      if (outcome == Outcome.OK) {
        announces.incrementAndGet();
        announcedTracks.addAndGet(tracks);
      }
    }

    @Override
    public void withdrawHandled(Outcome outcome, int tracks) {
      if (outcome == Outcome.OK) {
        withdrawnTracks.addAndGet(tracks);
      }
    }

    void awaitAnnounced(long tracks) throws InterruptedException {
      await(announcedTracks, tracks, "announced tracks");
    }

    void awaitWithdrawn(long tracks) throws InterruptedException {
      await(withdrawnTracks, tracks, "withdrawn tracks");
    }

    void awaitClosed(long sessions) throws InterruptedException {
      await(closed, sessions, "closed sessions");
    }

    private static void await(AtomicLong counter, long atLeast, String what) throws InterruptedException {
      Await.until(() -> counter.get() >= atLeast, Duration.ofSeconds(WAIT_SECONDS), Duration.ofMillis(5),
          () -> what + " stayed at " + counter.get() + ", expected " + atLeast);
    }
  }
}
