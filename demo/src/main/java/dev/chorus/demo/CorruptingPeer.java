package dev.chorus.demo;

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
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.PeerMessage;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A protocol-following peer that corrupts what it serves: it tells the tracker it holds every
 * track of the catalog, and answers each chunk request with the real chunks, one byte of each
 * flipped, so that every chunk has the right length and fails verification. It lives on its own
 * loopback address, so that a victim's ban by address hits it and not the rest of the swarm.
 * Like the node tests' {@code LyingPeer}, it is the node's own {@link PeerNetwork} and {@link
 * TrackerClient} with a scripted listener.
 */
final class CorruptingPeer implements AutoCloseable {
  private final PeerNetwork network;
  private final TrackerClient tracker;
  private final AtomicLong chunksSent;

  private CorruptingPeer(PeerNetwork network, TrackerClient tracker, AtomicLong chunksSent) {
    this.network = network;
    this.tracker = tracker;
    this.chunksSent = chunksSent;
  }

  /**
   * Starts on {@code address} with a fresh key; {@code content} holds each track's published bytes.
   */
  static CorruptingPeer start(EventLoopGroup group, InetAddress address, byte[] trackerKey, int trackerPort,
      Map<TrackId, byte[]> content, List<TrackManifest> manifests, AtomicLong chunksSent) throws IOException {
    NoiseKeyPair key = NoiseKeyPair.generateX25519(new SecureRandom());
    Map<TrackId, TrackManifest> byId = new java.util.HashMap<>();
    manifests.forEach(m -> byId.put(m.trackId(), m));
    PeerNetworkListener corrupt = new PeerNetworkListener() {
      @Override
      public void message(PeerLink link, PeerMessage message) {
        if (!message.hasChunkRequest()) {
          return;
        }
        ChunkRequest r = message.getChunkRequest();
        TrackId track = TrackId.fromBytes(r.getTrackId().toByteArray());
        TrackManifest m = byId.get(track);
        if (m == null) {
          return;
        }
        byte[] bytes = content.get(track);
        for (int i = r.getFirstIndex(); i < r.getFirstIndex() + r.getCount() && i < m.chunkCount(); i++) {
          long offset = (long) i * m.chunkSizeBytes();
          byte[] chunk = java.util.Arrays.copyOfRange(bytes, (int) offset, (int) offset + m.chunkLength(i));
          chunk[chunk.length / 2] ^= 0x5A;
          link.write(PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(r.getRequestId())
              .setIndex(i).setData(ByteString.copyFrom(chunk))).build());
          chunksSent.incrementAndGet();
        }
        link.flush();
      }
    };
    PeerNetwork network = PeerNetwork.start(PeerNetworkConfig.builder(key).bindAddress(address).build(), group,
        corrupt, () -> VivaldiCoordinate.ORIGIN);
    List<Holding> all = manifests.stream().map(m -> Holding.complete(m.trackId(), m.chunkCount())).toList();
    TrackerClient tracker = TrackerClient.start(TrackerClientConfig.builder(key)
        .tracker(TrackerEndpoint.of(trackerKey, "127.0.0.1", trackerPort))
        .listenPort(network.listenPort())
        .localAddress(address)
        .build(), group, () -> all, TrackerClientListener.NOOP);
    return new CorruptingPeer(network, tracker, chunksSent);
  }

  long chunksSent() {
    return chunksSent.get();
  }

  @Override
  public void close() {
    tracker.close();
    network.close();
  }
}
