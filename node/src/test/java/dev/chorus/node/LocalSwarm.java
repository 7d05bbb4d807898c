package dev.chorus.node;

import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.TestServers;
import dev.chorus.testing.process.FreePorts;
import dev.chorus.testing.process.NginxServer;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * A swarm on loopback for tests: a catalog of signed tracks served by a real nginx, a real
 * tracker, and nodes started on demand (each with its own RocksDB cache).
 */
final class LocalSwarm implements AutoCloseable {
  static final int CHUNK_BYTES = 16_384;
  /** 20,000 B/s, i.e. 160 kbit/s: 15 s of audio is 300,000 bytes. */
  static final int BYTES_PER_SECOND = 20_000;

  record Track(TrackManifest manifest, byte[] content) {
    TrackId id() {
      return manifest.trackId();
    }
  }

  final Path dir;
  final NginxServer nginx;
  final List<Track> tracks = new ArrayList<>();
  final NoiseKeyPair trackerKey = NoiseKeyPair.generateX25519(new SecureRandom());
  final List<ChorusNode> nodes = new ArrayList<>();
  private final List<PeerIndex> indexes = new ArrayList<>();
  /** The nodes' transport (the tracker keeps its default). */
  final Transport transport;
  TrackerServer tracker;
  int trackerPort;

  LocalSwarm(Path dir, int trackCount, int trackBytes) throws IOException, InterruptedException {
    this(dir, trackCount, trackBytes, Transport.NIO);
  }

  LocalSwarm(Path dir, int trackCount, int trackBytes, Transport transport) throws IOException, InterruptedException {
    this.dir = dir;
    this.transport = transport;
    Path catalog = Files.createDirectories(dir.resolve("catalog"));
    PublisherKeyPair publisher = PublisherKeyPair.generate(new SecureRandom());
    for (int i = 0; i < trackCount; i++) {
      byte[] content = new byte[trackBytes];
      new Random(1000 + i).nextBytes(content);
      TrackManifest m = TrackManifest.builder()
          .mimeType("audio/ogg; codecs=opus")
          .originKey("audio/track-" + i + ".opus")
          .durationMillis(trackBytes * 1000L / BYTES_PER_SECOND)
          .bitsPerSecond(BYTES_PER_SECOND * 8)
          .chunkSizeBytes(CHUNK_BYTES)
          .publish(content, publisher);
      Files.createDirectories(catalog.resolve("manifests"));
      Files.write(catalog.resolve("manifests").resolve(m.trackId().toHex()), m.encoded());
      Files.createDirectories(catalog.resolve("audio"));
      Files.write(catalog.resolve(m.originKey()), content);
      tracks.add(new Track(m, content));
    }
    nginx = TestServers.nginx(catalog);
    trackerPort = FreePorts.loopback();
    startTracker();
  }

  void startTracker() throws InterruptedException {
    PeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
    indexes.add(index);
    TrackerConfig config = TrackerConfig.builder(trackerKey)
        .listenAddress(new InetSocketAddress("127.0.0.1", trackerPort))
        .ioThreads(1)
        .shutdownGrace(Duration.ofSeconds(2))
        .build();
    tracker = TrackerServer.start(config, index, TrackerListener.NOOP);
  }

  /** The index of the tracker running now. */
  PeerIndex index() {
    return indexes.get(indexes.size() - 1);
  }

  void stopTracker() {
    tracker.close();
  }

  String trackerSpec() {
    return HexFormat.of().formatHex(trackerKey.publicKey()) + "@127.0.0.1:" + trackerPort;
  }

  ChorusNode startNode(String name, UnaryOperator<NodeConfig.Builder> settings) throws IOException {
    NodeConfig.Builder b = NodeConfig.builder()
        .origin(nginx.baseUri())
        .tracker(trackerSpec())
        .bindHost("127.0.0.1")
        .cacheDirectory(Files.createDirectories(dir.resolve("nodes").resolve(name)))
        .cacheCapacityBytes(64L * 1024 * 1024)
        .transport(transport);
    ChorusNode node = ChorusNode.start(settings.apply(b).build());
    nodes.add(node);
    return node;
  }

  ChorusNode startNode(String name) throws IOException {
    return startNode(name, b -> b);
  }

  /** Reads a whole track through a node's stream. */
  static byte[] play(ChorusNode node, TrackId id) throws IOException {
    try (TrackStream in = node.open(id)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) in.length());
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  @Override
  public void close() {
    for (ChorusNode n : nodes) {
      n.close();
    }
    if (tracker != null) {
      tracker.close();
    }
    nginx.close();
  }
}
