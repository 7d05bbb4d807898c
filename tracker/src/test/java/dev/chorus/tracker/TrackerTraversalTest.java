package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.netty.NoiseHandler;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ConnectTo;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.PunchRequest;
import dev.chorus.protocol.wire.PunchWith;
import dev.chorus.protocol.wire.ReachabilityReport;
import dev.chorus.protocol.wire.ReachabilityVerdict;
import dev.chorus.protocol.wire.ReverseConnect;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.testing.process.FreePorts;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reachability probes and connection reversal through a real tracker on loopback: scripted nodes,
 * and for the probe a real Noise responder holding the node's key. The tracker is told to probe
 * 127.0.0.0/8, which it would not by default.
 */
@ExtendWith(NoLeaks.class)
class TrackerTraversalTest {
  private final SecureRandom random = seeded(13);
  private final List<TestNode> nodes = new ArrayList<>();
  private final List<Channel> responders = new ArrayList<>();
  private final RecordingListener listener = new RecordingListener();
  private EventLoopGroup clients;
  private PeerIndex index;
  private TrackerServer server;

  @BeforeEach
  void setUp() throws Exception {
    clients = new NioEventLoopGroup(2);
    index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
    TraversalConfig traversal = TraversalConfig.builder()
        .probeRanges(List.of(IpRange.parse("127.0.0.0/8")))
        .reversalRatePerHolder(0.001, 2)
        .build();
    server = TrackerServer.start(TrackerConfig.builder(NoiseKeyPair.generateX25519(random))
        .listenAddress(new InetSocketAddress("127.0.0.1", 0)).ioThreads(2).traversal(traversal).build(),
        index, listener, System::nanoTime, System::currentTimeMillis, 7);
  }

