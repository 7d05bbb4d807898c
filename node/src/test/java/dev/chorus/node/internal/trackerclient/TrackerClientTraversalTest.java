package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ConnectTo;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.ReachabilityReport;
import dev.chorus.protocol.wire.ReachabilityVerdict;
import dev.chorus.protocol.wire.ReverseConnect;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.testing.Await;
import dev.chorus.testing.leaks.NoLeaks;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tracker client's side of traversal against a {@link ScriptedTracker} that lists the capability. */
@ExtendWith(NoLeaks.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrackerClientTraversalTest {
  private final SecureRandom random = new SecureRandom();
  private EventLoopGroup group;
  private ScriptedTracker tracker;
  private TrackerClient client;

  @BeforeEach
  void setUp() throws Exception {
    group = new NioEventLoopGroup(1);
    tracker = new ScriptedTracker(random, "tracker", Reachability.TRAVERSAL_CAPABILITY);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    tracker.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private Hello connect(boolean traversal) throws Exception {
    RecordingClientListener events = new RecordingClientListener();
    client = TrackerClient.start(TrackerClientConfig.builder(NoiseKeyPair.generateX25519(random))
        .tracker(tracker.endpoint()).listenPort(4100).traversal(traversal)
        .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).build(),
        group, new TrackerClientTest.TestSource(), events, new Random(5));
    Hello hello = tracker.await(TrackerMessage::hasHello).getHello();
    events.await("connected");
    tracker.await(TrackerMessage::hasAnnounce);
    return hello;
  }

  @Test
  void theNodeListsTheCapabilityOnlyWhenTraversalIsOn() throws Exception {
    assertTrue(connect(true).getCapabilitiesList().contains(Reachability.TRAVERSAL_CAPABILITY));
  }

  @Test
  void anUnreachableVerdictIsKeptAndTheCacheAnnouncedAgain() throws Exception {
    connect(true);
    tracker.send(TrackerMessage.newBuilder().setReachability(ReachabilityReport.newBuilder()
        .setObserved(PeerAddress.newBuilder().setIp(ByteString.copyFrom(new byte[] {(byte) 203, 0, 113, 2})).setPort(40000))
        .setVerdict(ReachabilityVerdict.VERDICT_UNREACHABLE)).build());
    assertTrue(tracker.await(TrackerMessage::hasAnnounce).getAnnounce().getFull(), "announced in full again");
    assertEquals(ReachabilityVerdict.VERDICT_UNREACHABLE, client.reachability());
    assertEquals(new InetSocketAddress("203.0.113.2", 40000), client.observedAddress());
  }

  @Test
  void aConnectToReachesTheHandlerWithTheRequestersKeyAndAddress() throws Exception {
    CompletableFuture<String> asked = new CompletableFuture<>();
    connect(true);
    client.onConnectTo((node, key, address) -> asked.complete(node + " " + address));
    byte[] key = NoiseKeyPair.generateX25519(random).publicKey();
    tracker.send(TrackerMessage.newBuilder().setConnectTo(ConnectTo.newBuilder()
        .setNodeId(ByteString.copyFrom(NodeId.ofStaticKey(key).bytes())).setStaticKey(ByteString.copyFrom(key))
        .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(new byte[] {(byte) 198, 51, 100, 1})).setPort(7401)))
        .build());
    assertEquals(NodeId.ofStaticKey(key) + " " + new InetSocketAddress("198.51.100.1", 7401),
        asked.get(20, TimeUnit.SECONDS));
  }

  @Test
  void aReversalIsSentAndItsRefusalReachesTheAsker() throws Exception {
    connect(true);
    NodeId holder = NodeId.ofStaticKey(NoiseKeyPair.generateX25519(random).publicKey());
    CompletableFuture<TrackerException> refused = new CompletableFuture<>();
    client.requestReversal(holder, refused::complete);
    ReverseConnect r = tracker.await(TrackerMessage::hasReverseConnect).getReverseConnect();
    assertArrayEquals(holder.bytes(), r.getNodeId().toByteArray());
    tracker.send(TrackerMessage.newBuilder().setError(dev.chorus.protocol.wire.Error.newBuilder()
        .setCode(ErrorCode.HOLDER_GONE).setReversalId(r.getReversalId()).setDetail("gone")).build());
    TrackerException e = refused.get(20, TimeUnit.SECONDS);
    assertEquals(ErrorCode.HOLDER_GONE, e.code());
    assertEquals(TrackerException.Reason.REFUSED, e.reason());
  }

  @Test
  void withTraversalOffTheCapabilityIsNotListedAndAReversalIsRefusedAtOnce() throws Exception {
    assertTrue(!connect(false).getCapabilitiesList().contains(Reachability.TRAVERSAL_CAPABILITY));
    CompletableFuture<TrackerException> refused = new CompletableFuture<>();
    Await.until(client::isConnected, "connected");
    client.requestReversal(NodeId.ofStaticKey(new byte[32]), refused::complete);
    assertEquals(TrackerException.Reason.NOT_CONNECTED, refused.get(20, TimeUnit.SECONDS).reason());
  }
}
