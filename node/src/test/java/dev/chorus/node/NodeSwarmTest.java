package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.node.internal.trackerclient.TrackerClient;
import dev.chorus.node.internal.trackerclient.TrackerClientConfig;
import dev.chorus.node.internal.trackerclient.TrackerClientListener;
import dev.chorus.node.internal.trackerclient.TrackerEndpoint;
import dev.chorus.node.internal.trackerclient.TrackerPeerInfo;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.Await;
import io.netty.channel.EventLoopGroup;
import dev.chorus.protocol.wire.ErrorCode;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes on loopback: nginx as the origin, a real tracker, RocksDB caches, Noise connections.
 * Timeouts only stop a broken build from hanging; nothing asserts on elapsed time.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NodeSwarmTest {
  static final int TRACK_BYTES = 2_400_000; // 120 s at 160 kbit/s, 147 chunks

  /** The group of the test's own tracker clients and lying peers: on the nodes' transport. */
  EventLoopGroup group;
  @TempDir Path dir;
  LocalSwarm swarm;

  /** The nodes' transport: the default, NIO; {@link NodeSwarmEpollTest} runs it all on epoll. */
  Transport transport() {
    return Transport.NIO;
  }

  @BeforeEach
  void startGroup() {
    group = transport().newGroup(1, new io.netty.util.concurrent.DefaultThreadFactory("test-net", true));
  }

  @AfterEach
  void stop() {
    if (swarm != null) {
      swarm.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void laterListenersGetMostOfTheirBytesFromPeers() throws Exception {
    swarm = new LocalSwarm(dir, 1, TRACK_BYTES, transport());
    LocalSwarm.Track track = swarm.tracks.get(0);
    List<ChorusNode> nodes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      nodes.add(swarm.startNode("node" + i));
    }
    assertArrayEquals(track.content(), LocalSwarm.play(nodes.get(0), track.id()));
    Await.until(() -> nodes.get(0).stats().bytesFromCdn() == TRACK_BYTES, "node0 counts every byte");
    NodeStats first = nodes.get(0).stats();
    assertEquals(TRACK_BYTES, first.bytesFromCdn(), "the first listener has nobody to ask");
    awaitHolders(track.id(), 1);

    long peers = 0;
    long cdn = 0;
    for (int i = 1; i < nodes.size(); i++) {
      ChorusNode node = nodes.get(i);
      long t0 = System.nanoTime();
      assertArrayEquals(track.content(), LocalSwarm.play(node, track.id()), "node" + i);
      System.out.printf("node%d played in %d ms: %s%n", i, (System.nanoTime() - t0) / 1_000_000, node.stats());
      Await.until(() -> node.isCached(track.id()), "node" + i + " caches the whole track");
      Await.until(() -> node.stats().bytesFromPeers() + node.stats().bytesFromCdn() == TRACK_BYTES,
          "node" + i + " counts every byte");
      NodeStats s = node.stats();
      assertEquals(TRACK_BYTES, s.bytesFromPeers() + s.bytesFromCdn(), "node" + i + ": " + s);
      peers += s.bytesFromPeers();
      cdn += s.bytesFromCdn();
    }
    double share = (double) peers / (peers + cdn);
    System.out.printf("later listeners: %d bytes from peers, %d from the CDN, peer share %.3f%n", peers, cdn, share);
    assertTrue(share >= 0.6, "peers served " + share + " of the later listeners' bytes");
    long uploaded = nodes.stream().mapToLong(n -> n.stats().bytesUploaded()).sum();
    assertTrue(uploaded >= peers, "every peer byte was uploaded by someone: " + uploaded + " < " + peers);
  }

  @Test
  void aNodeKilledMidTransferDoesNotBreakPlayback() throws Exception {
    swarm = new LocalSwarm(dir, 1, TRACK_BYTES, transport());
    LocalSwarm.Track track = swarm.tracks.get(0);
    // A slow holder (300 kB/s), so that the transfer is still going when it dies.
    ChorusNode holder = swarm.startNode("holder", b -> b.uploadBytesPerSecond(300_000));
    assertArrayEquals(track.content(), LocalSwarm.play(holder, track.id()));
    awaitHolders(track.id(), 1);
    ChorusNode listener = swarm.startNode("listener");
    CompletableFuture<byte[]> playback = CompletableFuture.supplyAsync(() -> {
      try {
        return LocalSwarm.play(listener, track.id());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Await.until(() -> listener.stats().bytesFromPeers() > 0 || playback.isDone(), "the listener receives from the holder");
    assertTrue(!playback.isDone(), "the transfer finished before the holder could be killed");
    holder.close();
    assertArrayEquals(track.content(), playback.get(2, TimeUnit.MINUTES));
    NodeStats s = listener.stats();
    assertTrue(s.bytesFromPeers() > 0 && s.bytesFromCdn() > 0, s.toString());
  }

  @Test
  void aPeerServingCorruptChunksIsBannedAndPlaybackCompletes() throws Exception {
    swarm = new LocalSwarm(dir, 1, TRACK_BYTES, transport());
    LocalSwarm.Track track = swarm.tracks.get(0);
    try (LyingPeer liar = LyingPeer.start(group, swarm, track)) {
      awaitHolders(track.id(), 1);
      ChorusNode victim = swarm.startNode("victim");
      assertArrayEquals(track.content(), LocalSwarm.play(victim, track.id()));
      assertTrue(liar.requestsAnswered() > 0, "the liar was asked");
      assertEquals(1, victim.stats().peersBanned());
    }
  }

  @Test
  void aPeerThatHangsUpRightAfterServingCorruptChunksIsBannedAllTheSame() throws Exception {
    swarm = new LocalSwarm(dir, 1, TRACK_BYTES, transport());
    LocalSwarm.Track track = swarm.tracks.get(0);
    try (LyingPeer liar = LyingPeer.startHangingUp(group, swarm, track)) {
      awaitHolders(track.id(), 1);
      NoiseKeyPair victimKey = NoiseKeyPair.generateX25519(new java.security.SecureRandom());
      ChorusNode victim = swarm.startNode("victim", b -> b.identity(victimKey));
      assertArrayEquals(track.content(), LocalSwarm.play(victim, track.id()));
      assertTrue(liar.requestsAnswered() > 0, "the liar was asked");
      assertEquals(1, victim.stats().peersBanned());
      // It cannot call back: its key (and address) is refused.
      java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class, () -> liar.dial(victim.peerPort(), victimKey.publicKey()).get(30, TimeUnit.SECONDS));
      assertEquals(ErrorCode.BANNED,
          ((dev.chorus.node.internal.peer.PeerConnectException) refused.getCause()).code(), String.valueOf(refused.getCause()));
    }
  }

  @Test
  void nodesRejoinARestartedTracker() throws Exception {
    swarm = new LocalSwarm(dir, 1, TRACK_BYTES, transport());
    LocalSwarm.Track track = swarm.tracks.get(0);
    ChorusNode holder = swarm.startNode("holder");
    assertArrayEquals(track.content(), LocalSwarm.play(holder, track.id()));
    awaitHolders(track.id(), 1);

    swarm.stopTracker();
    Await.until(() -> !holder.isTrackerConnected(), "the holder notices");
    swarm.startTracker(); // same port and key, empty index
    Await.until(holder::isTrackerConnected, "the holder reconnects");
    awaitHolders(track.id(), 1); // and announced its cache again

    ChorusNode late = swarm.startNode("late");
    assertArrayEquals(track.content(), LocalSwarm.play(late, track.id()));
    assertTrue(late.stats().bytesFromPeers() > 0, late.stats().toString());
  }

  /** Waits until the tracker returns at least {@code count} holders of a track. */
  private void awaitHolders(TrackId id, int count) throws Exception {
    NoiseKeyPair key = NoiseKeyPair.generateX25519(new SecureRandom());
    TrackerClientConfig config = TrackerClientConfig.builder(key)
        .tracker(TrackerEndpoint.of(swarm.trackerKey.publicKey(), "127.0.0.1", swarm.trackerPort))
        .listenPort(0)
        .build();
    try (TrackerClient client = TrackerClient.start(config, group, List::<Holding>of, new TrackerClientListener() {})) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (client.isConnected()) {
          try {
            List<TrackerPeerInfo> peers = client.lookup(id, null, 10).get(5, TimeUnit.SECONDS);
            if (peers.size() >= count) {
              return;
            }
          } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            // not yet
          }
        }
        Thread.sleep(100);
      }
      throw new AssertionError("the tracker never listed " + count + " holders of " + id);
    }
  }
}