  @AfterEach
  void tearDown() throws Exception {
    nodes.forEach(TestNode::close);
    for (Channel r : responders) {
      r.close().sync();
    }
    server.close();
    index.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** A node whose listen port (on its own address: the tracker dials the IP it sees) answers with its key. */
  private TestNode reachable(String localIp) throws Exception {
    NoiseKeyPair key = NoiseKeyPair.generateX25519(random);
    SecureChannelConfig config = SecureChannelConfig.builder(key).build();
    Channel responder = new ServerBootstrap().group(clients).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new NoiseHandler(config, false), new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        })
        .bind(localIp, 0).sync().channel();
    responders.add(responder);
    return node(key, localIp, ((InetSocketAddress) responder.localAddress()).getPort(), true);
  }

  private TestNode node(NoiseKeyPair key, String localIp, int listenPort, boolean traversal) throws Exception {
    Hello.Builder hello = Hello.newBuilder().setListenPort(listenPort);
    if (traversal) {
      hello.addCapabilities(Reachability.TRAVERSAL_CAPABILITY);
    }
    TestNode n = TestNode.connect(clients, server.address(), server.publicKey(), key, localIp, hello.build());
    n.awaitReady();
    nodes.add(n);
    return n;
  }

  /** An unreachable node (its listen port is closed) whose Hello lists reversal and punching. */
  private TestNode punching(String localIp, int listenPort) throws Exception {
    Hello hello = Hello.newBuilder().setListenPort(listenPort).addCapabilities(Reachability.TRAVERSAL_CAPABILITY)
        .addCapabilities(Reachability.PUNCH_CAPABILITY).build();
    TestNode n = TestNode.connect(clients, server.address(), server.publicKey(), NoiseKeyPair.generateX25519(random),
        localIp, hello);
    n.awaitReady();
    nodes.add(n);
    return n;
  }

  private static TrackerMessage punch(long id, TestNode holder) {
    return TrackerMessage.newBuilder().setPunchRequest(PunchRequest.newBuilder().setPunchId(id)
        .setNodeId(ByteString.copyFrom(NodeId.ofStaticKey(holder.key.publicKey()).bytes()))).build();
  }

  private static dev.chorus.protocol.wire.Error punchError(TestNode n, long punchId) throws InterruptedException {
    return n.await(m -> m.hasError() && m.getError().getPunchId() == punchId).getError();
  }

  private TestNode unreachable(String localIp) throws Exception {
    return node(NoiseKeyPair.generateX25519(random), localIp, FreePorts.loopback(), true);
  }

  private static ReachabilityReport report(TestNode n) throws InterruptedException {
    return n.await(TrackerMessage::hasReachability).getReachability();
  }

  private static final byte[] TRACK = new byte[32];

  static {
    TRACK[0] = 9;
  }

  private static LookupResult lookup(TestNode asker, long id) throws Exception {
    asker.send(TestNode.lookup(id, TRACK, 10));
    return asker.await(m -> m.hasLookupResult() && m.getLookupResult().getLookupId() == id).getLookupResult();
  }

  private static TrackerMessage reverse(long id, TestNode holder) {
    return TrackerMessage.newBuilder().setReverseConnect(ReverseConnect.newBuilder().setReversalId(id)
        .setNodeId(ByteString.copyFrom(NodeId.ofStaticKey(holder.key.publicKey()).bytes()))).build();
  }

  private static dev.chorus.protocol.wire.Error error(TestNode n, long reversalId) throws InterruptedException {
    return n.await(m -> m.hasError() && m.getError().getReversalId() == reversalId).getError();
  }

  @Test
  void aNodeWhosePortAnswersWithItsKeyIsReachableAndToldWhereTheTrackerSeesIt() throws Exception {
    TestNode n = reachable("127.0.0.2");
    ReachabilityReport r = report(n);
    assertEquals(ReachabilityVerdict.VERDICT_REACHABLE, r.getVerdict());
    assertArrayEquals(new byte[] {127, 0, 0, 2}, r.getObserved().getIp().toByteArray());
    assertEquals(((InetSocketAddress) n.channel.localAddress()).getPort(), r.getObserved().getPort());
  }

  @Test
  void aNodeWhosePortIsClosedIsUnreachableIndexedWithoutItAndReturnedOnlyToThoseWhoCanReverse() throws Exception {
    TestNode holder = unreachable("127.0.0.3");
    assertEquals(ReachabilityVerdict.VERDICT_UNREACHABLE, report(holder).getVerdict());
    holder.send(TestNode.announce(true, TRACK));

    TestNode canReverse = reachable("127.0.0.4");
    report(canReverse);
    TestNode cannot = unreachable("127.0.0.5");
    report(cannot);
    TestNode old = node(NoiseKeyPair.generateX25519(random), "127.0.0.6", 4000, false);

    LookupResult found = null;
    for (int attempt = 0; attempt < 200 && (found == null || found.getPeersCount() == 0); attempt++) {
      found = lookup(canReverse, 100 + attempt);
    }
    assertEquals(1, found.getPeersCount());
    TrackerPeer p = found.getPeers(0);
    assertArrayEquals(holder.key.publicKey(), p.getStaticKey().toByteArray());
    assertEquals(0, p.getAddress().getPort(), "reach it by reversal");
    assertEquals(0, lookup(cannot, 1).getPeersCount(), "two unreachable nodes: no punching, so not returned");
    assertEquals(0, lookup(old, 2).getPeersCount(), "a node outside traversal cannot ask for a reversal");
  }

  @Test
  void aReversalIsRelayedToTheHolderWithTheRequestersKeyAndAddress() throws Exception {
    TestNode holder = unreachable("127.0.0.7");
    report(holder);
    TestNode requester = reachable("127.0.0.8");
    assertEquals(ReachabilityVerdict.VERDICT_REACHABLE, report(requester).getVerdict());

    requester.send(reverse(5, holder));
    ConnectTo c = holder.await(TrackerMessage::hasConnectTo).getConnectTo();
    assertArrayEquals(requester.key.publicKey(), c.getStaticKey().toByteArray());
    assertArrayEquals(NodeId.ofStaticKey(requester.key.publicKey()).bytes(), c.getNodeId().toByteArray());
    assertArrayEquals(new byte[] {127, 0, 0, 8}, c.getAddress().getIp().toByteArray());
    assertEquals(((InetSocketAddress) responders.get(0).localAddress()).getPort(), c.getAddress().getPort());
  }

  @Test
  void aReversalToANodeWithoutAConnectionIsHolderGone() throws Exception {
    TestNode requester = reachable("127.0.0.9");
    report(requester);
    TestNode gone = unreachable("127.0.0.10");
    report(gone);
    gone.close();
    gone.awaitClosed();
    for (int attempt = 0; ; attempt++) {
      requester.send(reverse(10 + attempt, gone));
      dev.chorus.protocol.wire.Error e = error(requester, 10 + attempt);
      if (e.getCode() == ErrorCode.HOLDER_GONE) {
        break; // the tracker may take a moment to see the connection end
      }
      assertTrue(attempt < 5, "never HOLDER_GONE: " + e);
      Thread.sleep(100);
    }
    // A key that never connected is gone as well:
    requester.send(TrackerMessage.newBuilder().setReverseConnect(ReverseConnect.newBuilder().setReversalId(100)
        .setNodeId(ByteString.copyFrom(new byte[32]))).build());
    assertEquals(ErrorCode.HOLDER_GONE, error(requester, 100).getCode());
  }

  @Test
  void aHolderIsAskedAtMostItsBudgetAndAnUnreachableRequesterNotAtAll() throws Exception {
    TestNode holder = unreachable("127.0.0.12");
    report(holder);
    TestNode requester = reachable("127.0.0.13");
    report(requester);
    requester.send(reverse(1, holder));
    requester.send(reverse(2, holder));
    requester.send(reverse(3, holder));
    assertEquals(ErrorCode.RATE_LIMITED, error(requester, 3).getCode(), "the holder's burst is 2");
    holder.await(TrackerMessage::hasConnectTo);
    holder.await(TrackerMessage::hasConnectTo);

    TestNode unreachableRequester = unreachable("127.0.0.14");
    report(unreachableRequester);
    unreachableRequester.send(reverse(4, holder));
    dev.chorus.protocol.wire.Error e = error(unreachableRequester, 4);
    assertEquals(ErrorCode.BAD_REQUEST, e.getCode());
    assertTrue(e.getDetail().contains("not reachable"), e.getDetail());
    assertTrue(unreachableRequester.channel.isOpen(), "a refused reversal is not a reason to close");
  }

  @Test
  void twoPunchingUnreachableNodesAreReturnedToEachOtherButNotToNodesThatCannotPunch() throws Exception {
    TestNode holder = punching("127.0.0.20", FreePorts.loopback());
    assertEquals(ReachabilityVerdict.VERDICT_UNREACHABLE, report(holder).getVerdict());
    holder.send(TestNode.announce(true, TRACK));
    TestNode nonPunchingHolder = unreachable("127.0.0.21");
    report(nonPunchingHolder);
    nonPunchingHolder.send(TestNode.announce(true, TRACK));

    TestNode asker = punching("127.0.0.22", FreePorts.loopback());
    report(asker);
    TestNode cannot = unreachable("127.0.0.23");
    report(cannot);

    LookupResult found = null;
    for (int attempt = 0; attempt < 200 && (found == null || found.getPeersCount() == 0); attempt++) {
      found = lookup(asker, 100 + attempt);
    }
    assertEquals(1, found.getPeersCount(), "only the holder that punches too: " + found);
    assertArrayEquals(holder.key.publicKey(), found.getPeers(0).getStaticKey().toByteArray());
    assertEquals(0, found.getPeers(0).getAddress().getPort(), "reach it by punching");
    assertEquals(0, lookup(cannot, 1).getPeersCount(), "an unreachable node that does not punch gets neither");
  }

  @Test
  void aPunchTellsBothSidesTheOthersKeyObservedAddressListenPortAndStartDelay() throws Exception {
    int holderPort = FreePorts.loopback();
    int askerPort = FreePorts.loopback();
    TestNode holder = punching("127.0.0.24", holderPort);
    report(holder);
    TestNode asker = punching("127.0.0.25", askerPort);
    report(asker);

    asker.send(punch(77, holder));
    PunchWith toHolder = holder.await(TrackerMessage::hasPunchWith).getPunchWith();
    PunchWith toAsker = asker.await(TrackerMessage::hasPunchWith).getPunchWith();
    assertEquals(77, toHolder.getPunchId());
    assertEquals(77, toAsker.getPunchId());
    assertArrayEquals(asker.key.publicKey(), toHolder.getStaticKey().toByteArray());
    assertArrayEquals(NodeId.ofStaticKey(asker.key.publicKey()).bytes(), toHolder.getNodeId().toByteArray());
    assertArrayEquals(new byte[] {127, 0, 0, 25}, toHolder.getAddress().getIp().toByteArray());
    assertEquals(askerPort, toHolder.getAddress().getPort(), "the asker's listen port, which it dials from");
    assertArrayEquals(holder.key.publicKey(), toAsker.getStaticKey().toByteArray());
    assertArrayEquals(new byte[] {127, 0, 0, 24}, toAsker.getAddress().getIp().toByteArray());
    assertEquals(holderPort, toAsker.getAddress().getPort());
    assertEquals(TraversalConfig.defaults().punchStartDelay().toMillis(), toHolder.getStartDelayMs());
    assertEquals(toHolder.getStartDelayMs(), toAsker.getStartDelayMs());
    assertEquals(1, listener.count("punch:relayed"));
  }

  @Test
  void aPunchIsRefusedWithTypedErrorsCarryingItsId() throws Exception {
    TestNode holder = punching("127.0.0.26", FreePorts.loopback());
    report(holder);
    TestNode asker = punching("127.0.0.27", FreePorts.loopback());
    report(asker);

    asker.send(TrackerMessage.newBuilder().setPunchRequest(PunchRequest.newBuilder().setPunchId(1)
        .setNodeId(ByteString.copyFrom(new byte[32]))).build());
    assertEquals(ErrorCode.HOLDER_GONE, punchError(asker, 1).getCode());

    asker.send(punch(2, holder));
    asker.send(punch(3, holder));
    asker.send(punch(4, holder));
    assertEquals(ErrorCode.RATE_LIMITED, punchError(asker, 4).getCode(), "the holder's burst is 2");
    holder.await(TrackerMessage::hasPunchWith);
    holder.await(TrackerMessage::hasPunchWith);

    TestNode nonPunching = unreachable("127.0.0.28");
    report(nonPunching);
    asker.send(punch(5, nonPunching));
    dev.chorus.protocol.wire.Error refused = punchError(asker, 5);
    assertEquals(ErrorCode.BAD_REQUEST, refused.getCode());
    assertTrue(refused.getDetail().contains("cannot punch"), refused.getDetail());

    TestNode reachableAsker = reachable("127.0.0.29");
    report(reachableAsker);
    TestNode reachablePuncher = TestNode.connect(clients, server.address(), server.publicKey(), reachableAsker.key,
        "127.0.0.29", Hello.newBuilder().setListenPort(((InetSocketAddress) responders.get(0).localAddress()).getPort())
            .addCapabilities(Reachability.TRAVERSAL_CAPABILITY).addCapabilities(Reachability.PUNCH_CAPABILITY).build());
    nodes.add(reachablePuncher);
    reachablePuncher.awaitReady();
    assertEquals(ReachabilityVerdict.VERDICT_REACHABLE, report(reachablePuncher).getVerdict());
    reachablePuncher.send(punch(6, holder));
    dev.chorus.protocol.wire.Error notPunchable = punchError(reachablePuncher, 6);
    assertEquals(ErrorCode.BAD_REQUEST, notPunchable.getCode());
    assertTrue(notPunchable.getDetail().contains("not punchable"), notPunchable.getDetail());
    assertTrue(reachablePuncher.channel.isOpen(), "a refused punch is not a reason to close");
  }

  @Test
  void addressesOutsideTheProbeRangesAreNotProbedByDefault() throws Exception {
    TraversalConfig defaults = TraversalConfig.defaults();
    assertTrue(!defaults.probes(java.net.InetAddress.getByName("127.0.0.1")));
    assertTrue(!defaults.probes(java.net.InetAddress.getByName("10.1.2.3")));
    assertTrue(!defaults.probes(java.net.InetAddress.getByName("203.0.113.5")));
    assertTrue(!defaults.probes(java.net.InetAddress.getByName("fd00::1")));
    assertTrue(defaults.probes(java.net.InetAddress.getByName("8.8.8.8")));
    assertTrue(defaults.probes(java.net.InetAddress.getByName("2a00:1450::1")));
    assertTrue(!TraversalConfig.builder().probe(false).build().probes(java.net.InetAddress.getByName("8.8.8.8")));
    assertTrue(TraversalConfig.builder().probeRanges(List.of(IpRange.parse("10.0.0.0/8"))).build()
        .probes(java.net.InetAddress.getByName("10.1.2.3")));
    assertEquals(Duration.ofSeconds(3), defaults.probeTimeout());
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
