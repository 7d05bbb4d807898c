package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.testing.Await;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real tracker on loopback, real Noise connections from scripted nodes. Each test client binds a
 * different 127.0.0.x address where IP-level limits matter, so one test's bans cannot touch another.
 */
@ExtendWith(NoLeaks.class)
class TrackerServerTest {
  /** The tracker's transport: the default, NIO; {@link TrackerServerEpollTest} runs it all on epoll. */
  Transport transport() {
    return Transport.NIO;
  }

  private final SecureRandom random = seeded(42);
  private final List<TestNode> nodes = new ArrayList<>();
  private EventLoopGroup clients;
  private PeerIndex index;
  private TrackerServer server;
  private final RecordingListener listener = new RecordingListener();

  @BeforeEach
  void setUp() {
    clients = new NioEventLoopGroup(2);
    index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
  }

  @AfterEach
  void tearDown() throws Exception {
    nodes.forEach(TestNode::close);
    if (server != null) {
      server.close();
    }
    index.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private void start(UnaryOperator<TrackerConfig.Builder> settings) throws Exception {
    TrackerConfig config = settings.apply(TrackerConfig.builder(NoiseKeyPair.generateX25519(random))
        .listenAddress(new InetSocketAddress("127.0.0.1", 0)).ioThreads(2).transport(transport())).build();
    server = TrackerServer.start(config, index, listener, System::nanoTime, System::currentTimeMillis, 7);
  }

  private TestNode node(String localIp, int listenPort) throws Exception {
    TestNode n = TestNode.connect(clients, server.address(), server.publicKey(),
        NoiseKeyPair.generateX25519(random), localIp, listenPort);
    n.awaitReady();
    nodes.add(n);
    return n;
  }

  private static byte[] track(int i) {
    byte[] id = new byte[32];
    id[0] = (byte) i;
    id[31] = (byte) (i >> 8);
    return id;
  }

  private LookupResult lookup(TestNode asker, long id, byte[] track) throws Exception {
    asker.send(TestNode.lookup(id, track, 10));
    return asker.await(m -> m.hasLookupResult() && m.getLookupResult().getLookupId() == id).getLookupResult();
  }

  /** Announces, then waits until a lookup from {@code probe} sees {@code expected} peers. */
  private LookupResult announceAndSettle(TestNode probe, byte[] track, int expected) throws Exception {
    for (int attempt = 0; attempt < 200; attempt++) {
      LookupResult r = lookup(probe, 1000 + attempt, track);
      if (r.getPeersCount() == expected) {
        return r;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("tracker never showed " + expected + " peers");
  }

  @Test
  void lookupReturnsAnnouncersAtTheirObservedAddressAndAuthenticatedIdentity() throws Exception {
    start(b -> b);
    TestNode a = node("127.0.0.1", 4001);
    TestNode b = node("127.0.0.1", 4002);
    TestNode asker = node("127.0.0.1", 0);
    a.send(TestNode.announce(true, track(1), track(2)));
    b.send(TestNode.announce(true, track(1)));

    LookupResult result = announceAndSettle(asker, track(1), 2);
    List<NodeId> ids = new ArrayList<>();
    for (var p : result.getPeersList()) {
      ids.add(NodeId.fromBytes(p.getNodeId().toByteArray()));
      assertEquals(NodeId.ofStaticKey(p.getStaticKey().toByteArray()), ids.get(ids.size() - 1),
          "node id is the hash of the key the handshake authenticated");
      assertArrayEquals(new byte[] {127, 0, 0, 1}, p.getAddress().getIp().toByteArray());
      assertTrue(p.getChunks().getComplete());
    }
    assertTrue(ids.contains(NodeId.ofStaticKey(a.key.publicKey())));
    assertTrue(ids.contains(NodeId.ofStaticKey(b.key.publicKey())));
    assertEquals(List.of(4001, 4002), result.getPeersList().stream().map(p -> p.getAddress().getPort()).sorted().toList());

    assertEquals(1, announceAndSettle(asker, track(2), 1).getPeersCount());
    assertEquals(0, lookup(asker, 5, track(3)).getPeersCount(), "nobody has track 3");
  }

  @Test
  void lookupsReadTogetherAreAnsweredInOneRecord() throws Exception {
    start(b -> b);
    TestNode asker = node("127.0.0.1", 0); // no traversal capability: after its Hello the tracker sends nothing unasked
    long before = asker.recordsReceived();
    List<TrackerMessage> lookups = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      lookups.add(TestNode.lookup(100 + i, track(i), 10));
    }
    asker.sendTogether(lookups);
    for (int i = 0; i < 8; i++) {
      long id = 100 + i;
      asker.await(m -> m.hasLookupResult() && m.getLookupResult().getLookupId() == id);
    }
    // One read held the eight lookups; the answers are flushed once, at the end of the read, and
    // the secure channel seals them into one record.
    assertEquals(1, asker.recordsReceived() - before);
  }

  @Test
  void nodesThatAcceptNoConnectionsAreNotHandedOut() throws Exception {
    start(b -> b);
    TestNode unreachable = node("127.0.0.1", 0);
    TestNode reachable = node("127.0.0.1", 4001);
    unreachable.send(TestNode.announce(true, track(1)));
    reachable.send(TestNode.announce(true, track(1)));
    TestNode asker = node("127.0.0.1", 0);
    LookupResult result = announceAndSettle(asker, track(1), 1);
    assertEquals(4001, result.getPeers(0).getAddress().getPort());
    listener.awaitCount("announce:OK", 2);
  }

  @Test
  void theAskerIsLeftOut() throws Exception {
    start(b -> b);
    TestNode a = node("127.0.0.1", 4001);
    a.send(TestNode.announce(true, track(1)));
    TestNode probe = node("127.0.0.1", 0);
    announceAndSettle(probe, track(1), 1);
    assertEquals(0, lookup(a, 1, track(1)).getPeersCount());
  }

  @Test
  void aClosedConnectionTakesItsEntriesAlong() throws Exception {
    start(b -> b);
    TestNode a = node("127.0.0.1", 4001);
    TestNode asker = node("127.0.0.1", 0);
    a.send(TestNode.announce(true, track(1)));
    announceAndSettle(asker, track(1), 1);
    a.close();
    announceAndSettle(asker, track(1), 0);
  }

  @Test
  void aNewerConnectionWithTheSameIdentityReplacesTheOlder() throws Exception {
    start(b -> b);
    NoiseKeyPair key = NoiseKeyPair.generateX25519(random);
    TestNode first = TestNode.connect(clients, server.address(), server.publicKey(), key, "127.0.0.1", 4001);
    nodes.add(first);
    first.awaitReady();
    first.send(TestNode.announce(true, track(1)));
    TestNode asker = node("127.0.0.1", 0);
    announceAndSettle(asker, track(1), 1);

    TestNode second = TestNode.connect(clients, server.address(), server.publicKey(), key, "127.0.0.1", 4001);
    nodes.add(second);
    second.awaitReady();
    assertEquals(ErrorCode.DUPLICATE_CONNECTION, first.awaitGoodbye().getGoodbye().getReason());
    second.send(TestNode.announce(true, track(1)));
    assertEquals(1, announceAndSettle(asker, track(1), 1).getPeersCount(), "the old connection's close kept the new entries");
  }

  @Test
  void malformedFrameGetsAGoodbyeAndOthersAreStillServed() throws Exception {
    start(b -> b);
    TestNode good = node("127.0.0.1", 4001);
    good.send(TestNode.announce(true, track(1)));
    TestNode bad = node("127.0.0.3", 0);
    bad.sendRawFrameBytes(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
    assertEquals(ErrorCode.MALFORMED_MESSAGE, bad.awaitGoodbye().getGoodbye().getReason());
    assertFalse(bad.awaitClosed().isLocal());
    assertEquals(1, announceAndSettle(node("127.0.0.1", 0), track(1), 1).getPeersCount());
  }

  @Test
  void oversizedFrameHeaderGetsFrameTooLarge() throws Exception {
    start(b -> b);
    TestNode bad = node("127.0.0.4", 0);
    bad.sendRawFrameBytes(Unpooled.wrappedBuffer(new byte[] {0x7f, 0, 0, 0, 1, 2, 3}));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, bad.awaitGoodbye().getGoodbye().getReason());
  }

  @Test
  void oversizedAnnounceGetsLimitExceeded() throws Exception {
    start(b -> b.maxTracksPerAnnounce(10));
    TestNode bad = node("127.0.0.5", 0);
    byte[][] tracks = new byte[11][];
    for (int i = 0; i < tracks.length; i++) {
      tracks[i] = track(i);
    }
    bad.send(TestNode.announce(true, tracks));
    assertEquals(ErrorCode.LIMIT_EXCEEDED, bad.awaitGoodbye().getGoodbye().getReason());
    assertEquals(1, listener.count("announce:INVALID"));
  }

  @Test
  void badTrackIdGetsBadRequest() throws Exception {
    start(b -> b);
    TestNode bad = node("127.0.0.6", 0);
    bad.send(TestNode.lookup(1, new byte[5], 10));
    assertEquals(ErrorCode.BAD_REQUEST, bad.awaitGoodbye().getGoodbye().getReason());
  }

  @Test
  void lookupFloodIsRateLimitedThenDisconnected() throws Exception {
    start(b -> b.lookupRate(1, 5).rateLimitedBeforeDisconnect(20));
    TestNode flooder = node("127.0.0.7", 0);
    for (int i = 0; i < 40; i++) {
      flooder.send(TestNode.lookup(i, track(1), 10));
    }
    TrackerMessage error = flooder.await(TrackerMessage::hasError);
    assertEquals(ErrorCode.RATE_LIMITED, error.getError().getCode());
    assertEquals(ErrorCode.RATE_LIMITED, flooder.awaitGoodbye().getGoodbye().getReason());
    assertTrue(listener.count("rejected:RATE_LIMITED") >= 20);
    TestNode polite = node("127.0.0.8", 0);
    assertEquals(0, lookup(polite, 1, track(1)).getPeersCount(), "others are still served");
  }

  @Test
  void connectionsPerIpAreCapped() throws Exception {
    start(b -> b.maxConnectionsPerIp(2));
    node("127.0.0.9", 0);
    node("127.0.0.9", 0);
    TestNode third = node("127.0.0.9", 0);
    assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, third.awaitGoodbye().getGoodbye().getReason());
    TestNode elsewhere = node("127.0.0.10", 0);
    assertEquals(0, lookup(elsewhere, 1, track(1)).getPeersCount());
  }

  @Test
  void unauthenticatedGarbageGetsTheAddressBannedAndOthersAreStillServed() throws Exception {
    start(b -> b.violationsBeforeBan(3));
    InetSocketAddress at = server.address();
    for (int i = 0; i < 3; i++) {
      try (Socket raw = new Socket()) {
        raw.bind(new InetSocketAddress("127.0.0.11", 0));
        raw.connect(at);
        OutputStream out = raw.getOutputStream();
        out.write(new byte[] {0, 4, 'J', 'U', 'N', 'K'});
        out.flush();
        // the server fails the handshake and closes; read until it does
        raw.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestNode.WAIT_SECONDS));
        while (raw.getInputStream().read() >= 0) {
          // drain
        }
      }
    }
    listener.awaitCount("banned", 1);
    TestNode banned = node("127.0.0.11", 0);
    assertEquals(ErrorCode.BANNED, banned.awaitGoodbye().getGoodbye().getReason());
    TestNode fine = node("127.0.0.12", 0);
    assertEquals(0, lookup(fine, 1, track(1)).getPeersCount());
  }

  @Test
  void idleConnectionsAreClosedWithIdleTimeout() throws Exception {
    start(b -> b.idleTimeout(Duration.ofMillis(300)));
    TestNode idle = node("127.0.0.13", 0);
    assertEquals(ErrorCode.IDLE_TIMEOUT, idle.awaitGoodbye().getGoodbye().getReason());
  }

  @Test
  void housekeepingExpiresOldEntriesAndRefreshesStats() throws Exception {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);
    TrackerConfig config = TrackerConfig.builder(NoiseKeyPair.generateX25519(random))
        .listenAddress(new InetSocketAddress("127.0.0.1", 0)).ioThreads(2).transport(transport())
        .expireInterval(Duration.ofMillis(20)).statsInterval(Duration.ofMillis(20)).build();
    server = TrackerServer.start(config, index, listener, System::nanoTime, now::get, 7);
    TestNode a = node("127.0.0.1", 4001);
    a.send(TestNode.announce(true, track(1)));
    TestNode asker = node("127.0.0.1", 0);
    announceAndSettle(asker, track(1), 1);
    awaitStats(s -> s.entries() == 1);
    now.addAndGet(PeerIndexConfig.defaults().ttlMillis() + 1); // the tracker's clock passes the TTL
    awaitStats(s -> s.entries() == 0);
  }

  private void awaitStats(java.util.function.Predicate<dev.chorus.tracker.index.IndexStats> ok) throws InterruptedException {
    Await.until(() -> ok.test(server.indexStats()), Duration.ofSeconds(TestNode.WAIT_SECONDS), Duration.ofMillis(10),
        () -> "index stats stayed at " + server.indexStats());
  }

  @Test
  void shutdownSaysGoodbyeToEveryNode() throws Exception {
    start(b -> b);
    TestNode a = node("127.0.0.1", 0);
    TestNode b = node("127.0.0.1", 0);
    server.close();
    assertEquals(ErrorCode.SHUTTING_DOWN, a.awaitGoodbye().getGoodbye().getReason());
    assertEquals(ErrorCode.SHUTTING_DOWN, b.awaitGoodbye().getGoodbye().getReason());
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
}
