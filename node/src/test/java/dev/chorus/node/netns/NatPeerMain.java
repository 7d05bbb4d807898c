package dev.chorus.node.netns;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.NodeStats;
import dev.chorus.node.TrackStream;
import dev.chorus.node.internal.inspect.NeighbourView;
import dev.chorus.node.internal.inspect.NodeInspection;
import dev.chorus.node.internal.inspect.NodeView;
import dev.chorus.node.internal.originserver.OriginServer;
import dev.chorus.node.internal.originserver.OriginServerConfig;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.tracker.IpRange;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.TraversalConfig;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@link NatTraversalNetnsTest} runs inside a network namespace, as a child JVM on the test
 * classpath: the hub (tracker and origin) or one node. It prints {@code READY …} when started,
 * then obeys one command per line on stdin and answers on stdout; end of input stops it.
 *
 * <pre>
 * hub  CATALOG TRACKER_PORT ORIGIN_PORT      → READY trackerKeyHex originUri
 *   holders TRACK → HOLDERS nodeIdHex:indexedPort … (what the tracker's index holds for the track)
 * node NAME TRACKER_SPEC ORIGIN_URI CACHE_DIR LISTEN_PORT   → READY nodeIdHex
 *   play TRACK    → PLAYED bytes sha256
 *   stats         → STATS fromPeers fromCdn uploaded, NEIGHBOUR id address received sent port …, END
 * </pre>
 */
public final class NatPeerMain {
  private NatPeerMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    // Library logging goes to stderr, which the test keeps in a file.
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (args[0].equals("hub")) {
      hub(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), in, out);
    } else {
      node(args[1], args[2], args[3], Path.of(args[4]), Integer.parseInt(args[5]), in, out);
    }
    System.exit(0);
  }

  private static void hub(Path catalog, int trackerPort, int originPort, BufferedReader in, PrintStream out)
      throws Exception {
    NoiseKeyPair key = NoiseKeyPair.generateX25519(new SecureRandom());
    TraversalConfig traversal = TraversalConfig.builder()
        // The lab's addresses are documentation ranges, which a tracker does not probe unless told.
        .probeRanges(List.of(IpRange.parse("198.51.100.0/24"), IpRange.parse("203.0.113.0/24")))
        .build();
    try (PeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
         TrackerServer tracker = TrackerServer.start(TrackerConfig.builder(key)
             .listenAddress(new InetSocketAddress("0.0.0.0", trackerPort)).ioThreads(1).traversal(traversal).build(),
             index, TrackerListener.NOOP);
         OriginServer origin = OriginServer.start(OriginServerConfig.builder().root(catalog).host("0.0.0.0")
             .port(originPort).build())) {
      out.println("READY " + HexFormat.of().formatHex(tracker.publicKey()) + " " + origin.baseUri());
      for (String line; (line = in.readLine()) != null; ) {
        String[] cmd = line.trim().split(" ");
        if (cmd[0].equals("holders")) {
          StringBuilder answer = new StringBuilder("HOLDERS ");
          for (var c : index.candidates(TrackId.fromHex(cmd[1]), System.currentTimeMillis()).toCompletableFuture()
              .get(30, TimeUnit.SECONDS)) {
            answer.append(c.peer().nodeId().toHex()).append(':').append(c.peer().port()).append(' ');
          }
          out.println(answer);
        } else {
          out.println("UNKNOWN " + line);
        }
      }
    }
  }

  private static void node(String name, String tracker, String origin, Path cache, int listenPort,
      BufferedReader in, PrintStream out) throws Exception {
    NodeConfig config = NodeConfig.builder()
        .origin(java.net.URI.create(origin))
        .tracker(tracker)
        .bindHost("0.0.0.0")
        .listenPort(listenPort)
        .cacheDirectory(Files.createDirectories(cache))
        .cacheCapacityBytes(64L * 1024 * 1024)
        .build();
    try (ChorusNode node = ChorusNode.start(config)) {
      out.println("READY " + node.nodeId().toHex());
      for (String line; (line = in.readLine()) != null; ) {
        String[] cmd = line.trim().split(" ");
        switch (cmd[0]) {
          case "play" -> {
            TrackId id = TrackId.fromHex(cmd[1]);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long bytes = 0;
            try (TrackStream s = node.open(id)) {
              byte[] buf = new byte[65536];
              for (int n; (n = s.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                bytes += n;
              }
            }
            out.println("PLAYED " + bytes + " " + HexFormat.of().formatHex(sha.digest()));
          }
          case "cached" -> out.println("CACHED " + node.isCached(TrackId.fromHex(cmd[1])));
          case "tracker" -> out.println("TRACKER " + node.isTrackerConnected());
          case "stats" -> {
            NodeStats s = node.stats();
            out.println("STATS " + s.bytesFromPeers() + " " + s.bytesFromCdn() + " " + s.bytesUploaded());
            NodeView view = NodeInspection.of(node).view(Runnable::run).get(30, TimeUnit.SECONDS);
            for (NeighbourView n : view.neighbours()) {
              out.println("NEIGHBOUR " + n.id().toHex() + " " + n.address().getAddress().getHostAddress() + " "
                  + n.bytes().received() + " " + n.bytes().sent() + " " + n.address().getPort());
            }
            out.println("END");
          }
          default -> out.println("UNKNOWN " + line);
        }
      }
    }
  }
}
