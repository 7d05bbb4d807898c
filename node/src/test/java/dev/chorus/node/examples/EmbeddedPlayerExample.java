package dev.chorus.node.examples;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.NodeStats;
import dev.chorus.node.TrackStream;
import dev.chorus.node.stream.StreamServer;
import dev.chorus.protocol.manifest.TrackId;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedding example of the README, compiled by the build so that it stays true:
 * {@code EmbeddedPlayerExample <origin URL> <tracker key@host:port> <trackId> <out file> [cache dir]}.
 */
public final class EmbeddedPlayerExample {
  private EmbeddedPlayerExample() {}

  public static void main(String[] args) throws Exception {
    NodeConfig config = NodeConfig.builder()
        .origin(URI.create(args[0]))                       // where the published catalog lives
        .tracker(args[1])                                  // <64 hex key>@host:port, key pinned
        .cacheDirectory(args.length > 4 ? Path.of(args[4])
            : Path.of(System.getProperty("user.home"), ".chorus", "example-cache"))
        .build();
    try (ChorusNode node = ChorusNode.start(config);
         StreamServer http = StreamServer.start(node)) {   // optional: a URL any player can play
      TrackId track = TrackId.fromHex(args[2]);
      System.out.println("a player can also play " + http.url(track));
      try (TrackStream in = node.open(track);            // blocks until the manifest is known
           OutputStream out = Files.newOutputStream(Path.of(args[3]))) {
        System.out.println(in.contentType() + ", " + in.length() + " bytes");
        in.transferTo(out);                                // verified bytes, in order
      }
      NodeStats stats = node.stats();
      System.out.printf("played from cache %d B, peers %d B, CDN %d B; start %.1f ms%n",
          stats.played().fromCache(), stats.played().fromPeers(), stats.played().fromCdn(),
          stats.startLatencyP50Nanos() / 1e6);
    }
  }
}
