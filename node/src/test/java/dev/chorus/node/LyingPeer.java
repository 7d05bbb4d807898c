package dev.chorus.node;

import com.google.protobuf.ByteString;
import dev.chorus.node.internal.peer.PeerLink;
import dev.chorus.node.internal.peer.PeerNetwork;
import dev.chorus.node.internal.peer.PeerNetworkConfig;
import dev.chorus.node.internal.peer.PeerNetworkListener;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.node.internal.trackerclient.TrackerClient;
import dev.chorus.node.internal.trackerclient.TrackerClientConfig;
import dev.chorus.node.internal.trackerclient.TrackerClientListener;
import dev.chorus.node.internal.trackerclient.TrackerEndpoint;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.PeerMessage;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted bad peer: it tells the tracker it holds a whole track and answers every chunk request
 * with bytes of the right length that fail verification; {@link #startHangingUp} then hangs up at
 * once, before the victim has verified them.
 */
final class LyingPeer implements AutoCloseable {
  private final PeerNetwork network;
  private final TrackerClient tracker;
  private final AtomicInteger answered;

  private LyingPeer(PeerNetwork network, TrackerClient tracker, AtomicInteger answered) {
    this.network = network;
    this.tracker = tracker;
    this.answered = answered;
  }

  static LyingPeer start(EventLoopGroup group, LocalSwarm swarm, LocalSwarm.Track track) throws IOException {
    return start(group, swarm, track, false);
  }

  /** A liar that closes the link right after sending its corrupt chunks. */
  static LyingPeer startHangingUp(EventLoopGroup group, LocalSwarm swarm, LocalSwarm.Track track) throws IOException {
    return start(group, swarm, track, true);
  }

  private static LyingPeer start(EventLoopGroup group, LocalSwarm swarm, LocalSwarm.Track track, boolean hangUp)
      throws IOException {
    NoiseKeyPair key = NoiseKeyPair.generateX25519(new SecureRandom());
    TrackManifest m = track.manifest();
    AtomicInteger answered = new AtomicInteger();
    PeerNetworkListener liar = new PeerNetworkListener() {
      @Override
      public void message(PeerLink link, PeerMessage message) {
        if (message.hasChunkRequest()) {
          ChunkRequest r = message.getChunkRequest();
          answered.incrementAndGet();
          for (int i = r.getFirstIndex(); i < r.getFirstIndex() + r.getCount(); i++) {
            link.write(PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(r.getRequestId())
                .setIndex(i).setData(ByteString.copyFrom(new byte[m.chunkLength(i)]))).build());
          }
          link.flush();
          if (hangUp) {
            link.close(ErrorCode.NONE, "bye");
          }
        }
      }
    };
    PeerNetwork network = PeerNetwork.start(PeerNetworkConfig.builder(key)
        .bindAddress(InetAddress.getLoopbackAddress()).build(), group, liar, () -> VivaldiCoordinate.ORIGIN);
    TrackerClient tracker = TrackerClient.start(TrackerClientConfig.builder(key)
        .tracker(TrackerEndpoint.of(swarm.trackerKey.publicKey(), "127.0.0.1", swarm.trackerPort))
        .listenPort(network.listenPort())
        .build(), group, () -> List.of(Holding.complete(m.trackId(), m.chunkCount())), new TrackerClientListener() {});
    return new LyingPeer(network, tracker, answered);
  }

  /** Dials the node with {@code nodeKey} at {@code port} on loopback; the future fails if it refuses the liar. */
  java.util.concurrent.CompletableFuture<PeerLink> dial(int port, byte[] nodeKey) {
    return network.connect(new java.net.InetSocketAddress("127.0.0.1", port), nodeKey);
  }

  int requestsAnswered() {
    return answered.get();
  }

  @Override
  public void close() {
    tracker.close();
    network.close();
  }
}
