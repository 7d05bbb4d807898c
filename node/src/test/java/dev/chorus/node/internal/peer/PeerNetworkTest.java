package dev.chorus.node.internal.peer;

import static dev.chorus.node.internal.peer.RecordingListener.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.Cancel;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkMissing;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Have;
import dev.chorus.protocol.wire.OverlayPeer;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.PeerQuery;
import dev.chorus.protocol.wire.PeerQueryAnswer;
import dev.chorus.protocol.wire.Ping;
import dev.chorus.protocol.wire.Priority;
import dev.chorus.testing.Await;
import dev.chorus.testing.leaks.NoLeaks;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Real networks over loopback. Timeouts only keep a broken build from hanging. */
@ExtendWith(NoLeaks.class)
class PeerNetworkTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static EventLoopGroup group;

  private final List<PeerNetwork> networks = new ArrayList<>();

  /** One started network with its key, listener and clock. */
  private final class Node {
    final NoiseKeyPair key = NoiseKeyPair.generateX25519(RANDOM);
    final RecordingListener events = new RecordingListener();
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final VivaldiCoordinate coordinate = VivaldiCoordinate.of(new float[] {RANDOM.nextInt(100), RANDOM.nextInt(100)}, 1f, 0.5f);
    final PeerNetwork network;

    Node(UnaryOperator<PeerNetworkConfig.Builder> settings) throws IOException {
      PeerNetworkConfig config = settings.apply(PeerNetworkConfig.builder(key).bindAddress(LOOPBACK)).build();
      // Every reading moves the clock on by 1 ms, so RTTs are positive and deterministic; ban
      // tests move it on by hand.
      network = PeerNetwork.start(config, group, events, () -> coordinate, () -> clock.addAndGet(1_000_000));
      networks.add(network);
    }

    Node() throws IOException {
      this(b -> b);
    }

    NodeId id() {
      return network.nodeId();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(LOOPBACK, network.listenPort());
    }

    PeerLink connect(Node other) throws Exception {
      return network.connect(other.address(), other.key.publicKey()).get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS);
    }

    PeerConnectException connectFails(Node other) throws Exception {
      return connectFailure(network.connect(other.address(), other.key.publicKey()));
    }
  }

  @BeforeAll
  static void startGroup() {
    group = new NioEventLoopGroup(3);
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @AfterEach
  void closeNetworks() {
    for (PeerNetwork n : networks) {
      n.close();
    }
  }

  @Test
  void twoNodesConnectAndExchangeEveryMessageType() throws Exception {
    Node a = new Node();
    Node b = new Node();
    PeerLink ab = a.connect(b);
    PeerLink ba = next(b.events.connected, "connected at b");
    assertSame(ab, next(a.events.connected, "connected at a"));

    assertEquals(b.id(), ab.nodeId());
    assertEquals(a.id(), ba.nodeId());
    assertEquals(ByteString.copyFrom(a.key.publicKey()), ByteString.copyFrom(ba.identity().staticKey()));
    assertTrue(ab.initiatedLocally());
    assertFalse(ba.initiatedLocally());
    assertEquals(b.network.listenPort(), ab.remoteHello().getListenPort());
    assertEquals(a.network.listenPort(), ba.remoteHello().getListenPort());
    assertEquals(List.of(PeerNetworkConfig.OVERLAY_QUERY), ab.remoteHello().getCapabilitiesList());
    assertEquals(b.coordinate, ab.remoteCoordinate());
    assertEquals(a.coordinate, ba.remoteCoordinate());
    assertEquals(b.address(), ab.remoteAddress());
    assertEquals(List.of(ab), List.copyOf(a.network.links()));
    assertSame(ba, b.network.link(a.id()).orElseThrow());

    List<PeerMessage> all = everyMessageType(b);
    for (PeerMessage m : all) {
      assertTrue(ab.send(m));
    }
    for (PeerMessage m : all) {
      RecordingListener.Received r = next(b.events.messages, "message at b");
      assertSame(ba, r.link());
      assertEquals(m, r.message());
    }
    // A run: written together, flushed once, and the other way.
    for (int i = 0; i < 8; i++) {
      assertTrue(ba.write(chunk(7, i, 16 * 1024)));
    }
    ba.flush();
    for (int i = 0; i < 8; i++) {
      PeerMessage m = next(a.events.messages, "chunk at a").message();
      assertEquals(i, m.getChunkData().getIndex());
      assertEquals(16 * 1024, m.getChunkData().getData().size());
    }
    assertThrows(IllegalArgumentException.class,
        () -> ab.send(PeerMessage.newBuilder().setPing(Ping.newBuilder().setNonce(1)).build()));
    assertTrue(ab.isWritable());
    assertTrue(a.events.disconnectedLinks.isEmpty());
  }

  @Test
  void connectingTwiceGivesTheSameLinkEitherWay() throws Exception {
    Node a = new Node();
    Node b = new Node();
    CompletableFuture<PeerLink> first = a.network.connect(b.address(), b.key.publicKey());
    CompletableFuture<PeerLink> second = a.network.connect(b.address(), b.key.publicKey());
    PeerLink link = first.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS);
    assertSame(link, second.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS));
    assertSame(link, a.connect(b));
    PeerLink incoming = next(b.events.connected, "connected at b");
    // b dialling a finds the link a opened.
    assertSame(incoming, b.connect(a));
    assertEquals(1, a.network.openChannels());
    assertEquals(1, b.network.openChannels());
    assertEquals(1, a.events.connectedLinks.size());
    assertEquals(1, b.events.connectedLinks.size());
  }

  @Test
  void simultaneousCrossConnectEndsWithOneLinkOnEachSide() throws Exception {
    for (int round = 0; round < 10; round++) {
      Node a = new Node();
      Node b = new Node();
      CompletableFuture<PeerLink> fa = a.network.connect(b.address(), b.key.publicKey());
      CompletableFuture<PeerLink> fb = b.network.connect(a.address(), a.key.publicKey());
      // a's handshake can reach b before b dials (a fast handshake, a loaded machine): then b's
      // connect takes that link, b opens no connection, and there is no tie to break.
      boolean crossed = b.network.dialsStarted() > 0;
      PeerLink la = fa.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS);
      PeerLink lb = fb.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS);
      Await.until(() -> a.network.openChannels() == 1 && b.network.openChannels() == 1,
          Duration.ofSeconds(RecordingListener.WAIT_SECONDS), Duration.ofMillis(5),
          () -> "waited in vain for the losing connection to close");

      Node smaller = a.id().compareTo(b.id()) < 0 ? a : b;
      Node kept = crossed ? smaller : a;
      assertEquals(kept == a, la.initiatedLocally(), "round " + round + ", crossed " + crossed);
      assertEquals(kept == b, lb.initiatedLocally(), "round " + round + ", crossed " + crossed);
      assertEquals(List.of(la), List.copyOf(a.network.links()));
      assertEquals(List.of(lb), List.copyOf(b.network.links()));
      assertEquals(List.of(la), a.events.connectedLinks, "round " + round);
      assertEquals(List.of(lb), b.events.connectedLinks, "round " + round);
      assertTrue(a.events.disconnectedLinks.isEmpty());
      assertTrue(b.events.disconnectedLinks.isEmpty());
      assertTrue(la.send(chunk(1, 0, 10)));
      assertEquals(lb, next(b.events.messages, "message over the kept link").link());
      a.network.close();
      b.network.close();
    }
  }

  @Test
  void aPinnedKeyMismatchFailsClearly() throws Exception {
    Node a = new Node();
    Node b = new Node();
    byte[] someoneElse = NoiseKeyPair.generateX25519(RANDOM).publicKey();
    PeerConnectException e = connectFailure(a.network.connect(b.address(), someoneElse));
    assertEquals(ErrorCode.AUTHENTICATION_FAILED, e.code());
    assertTrue(e.getMessage().contains("does not hold the pinned key"), e.getMessage());
    assertEquals(NodeId.ofStaticKey(someoneElse), e.nodeId());
    assertTrue(a.events.connectedLinks.isEmpty());
    assertTrue(b.events.connectedLinks.isEmpty());
    assertTrue(a.network.links().isEmpty());
  }

  @Test
  void beyondTheHardLimitIncomingIsRefusedWhileTheOthersKeepWorking() throws Exception {
    Node server = new Node(b -> b.maxConnections(2));
    Node c1 = new Node();
    Node c2 = new Node();
    Node c3 = new Node();
    PeerLink l1 = c1.connect(server);
    PeerLink l2 = c2.connect(server);
    PeerConnectException e = c3.connectFails(server);
    assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, e.code());
    assertTrue(c3.events.connectedLinks.isEmpty());

    assertTrue(l1.send(chunk(1, 1, 100)));
    assertTrue(l2.send(chunk(2, 2, 100)));
    assertEquals(java.util.Set.of(c1.id(), c2.id()), java.util.Set.of(
        next(server.events.messages, "a message").link().nodeId(), next(server.events.messages, "a message").link().nodeId()));
    assertEquals(2, server.network.links().size());
    // Our own limit also refuses outgoing connects at once.
    PeerConnectException own = server.connectFails(c3);
    assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, own.code());
  }

  @Test
  void aBannedPeerIsCutOffBothWaysUntilTheBanEnds() throws Exception {
    Node a = new Node(b -> b.banDuration(Duration.ofMinutes(10)));
    Node b = new Node();
    PeerLink ab = a.connect(b);
    PeerLink ba = next(b.events.connected, "connected at b");

    a.network.ban(b.id(), ErrorCode.BAD_CHUNK, "chunk 3 does not match its hash");
    assertEquals(ErrorCode.BANNED, next(a.events.disconnected, "disconnected at a").reason());
    RecordingListener.Disconnected atB = next(b.events.disconnected, "disconnected at b");
    assertSame(ba, atB.link());
    assertEquals(ErrorCode.BANNED, atB.reason());
    assertFalse(ab.isOpen());
    assertFalse(ab.send(chunk(1, 1, 1)));
    assertTrue(a.network.isBanned(b.id()));
    assertTrue(a.network.isBanned(b.address().getAddress()), "and the address it connected from");

    // We refuse to call it, at once...
    assertEquals(ErrorCode.BANNED, a.connectFails(b).code());
    // ...and it cannot call us: refused with BANNED after the handshake.
    PeerConnectException refused = b.connectFails(a);
    assertEquals(ErrorCode.BANNED, refused.code());
    assertEquals(1, a.events.connectedLinks.size());

    a.clock.addAndGet(Duration.ofMinutes(10).toNanos());
    assertFalse(a.network.isBanned(b.id()));
    PeerLink again = b.connect(a);
    assertTrue(again.isOpen());
    PeerLink atA = next(a.events.connected, "connected at a again", l -> l != ab);
    assertEquals(b.id(), atA.nodeId());
    assertFalse(atA.initiatedLocally());
  }

  @Test
  void aNodeThatLeftBeforeItsBanIsBannedByKeyAndByTheAddressItCameFrom() throws Exception {
    Node a = new Node(b -> b.banDuration(Duration.ofMinutes(5)));
    Node liar = new Node();
    Node sameAddress = new Node(); // another key on the same IP (loopback)
    PeerLink link = liar.connect(a);
    next(a.events.connected, "connected at a");
    link.close(ErrorCode.NONE, "hanging up at once");
    next(a.events.disconnected, "disconnected at a");
    next(liar.events.disconnected, "disconnected at the liar");

    // Its bad chunk is verified after it left: the ban still takes its key and its address.
    a.network.ban(liar.id(), ErrorCode.BAD_CHUNK, "chunk 0 does not match its hash");
    assertTrue(a.network.isBanned(liar.id()));
    assertTrue(a.network.isBanned(LOOPBACK));
    assertEquals(ErrorCode.BANNED, liar.connectFails(a).code(), "its key is refused");
    assertEquals(ErrorCode.BANNED, sameAddress.connectFails(a).code(), "its address is refused, whatever the key");
    assertEquals(ErrorCode.BANNED, a.connectFails(liar).code(), "and we do not call it");
    assertEquals(1, a.events.connectedLinks.size());

    // Both bans end with the configured duration.
    a.clock.addAndGet(Duration.ofMinutes(5).toNanos());
    assertFalse(a.network.isBanned(LOOPBACK));
    assertFalse(a.network.isBanned(liar.id()));
    assertTrue(sameAddress.connect(a).isOpen());
    assertTrue(liar.connect(a).isOpen());
  }

  @Test
  void invalidMessagesCloseOnlyThatLink() throws Exception {
    Node server = new Node();
    Node good = new Node();
    PeerLink goodLink = good.connect(server);
    byte[] track = new byte[32];
    List<PeerMessage> bad = List.of(
        request(track, 0),
        request(track, 1000),
        request(new byte[31], 4),
        PeerMessage.newBuilder().setPeerQuery(PeerQuery.newBuilder().setTrackId(ByteString.copyFrom(track)).setHopsLeft(3)).build());
    for (PeerMessage m : bad) {
      Node offender = new Node();
      PeerLink link = offender.connect(server);
      assertTrue(link.send(m));
      RecordingListener.Disconnected d = next(offender.events.disconnected, "offender disconnected");
      assertEquals(ErrorCode.BAD_REQUEST, d.reason(), m.toString());
      assertEquals(ErrorCode.BAD_REQUEST,
          next(server.events.disconnected, "server side of the offender", x -> x.link().nodeId().equals(offender.id())).reason());

      assertTrue(goodLink.send(request(track, 4)));
      RecordingListener.Received r = next(server.events.messages, "the good peer's request");
      assertEquals(good.id(), r.link().nodeId(), "the bad message never reaches the listener");
    }
    // Bytes that are no message at all: MALFORMED_MESSAGE.
    Node offender = new Node();
    ChannelPeerLink link = (ChannelPeerLink) offender.connect(server);
    Channel ch = link.channel();
    ch.eventLoop().execute(() -> ch.pipeline().context(ChorusPipeline.MESSAGE_ENCODER)
        .writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff})));
    assertEquals(ErrorCode.MALFORMED_MESSAGE, next(offender.events.disconnected, "offender disconnected").reason());
    assertTrue(goodLink.send(request(track, 1)));
    assertEquals(good.id(), next(server.events.messages, "the good peer's request").link().nodeId());
    assertTrue(goodLink.isOpen());
  }

  @Test
  void pingsMeasureRoundTripTimes() throws Exception {
    Node a = new Node(b -> b.pingInterval(Duration.ofMillis(20)));
    Node b = new Node();
    PeerLink ab = a.connect(b);
    for (int i = 0; i < 3; i++) {
      RecordingListener.Rtt rtt = next(a.events.rtts, "rtt at a");
      assertSame(ab, rtt.link());
      assertTrue(rtt.rttNanos() > 0);
      assertEquals(b.coordinate, rtt.remote());
    }
    assertTrue(ab.rttNanos() > 0);
    // b pings too (first ping on connect), and pings never reach the listener as messages.
    assertEquals(a.coordinate, next(b.events.rtts, "rtt at b").remote());
    assertNull(a.events.messages.poll());
    assertNull(b.events.messages.poll());
  }

  @Test
  void closeSaysShuttingDownToEveryPeer() throws Exception {
    Node a = new Node();
    Node b = new Node();
    Node c = new Node();
    a.connect(b);
    a.connect(c);
    next(b.events.connected, "connected at b");
    next(c.events.connected, "connected at c");
    a.network.close();
    assertEquals(ErrorCode.SHUTTING_DOWN, next(b.events.disconnected, "disconnected at b").reason());
    assertEquals(ErrorCode.SHUTTING_DOWN, next(c.events.disconnected, "disconnected at c").reason());
    assertEquals(2, a.events.disconnectedLinks.size());
    assertEquals(0, a.network.openChannels());
    assertEquals(ErrorCode.SHUTTING_DOWN, a.connectFails(b).code());
  }

  @Test
  void anUnreachableNodeDialsOutAndSaysSoInItsHello() throws Exception {
    Node natted = new Node(b -> b.acceptIncoming(false));
    Node b = new Node();
    assertEquals(0, natted.network.listenPort());
    natted.connect(b);
    assertEquals(0, next(b.events.connected, "connected at b").remoteHello().getListenPort());
  }

  @Test
  void theUploadCapShapesEveryLinkAndBytesStillFlow() throws Exception {
    Node capped = new Node(b -> b.uploadBytesPerSecond(4 << 20));
    Node uncapped = new Node();
    GlobalTrafficShapingHandler shaper = capped.network.shaper();
    assertNotNull(shaper);
    assertEquals(4 << 20, shaper.getWriteLimit());
    assertEquals(0, shaper.getReadLimit());
    assertNull(uncapped.network.shaper());

    ChannelPeerLink link = (ChannelPeerLink) capped.connect(uncapped);
    assertSame(shaper, link.channel().pipeline().first(), "the shaper sits next to the socket");
    assertNull(((ChannelPeerLink) next(uncapped.events.connected, "connected")).channel().pipeline().get(PeerPipeline.SHAPER));
    for (int i = 0; i < 64; i++) {
      link.write(chunk(9, i, 16 * 1024));
    }
    link.flush();
    for (int i = 0; i < 64; i++) {
      assertEquals(i, next(uncapped.events.messages, "chunk").message().getChunkData().getIndex());
    }
  }

  // --- helpers

  private static List<PeerMessage> everyMessageType(Node peer) {
    byte[] track = new byte[32];
    track[0] = 7;
    byte[] key = peer.key.publicKey();
    return List.of(
        request(track, 64),
        PeerMessage.newBuilder().setCancel(Cancel.newBuilder().setRequestId(5)).build(),
        chunk(5, 3, 16 * 1024),
        PeerMessage.newBuilder().setChunkMissing(ChunkMissing.newBuilder()
            .setRequestId(5).setFirstIndex(4).setCount(60).setReason(ErrorCode.UPLOAD_SLOTS_FULL)).build(),
        PeerMessage.newBuilder().setHave(Have.newBuilder().setTrackId(ByteString.copyFrom(track))
            .setChunks(ChunkSet.newBuilder().setBitmap(ByteString.copyFrom(new byte[] {1, 2, 3})))).build(),
        PeerMessage.newBuilder().setPeerQuery(PeerQuery.newBuilder()
            .setQueryId(99).setTrackId(ByteString.copyFrom(track)).setHopsLeft(2)).build(),
        PeerMessage.newBuilder().setPeerQueryAnswer(PeerQueryAnswer.newBuilder().setQueryId(99)
            .addPeers(OverlayPeer.newBuilder()
                .setNodeId(ByteString.copyFrom(NodeId.ofStaticKey(key).bytes()))
                .setStaticKey(ByteString.copyFrom(key))
                .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(new byte[] {10, 0, 0, 7})).setPort(4001))
                .setCoordinate(peer.coordinate.toWire())
                .setChunks(ChunkSet.newBuilder().setComplete(true)))).build());
  }

  static PeerMessage request(byte[] track, int count) {
    return PeerMessage.newBuilder().setChunkRequest(ChunkRequest.newBuilder()
        .setRequestId(5).setTrackId(ByteString.copyFrom(track)).setFirstIndex(0).setCount(count)
        .setPriority(Priority.PLAYBACK)).build();
  }

  static PeerMessage chunk(long requestId, int index, int bytes) {
    byte[] data = new byte[bytes];
    data[0] = (byte) index;
    return PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder()
        .setRequestId(requestId).setIndex(index).setData(ByteString.copyFrom(data))).build();
  }

  private static PeerConnectException connectFailure(CompletableFuture<PeerLink> future) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> future.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS));
    return assertInstanceOf(PeerConnectException.class, e.getCause());
  }
}
