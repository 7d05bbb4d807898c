package dev.chorus.node.internal.cli;

import com.sun.net.httpserver.HttpServer;
import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.NodeListener;
import dev.chorus.node.stream.StreamServer;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.keys.NoiseKeyFile;
import dev.chorus.protocol.manifest.PublisherKey;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chorus node}: a node as a daemon. It caches what is played through its local stream
 * endpoint, serves peers, and exposes Prometheus metrics on loopback, until Ctrl-C.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Runs a Chorus node: a player plays http://127.0.0.1:<stream-port>/tracks/<trackId>; the "
          + "node fetches the track from its cache, nearby peers and the origin, caches it and "
          + "serves it to other peers. Runs until Ctrl-C.",
      ""
    },
    footer = {"", "Sizes and rates take a unit: 500MB, 2GB, 1MiB (rates per second: 2MB = 2 MB/s).",
        "Example: chorus node --origin http://127.0.0.1:8080/ --tracker <key>@127.0.0.1:7400"})
public final class NodeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger("chorus.node");

  @Option(names = "--origin", required = true, paramLabel = "URL",
      description = "Origin holding the published catalog: a base URL (CDN, public bucket, 'chorus origin') or a "
          + "private bucket as s3://BUCKET/PREFIX; repeat for failover, in order of preference.")
  List<URI> origins = new ArrayList<>();

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "For s3:// origins: the endpoint of an S3-compatible store, addressed path-style (default: AWS S3). "
          + "Credentials come from the AWS SDK's chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, roles).")
  URI s3Endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION",
      description = "For s3:// origins: the bucket's region (default: AWS_REGION or the AWS profile; "
          + "us-east-1 with --s3-endpoint).")
  String s3Region;

  @Option(names = "--tracker", paramLabel = "KEY@HOST:PORT",
      description = "The tracker, with its public key pinned (as 'chorus tracker' prints it). Without one, "
          + "peers are found through neighbours only.")
  String tracker;

  @Option(names = "--cache-dir", paramLabel = "DIR", description = "Chunk cache (RocksDB; default: ${DEFAULT-VALUE}).",
      defaultValue = "${sys:user.home}/.chorus/cache")
  Path cacheDir;

  @Option(names = "--cache-size", paramLabel = "SIZE",
      description = "Cache capacity (default: 10%% of the free disk, at least 50 MB, at most 10 GB).")
  String cacheSize;

  @Option(names = "--key", paramLabel = "FILE", description = "This node's identity key, created on first start "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "${sys:user.home}/.chorus/node.key")
  Path keyFile;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address peers connect to (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--listen-port", defaultValue = "7401",
      description = "Peer port (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int listenPort;

  @Option(names = "--no-incoming", description = "Accept no peer connections (behind NAT); still downloads, and"
      + " still serves peers that ask through the tracker (connection reversal) unless --no-reversal.")
  boolean noIncoming;

  @Option(names = "--port-mapping", paramLabel = "auto|off", defaultValue = "off",
      description = "auto: ask the home router to forward a TCP port to the peer port (PCP, then NAT-PMP, then "
          + "UPnP-IGD), renew it, announce the mapped port to the tracker, and remove it on exit. "
          + "Default: ${DEFAULT-VALUE}.")
  String portMapping;

  @Option(names = "--gateway", paramLabel = "IPV4",
      description = "The router that --port-mapping asks (default: the default route's gateway, from /proc/net/route).")
  String gateway;

  @Option(names = "--no-reversal", description = "Take no part in connection reversal: behind a NAT the node only"
      + " downloads (it is not indexed); when reachable it never asks unreachable holders to connect to it."
      + " Implies --no-punching.")
  boolean noReversal;

  @Option(names = "--no-punching", description = "Take no part in hole punching: when the tracker finds the peer port"
      + " unreachable, the node does not dial other unreachable holders from it at the tracker's signal (TCP"
      + " simultaneous open; needs a router that keeps source ports and drops, not refuses, unsolicited"
      + " connections), and the peer port is not shared (SO_REUSEPORT).")
  boolean noPunching;

  @Option(names = "--transport", paramLabel = "nio|epoll|auto", defaultValue = "nio",
      description = "Sockets (peers, tracker, stream endpoint) on Java NIO or on Linux's native epoll (Linux x86-64);"
          + " auto: epoll where it loads, else NIO (default: ${DEFAULT-VALUE}).")
  String transport;

  @Option(names = "--stream-port", defaultValue = "7402",
      description = "Local stream endpoint port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any).")
  int streamPort;

  @Option(names = "--metrics-port", defaultValue = "7403",
      description = "Prometheus /metrics on 127.0.0.1 (default: ${DEFAULT-VALUE}; -1 = off).")
  int metricsPort;

  @Option(names = "--upload-cap", paramLabel = "RATE", description = "Upload cap to peers per second (default: none).")
  String uploadCap;

  @Option(names = "--download-cap", paramLabel = "RATE",
      description = "Download cap from peers per second (default: none; origin reads are not capped).")
  String downloadCap;

  @Option(names = "--trust", paramLabel = "PUBKEY",
      description = "Accept only manifests signed by this publisher (chorus-ed25519-pub:...); repeatable. "
          + "Default: any correctly signed manifest.")
  List<String> trusted = new ArrayList<>();

  @Option(names = "--region", defaultValue = "", description = "Region tag sent to the tracker.")
  String region;

  @Option(names = "--no-telemetry",
      description = "Send the tracker no playback reports (by default, once a minute: bytes played from cache, "
          + "peers and CDN, plays, stutters, start latencies; nothing that names a track).")
  boolean noTelemetry;

  @Spec
  CommandSpec spec;

  /** Counted down to stop (the shutdown hook, or a test). */
  final CountDownLatch stop = new CountDownLatch(1);
  /** Completed with the stream and metrics addresses once serving (tests). */
  final java.util.concurrent.CompletableFuture<InetSocketAddress[]> started =
      new java.util.concurrent.CompletableFuture<>();

  public static void main(String[] args) {
    Cli.main(new NodeCommand(), args);
  }

  @Override
  public Integer call() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    NodeConfig config = config(registry);
    ChorusNode node;
    try {
      node = ChorusNode.start(config);
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, "cannot start the node: " + Cli.describe(e));
    } catch (IllegalArgumentException e) { // e.g. an s3:// origin without a region
      throw new CliException(Cli.USAGE, "cannot start the node: " + e.getMessage() + " (see --help)");
    }
    StreamServer stream = null;
    HttpServer metrics = null;
    CountDownLatch closedDown = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        closedDown.await(); // let call() close everything in order before the JVM exits
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "chorus-node-shutdown");
    try {
      stream = StreamServer.start(node, new InetSocketAddress("127.0.0.1", streamPort));
      if (metricsPort >= 0) {
        metrics = metricsServer(registry, node);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("node " + node.nodeId().toHex() + " running: peers on port " + node.peerPort()
          + " (" + node.transport() + ")"
          + ", streams at http://127.0.0.1:" + stream.port() + "/tracks/<trackId>"
          + (metrics == null ? "" : ", metrics at http://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics")
          + " (Ctrl-C to stop)");
      out.flush();
      started.complete(new InetSocketAddress[] {new InetSocketAddress("127.0.0.1", stream.port()),
          metrics == null ? null : metrics.getAddress()});
      Runtime.getRuntime().addShutdownHook(hook);
      stop.await();
      log.info("shutting down");
      return Cli.OK;
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, Cli.describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Cli.OK;
    } finally {
      if (stream != null) {
        stream.close();
      }
      if (metrics != null) {
        metrics.stop(0);
      }
      node.close();
      closedDown.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException | IllegalArgumentException e) {
        // the JVM is shutting down (the hook is running), or it was never added
      }
    }
  }

  private NodeConfig config(PrometheusMeterRegistry registry) {
    NoiseKeyPair key;
    try {
      key = NoiseKeyFile.loadOrCreate(keyFile, new SecureRandom());
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, "--key: " + Cli.describe(e));
    }
    try {
      return builder(key).meterRegistry(registry).build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Cli.USAGE, e.getMessage() + " (see --help)");
    }
  }

  private NodeConfig.Builder builder(NoiseKeyPair key) {
    NodeConfig.Builder b = NodeConfig.builder().identity(key).bindHost(bind).listenPort(listenPort)
        .acceptIncoming(!noIncoming).reversal(!noReversal).punching(!noPunching).region(region).telemetry(!noTelemetry).listener(new LoggingListener());
    origins.forEach(b::origin);
    b.portMapping(portMappingMode());
    b.transport(transportChoice());
    if (gateway != null) {
      b.portMappingGateway(ipv4("--gateway", gateway));
    }
    if (s3Endpoint != null) {
      b.s3Endpoint(s3Endpoint);
    }
    if (s3Region != null) {
      b.s3Region(s3Region);
    }
    if (tracker != null) {
      b.tracker(tracker);
    }
    try {
      Files.createDirectories(cacheDir);
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, "--cache-dir: cannot create " + cacheDir + ": " + Cli.describe(e));
    }
    b.cacheDirectory(cacheDir);
    if (cacheSize != null) {
      b.cacheCapacityBytes(bytes("--cache-size", cacheSize));
    }
    if (uploadCap != null) {
      b.uploadBytesPerSecond(bytes("--upload-cap", uploadCap));
    }
    if (downloadCap != null) {
      b.downloadBytesPerSecond(bytes("--download-cap", downloadCap));
    }
    for (String t : trusted) {
      try {
        b.trustedPublisher(PublisherKey.fromText(t.trim()));
      } catch (IllegalArgumentException e) {
        throw new CliException(Cli.USAGE, "--trust: " + e.getMessage());
      }
    }
    return b;
  }

  private NodeConfig.PortMapping portMappingMode() {
    return switch (portMapping.trim().toLowerCase(Locale.ROOT)) {
      case "auto" -> NodeConfig.PortMapping.AUTO;
      case "off" -> NodeConfig.PortMapping.OFF;
      default -> throw new CliException(Cli.USAGE, "--port-mapping: '" + portMapping + "' is neither auto nor off");
    };
  }

  private Transport transportChoice() {
    try {
      return Transport.named(transport.trim());
    } catch (IllegalArgumentException e) {
      throw new CliException(Cli.USAGE, "--transport: " + e.getMessage());
    }
  }

  /** An IPv4 literal, never a name (no DNS lookup for the router). */
  static java.net.InetAddress ipv4(String option, String text) {
    String t = text.trim();
    String[] parts = t.split("\\.", -1);
    boolean literal = parts.length == 4;
    for (String p : parts) {
      literal &= !p.isEmpty() && p.length() <= 3 && p.chars().allMatch(Character::isDigit) && Integer.parseInt(p) <= 255;
    }
    if (!literal) {
      throw new CliException(Cli.USAGE, option + ": '" + text + "' is not an IPv4 address like 192.168.1.1");
    }
    try {
      return java.net.InetAddress.getByName(t);
    } catch (java.net.UnknownHostException e) {
      throw new CliException(Cli.USAGE, option + ": '" + text + "' is not an IPv4 address");
    }
  }

  /** Parses 500MB, 2GB, 1MiB, 4096 (bytes). */
  static long bytes(String option, String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    String[][] units = {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"KB", "1000"},
        {"MB", "1000000"}, {"GB", "1000000000"}, {"B", "1"}};
    for (String[] u : units) {
      if (t.endsWith(u[0])) {
        unit = Long.parseLong(u[1]);
        t = t.substring(0, t.length() - u[0].length()).trim();
        break;
      }
    }
    try {
      long v = Long.parseLong(t);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(v, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new CliException(Cli.USAGE, option + ": '" + text + "' is not a size like 500MB, 2GB or 1MiB");
    }
  }

  private HttpServer metricsServer(PrometheusMeterRegistry registry, ChorusNode node) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", metricsPort), 8);
    server.createContext("/metrics", exchange -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(body);
      }
    });
    server.createContext("/healthz", exchange -> {
      byte[] body = ("ok " + node.stats() + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(body);
      }
    });
    server.start();
    return server;
  }

  /** One log line per notable event. */
  private static final class LoggingListener implements NodeListener {
    @Override
    public void playbackStarted(TrackId trackId, long startLatencyNanos) {
      log.info("playing {} (ready to play after {} ms)", trackId, startLatencyNanos / 1_000_000);
    }

    @Override
    public void stutter(TrackId trackId, long positionBytes) {
      log.warn("playback of {} waited for data at byte {}", trackId, positionBytes);
    }

    @Override
    public void trackComplete(TrackId trackId, long fromCache, long fromPeers, long fromCdn) {
      log.info("cached {}", trackId);
    }

    @Override
    public void peerBanned(NodeId peer) {
      log.warn("banned peer {} for sending bad data", peer);
    }

    @Override
    public void trackerConnection(boolean connected) {
      log.info(connected ? "tracker connected" : "tracker connection lost; reconnecting");
    }

    @Override
    public void cachingDisabled(Exception cause) {
      log.error("the cache failed and is off; streaming continues without it: {}", cause.toString());
    }
  }
}
