package dev.chorus.node.internal.peer;

import static dev.chorus.node.internal.peer.RecordingListener.next;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.leaks.NoLeaks;
import dev.chorus.testing.process.FreePorts;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One side of a hole punch on loopback, where no NAT is in the way: the dial leaves from the
 * node's listen port while its server keeps listening there, the Noise role follows the ids, and
 * the handshake pins the key the tracker named. The simultaneous open itself needs two NATs; the
 * namespace test ({@code PunchNetnsTest}) makes one with the kernel's.
 */
@ExtendWith(NoLeaks.class)
class PeerNetworkPunchTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private EventLoopGroup group;

  private final List<PeerNetwork> networks = new ArrayList<>();

  private final class Node {
    final NoiseKeyPair key;
    final RecordingListener events = new RecordingListener();
    /** Every reading moves it on by 1 ms: a punch's window is counted in clock readings, not waited out. */
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final PeerNetwork network;

    Node(NoiseKeyPair key, boolean punching) throws IOException {
      this.key = key;
      PeerNetworkConfig config = PeerNetworkConfig.builder(key).bindAddress(LOOPBACK).punching(punching).build();
      network = PeerNetwork.start(config, group, events, () -> VivaldiCoordinate.ORIGIN, () -> clock.addAndGet(1_000_000));
      networks.add(network);
    }

    NodeId id() {
      return network.nodeId();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(LOOPBACK, network.listenPort());
    }
  }

  /** Two nodes, the first with the smaller id (the initiator of a punched connection). */
  private List<Node> pair(boolean punching) throws IOException {
    NoiseKeyPair k1 = NoiseKeyPair.generateX25519(RANDOM);
    NoiseKeyPair k2 = NoiseKeyPair.generateX25519(RANDOM);
    boolean ordered = NodeId.ofStaticKey(k1.publicKey()).compareTo(NodeId.ofStaticKey(k2.publicKey())) < 0;
    return List.of(new Node(ordered ? k1 : k2, punching), new Node(ordered ? k2 : k1, punching));
  }

  /**
   * The sockets' transport (SO_REUSEPORT is set through it): the default, NIO;
   * {@link PeerNetworkPunchEpollTest} runs it all on epoll.
   */
  Transport transport() {
    return Transport.NIO;
  }

  @BeforeEach
  void startGroup() {
    group = transport().newGroup(2, new DefaultThreadFactory("punch-test", true));
  }

  @AfterEach
  void closeNetworks() {
    networks.forEach(PeerNetwork::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void aPunchDialsFromTheListenPortAndTheSmallerIdIsTheInitiator() throws Exception {
    List<Node> nodes = pair(true);
    Node small = nodes.get(0);
    Node large = nodes.get(1);
    CompletableFuture<PeerLink> awaited = small.network.awaitPunched(large.id(), Duration.ofSeconds(30), refused -> {});
    CompletableFuture<Boolean> opened = small.network.punch(large.id(), large.key.publicKey(), large.address(),
        Duration.ZERO, Duration.ofSeconds(30));

    assertTrue(opened.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS), "a TCP connection opened");
    PeerLink atSmall = awaited.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS);
    PeerLink atLarge = next(large.events.connected, "connected at the larger id");
    assertSame(atSmall, next(small.events.connected, "connected at the smaller id"));
    assertEquals(large.id(), atSmall.nodeId());
    assertEquals(small.id(), atLarge.nodeId());
    assertTrue(atSmall.initiatedLocally(), "the smaller id runs the handshake as initiator");
    assertEquals(small.network.listenPort(), atLarge.remoteAddress().getPort(), "dialled from the listen port");
    // The server still listens on the port the punch dialled from.
    Node third = new Node(NoiseKeyPair.generateX25519(RANDOM), false);
    third.network.connect(small.address(), small.key.publicKey()).get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void aPunchPinsTheNamedKey() throws Exception {
    List<Node> nodes = pair(true);
    Node small = nodes.get(0);
    Node large = nodes.get(1);
    byte[] someoneElse = NoiseKeyPair.generateX25519(RANDOM).publicKey();
    NodeId named = NodeId.ofStaticKey(someoneElse);
    CompletableFuture<Boolean> opened = small.network.punch(named, someoneElse, large.address(), Duration.ZERO,
        Duration.ofSeconds(30));
    assertTrue(opened.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS), "TCP opens; the handshake then fails");
    assertTrue(small.events.connected.poll(200, TimeUnit.MILLISECONDS) == null, "no link to a key not named");
    assertTrue(small.network.link(named).isEmpty());
    assertTrue(small.network.link(large.id()).isEmpty());
  }

  @Test
  void aPunchThatFindsNobodyDialsAgainUntilItsWindowHasPassed() throws Exception {
    Node small = pair(true).get(0);
    NoiseKeyPair nobody = NoiseKeyPair.generateX25519(RANDOM);
    InetSocketAddress closed = new InetSocketAddress(LOOPBACK, FreePorts.loopback());
    // The window is 4 clock readings (1 ms each): a few refused dials, then the punch gives up.
    CompletableFuture<Boolean> opened = small.network.punch(NodeId.ofStaticKey(nobody.publicKey()), nobody.publicKey(),
        closed, Duration.ZERO, Duration.ofMillis(4));
    assertFalse(opened.get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS));
    assertTrue(small.network.dialsStarted() >= 2, "dialled again after a refusal: " + small.network.dialsStarted());
  }

  @Test
  void aSecondNodeCannotShareAPunchingNodesPort() throws Exception {
    Node first = pair(true).get(0);
    PeerNetworkConfig same = PeerNetworkConfig.builder(NoiseKeyPair.generateX25519(RANDOM)).bindAddress(LOOPBACK)
        .listenPort(first.network.listenPort()).punching(true).build();
    IOException e = assertThrows(IOException.class,
        () -> networks.add(PeerNetwork.start(same, group, new RecordingListener(), () -> VivaldiCoordinate.ORIGIN)));
    assertTrue(e.getMessage().contains("another node on this port"), e.getMessage());
  }

  @Test
  void aTakenPortIsRefusedNamingTheAddressWithoutPunchingToo() throws Exception {
    Node first = pair(false).get(0);
    PeerNetworkConfig same = PeerNetworkConfig.builder(NoiseKeyPair.generateX25519(RANDOM)).bindAddress(LOOPBACK)
        .listenPort(first.network.listenPort()).punching(false).build();
    IOException e = assertThrows(IOException.class,
        () -> networks.add(PeerNetwork.start(same, group, new RecordingListener(), () -> VivaldiCoordinate.ORIGIN)));
    assertTrue(e.getMessage().startsWith("cannot listen on " + new InetSocketAddress(LOOPBACK, first.network.listenPort())
        + ": ") && e.getMessage().contains("Address already in use"), e.getMessage());
  }

  @Test
  void withoutPunchingNothingIsDialled() throws Exception {
    List<Node> nodes = pair(false);
    Node small = nodes.get(0);
    Node large = nodes.get(1);
    assertFalse(small.network.punch(large.id(), large.key.publicKey(), large.address(), Duration.ZERO,
        Duration.ofSeconds(30)).get(RecordingListener.WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals(0, small.network.dialsStarted());
  }
}
