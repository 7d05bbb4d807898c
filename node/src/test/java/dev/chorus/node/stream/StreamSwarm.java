package dev.chorus.node.stream;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.node.internal.trackerclient.TrackerClient;
import dev.chorus.node.internal.trackerclient.TrackerClientConfig;
import dev.chorus.node.internal.trackerclient.TrackerClientListener;
import dev.chorus.node.internal.trackerclient.TrackerEndpoint;
import dev.chorus.node.internal.trackerclient.TrackerPeerInfo;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.TestServers;
import dev.chorus.testing.process.FreePorts;
import dev.chorus.testing.process.NginxServer;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A catalog published the way nodes read it ({@code manifests/<id>} and the audio at its origin
 * key) served by a real nginx, optionally a real tracker, and nodes started on demand.
 */
final class StreamSwarm implements AutoCloseable {
  final Path dir;
  final Path catalog;
  final NginxServer nginx;
  final PublisherKeyPair publisher = PublisherKeyPair.generate(new SecureRandom());
  final NoiseKeyPair trackerKey = NoiseKeyPair.generateX25519(new SecureRandom());
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private TrackerServer tracker;
  private int trackerPort;

  StreamSwarm(Path dir) throws IOException {
    this.dir = dir;
    this.catalog = Files.createDirectories(dir.resolve("catalog"));
    Files.createDirectories(catalog.resolve("manifests"));
    this.nginx = TestServers.nginx(catalog);
  }

  /** Publishes {@code content} (a file) under {@code originKey}, cut into {@code chunkBytes} chunks. */
  TrackManifest publish(Path content, String originKey, String mimeType, long durationMillis, int chunkBytes)
      throws IOException {
    long size = Files.size(content);
    int bps = (int) Math.max(1, size * 8_000 / Math.max(1, durationMillis));
    TrackManifest m;
    try (InputStream in = Files.newInputStream(content)) {
      m = TrackManifest.builder()
          .mimeType(mimeType)
          .originKey(originKey)
          .durationMillis(durationMillis)
          .bitsPerSecond(bps)
          .chunkSizeBytes(chunkBytes)
          .publish(in, publisher);
    }
    Path target = catalog.resolve(originKey);
    Files.createDirectories(target.getParent());
    Files.copy(content, target);
    Files.write(catalog.resolve("manifests").resolve(m.trackId().toHex()), m.encoded());
    return m;
  }

  TrackManifest publish(byte[] content, String originKey, String mimeType, int chunkBytes) throws IOException {
    Path tmp = Files.createTempFile(dir, "track", ".bin");
    Files.write(tmp, content);
    return publish(tmp, originKey, mimeType, content.length * 1000L / 20_000, chunkBytes);
  }

  void startTracker() throws IOException, InterruptedException {
    trackerPort = FreePorts.loopback();
    TrackerConfig config = TrackerConfig.builder(trackerKey)
        .listenAddress(new InetSocketAddress("127.0.0.1", trackerPort))
        .ioThreads(1)
        .shutdownGrace(Duration.ofSeconds(2))
        .build();
    tracker = TrackerServer.start(config, InMemoryPeerIndex.create(PeerIndexConfig.defaults()), TrackerListener.NOOP);
  }

  ChorusNode startNode(String name, UnaryOperator<NodeConfig.Builder> settings) throws IOException {
    NodeConfig.Builder b = NodeConfig.builder()
        .origin(nginx.baseUri())
        .bindHost("127.0.0.1")
        .cacheDirectory(Files.createDirectories(dir.resolve("nodes").resolve(name)))
        .cacheCapacityBytes(64L * 1024 * 1024);
    if (tracker != null) {
      b.tracker(HexFormat.of().formatHex(trackerKey.publicKey()) + "@127.0.0.1:" + trackerPort);
    }
    ChorusNode node = ChorusNode.start(settings.apply(b).build());
    closeables.add(node);
    return node;
  }

  StreamServer serve(ChorusNode node, StreamListener listener) throws IOException {
    StreamServer server = StreamServer.start(node, new InetSocketAddress("127.0.0.1", 0), listener);
    closeables.add(server);
    return server;
  }

  /** Plays a whole track through a node (as a holder would have). */
  static void play(ChorusNode node, TrackId id) throws IOException {
    try (InputStream in = node.open(id)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  /** Waits until the tracker returns at least one holder of a track. */
  void awaitHolder(TrackId id) throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(1);
    TrackerClientConfig config = TrackerClientConfig.builder(NoiseKeyPair.generateX25519(new SecureRandom()))
        .tracker(TrackerEndpoint.of(trackerKey.publicKey(), "127.0.0.1", trackerPort))
        .listenPort(0)
        .build();
    try (TrackerClient client = TrackerClient.start(config, group, List::<Holding>of, new TrackerClientListener() {})) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (client.isConnected()) {
          try {
            List<TrackerPeerInfo> peers = client.lookup(id, null, 10).get(5, TimeUnit.SECONDS);
            if (!peers.isEmpty()) {
              return;
            }
          } catch (ExecutionException | TimeoutException e) {
            // not yet
          }
        }
        Thread.sleep(100);
      }
      throw new AssertionError("the tracker never listed a holder of " + id);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Override
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
    if (tracker != null) {
      tracker.close();
    }
    nginx.close();
  }
}
