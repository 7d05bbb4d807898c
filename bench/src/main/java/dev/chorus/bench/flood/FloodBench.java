package dev.chorus.bench.flood;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tracker flood of issue 17, as a bench: a real tracker in its own JVM with a 1 GB heap (the
 * {@code chorus-tracker} command, default limits unless {@code --unbounded}), flooded for a
 * bounded time over real Noise connections by a protocol-following attacker — fresh keys on many
 * loopback addresses, 1000 random track ids per announce (every other one partial, bitmaps of
 * 1..2048 bytes), each connection at the default announce rate — while a well-behaved node's
 * tracks are looked up at 10/s. Reports what the tracker held, its heap after a full GC, and the
 * lookups served. Wall-clock figures: this is a bench, not a test.
 */
public final class FloodBench {
  private static final int GOOD_TRACKS = 10;

  private FloodBench() {}

  public static String usage() {
    return "tracker-flood options: --seconds N (60) --addresses N (16, 127.0.0.2..) --connections-per-address N (12)\n"
        + "                       --heap SIZE (1g) --unbounded (limits so high that nothing is refused, for comparison)";
  }

  public static List<String> run(List<String> args) throws Exception {
    int seconds = 60;
    int addresses = 16;
    int perAddress = 12;
    String heap = "1g";
    boolean unbounded = false;
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--seconds" -> seconds = Integer.parseInt(args.get(++i));
        case "--addresses" -> addresses = Integer.parseInt(args.get(++i));
        case "--connections-per-address" -> perAddress = Integer.parseInt(args.get(++i));
        case "--heap" -> heap = args.get(++i);
        case "--unbounded" -> unbounded = true;
        default -> throw new IllegalArgumentException("unknown option " + args.get(i) + "\n" + usage());
      }
    }
    if (addresses < 1 || addresses > 250 || perAddress < 1 || perAddress > 64 || seconds < 1 || seconds > 3600) {
      throw new IllegalArgumentException("--addresses 1..250, --connections-per-address 1..64, --seconds 1..3600");
    }
    Path dir = Files.createTempDirectory("chorus-flood");
    int port = freePort();
    int metricsPort = freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms" + heap, "-Xmx" + heap,
        "-cp", System.getProperty("java.class.path"), "dev.chorus.tracker.cli.TrackerMain",
        "--listen", "127.0.0.1:" + port, "--metrics", "127.0.0.1:" + metricsPort,
        "--key-file", dir.resolve("tracker.key").toString()));
    if (unbounded) {
      command.addAll(List.of("--max-holdings-per-key", "100000000", "--max-holdings-per-prefix", "1000000000",
          "--max-partial-bytes-per-key", "1024g", "--max-index-bytes", "1048576g"));
    }
    Path log = dir.resolve("tracker.log");
    Process tracker = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    EventLoopGroup group = new NioEventLoopGroup(2);
    try {
      byte[] trackerKey = awaitKey(log, tracker);
      return flood(group, trackerKey, new InetSocketAddress("127.0.0.1", port), metricsPort, tracker, log,
          seconds, addresses, perAddress, unbounded);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      tracker.destroy();
      if (!tracker.waitFor(10, TimeUnit.SECONDS)) {
        tracker.destroyForcibly();
      }
    }
  }

  private static List<String> flood(EventLoopGroup group, byte[] trackerKey, InetSocketAddress tracker, int metricsPort,
      Process process, Path log, int seconds, int addresses, int perAddress, boolean unbounded) throws Exception {
    SecureRandom keys = new SecureRandom();
    SplittableRandom random = new SplittableRandom(17);
    byte[][] goodTracks = new byte[GOOD_TRACKS][];
    for (int i = 0; i < GOOD_TRACKS; i++) {
      goodTracks[i] = randomId(random);
    }
    NoiseKeyPair goodKey = NoiseKeyPair.generateX25519(keys);
    NodeId goodId = NodeId.ofStaticKey(goodKey.publicKey());
    Client good = connect(group, tracker, trackerKey, goodKey, "127.0.0.1", 4001, c -> c.send(announce(goodTracks)));
    AtomicLong served = new AtomicLong();
    AtomicLong wrong = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    Client asker = connect(group, tracker, trackerKey, NoiseKeyPair.generateX25519(keys), "127.0.0.1", 0, c -> { });
    asker.onMessage = m -> {
      if (m.hasLookupResult()) {
        boolean found = m.getLookupResult().getPeersList().stream()
            .anyMatch(p -> NodeId.fromBytes(p.getNodeId().toByteArray()).equals(goodId));
        (found ? served : wrong).incrementAndGet();
      }
    };
    Thread.sleep(500); // the good node's announce is in before the flood starts

    AtomicLong refusals = new AtomicLong();
    AtomicLong announcesSent = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Client> attackers = new ArrayList<>();
    for (int a = 0; a < addresses; a++) {
      for (int k = 0; k < perAddress; k++) {
        SplittableRandom own = random.split();
        Client c = connect(group, tracker, trackerKey, NoiseKeyPair.generateX25519(keys), "127.0.0." + (2 + a),
            5000 + attackers.size(), self -> self.channel.eventLoop().scheduleAtFixedRate(() -> {
              if (!stop.get() && self.channel.isActive() && self.channel.isWritable()) {
                self.send(floodAnnounce(own));
                announcesSent.incrementAndGet();
              }
            }, 0, 100, TimeUnit.MILLISECONDS));
        c.onMessage = m -> {
          if (m.hasError()) {
            refusals.incrementAndGet();
          }
        };
        attackers.add(c);
      }
    }
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long maxAccounted = 0;
    long lookupId = 0;
    double oomAt = -1;
    while (System.nanoTime() < end && process.isAlive()) {
      for (int i = 0; i < 10; i++) {
        asker.send(TrackerMessage.newBuilder().setLookup(Lookup.newBuilder().setLookupId(++lookupId)
            .setTrackId(ByteString.copyFrom(goodTracks[i])).setMaxPeers(10)).build());
        sent.incrementAndGet();
        Thread.sleep(100);
      }
      maxAccounted = Math.max(maxAccounted, (long) metric(metricsPort, "chorus_tracker_index_accounted_bytes"));
      if (oomAt < 0 && Files.readString(log).contains("OutOfMemoryError")) {
        oomAt = (System.nanoTime() - start) / 1e9;
      }
    }
    double ran = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    // The attackers stay connected (their entries stay) while the tracker catches up and its index
    // sizes are refreshed for /metrics (every 15 s); then a full GC in the tracker's JVM.
    Thread.sleep(17_000);
    boolean alive = process.isAlive();
    if (alive) {
      new ProcessBuilder("jcmd", Long.toString(process.pid()), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
    }
    double entries = metric(metricsPort, "chorus_tracker_index_entries");
    double peers = metric(metricsPort, "chorus_tracker_index_peers");
    double accounted = metric(metricsPort, "chorus_tracker_index_accounted_bytes");
    double heapUsed = metricWith(metricsPort, "jvm_memory_used_bytes", "area=\"heap\"");
    double refusedHoldings = metric(metricsPort, "chorus_tracker_holdings_refused_total");
    for (Client c : attackers) {
      c.channel.close();
    }
    List<String> lines = new ArrayList<>();
    String p = unbounded ? "tracker_flood_unbounded_" : "tracker_flood_";
    lines.add(String.format(Locale.ROOT, "BENCH %sseconds %.1f s", p, ran));
    lines.add(String.format(Locale.ROOT, "BENCH %sannounces_sent %d announces", p, announcesSent.get()));
    lines.add(String.format(Locale.ROOT, "BENCH %sannounces_refused %d announces", p, refusals.get()));
    lines.add(String.format(Locale.ROOT, "BENCH %sgood_lookups_served %d lookups", p, served.get()));
    lines.add(String.format(Locale.ROOT, "BENCH %sgood_lookups_sent %d lookups", p, sent.get()));
    lines.add(String.format(Locale.ROOT, "BENCH %sgood_lookups_without_the_good_node %d lookups", p, wrong.get()));
    lines.add(String.format(Locale.ROOT, "BENCH %saccounted_max %d bytes", p, maxAccounted));
    lines.add(String.format(Locale.ROOT, "BENCH %sindex_entries %.0f entries", p, entries));
    lines.add(String.format(Locale.ROOT, "BENCH %sindex_peers %.0f peers", p, peers));
    lines.add(String.format(Locale.ROOT, "BENCH %saccounted %.0f bytes", p, accounted));
    lines.add(String.format(Locale.ROOT, "BENCH %sheap_after_gc %.0f bytes", p, heapUsed));
    lines.add(String.format(Locale.ROOT, "BENCH %sholdings_refused %.0f holdings", p, refusedHoldings));
    lines.add(String.format(Locale.ROOT, "BENCH %stracker_alive %d bool", p, alive ? 1 : 0));
    if (oomAt < 0 && Files.readString(log).contains("OutOfMemoryError")) {
      oomAt = ran;
    }
    lines.add(String.format(Locale.ROOT, "BENCH %sout_of_memory %d bool", p, oomAt < 0 ? 0 : 1));
    if (oomAt >= 0) {
      // Seen in the tracker's log by a poll once a second (or at the end): an upper bound.
      lines.add(String.format(Locale.ROOT, "BENCH %sout_of_memory_seen_after %.1f s", p, oomAt));
    }
    good.channel.close();
    asker.channel.close();
    return lines;
  }

  private static TrackerMessage announce(byte[][] tracks) {
    Announce.Builder a = Announce.newBuilder().setFull(true);
    for (byte[] t : tracks) {
      a.addTracks(TrackHolding.newBuilder().setTrackId(ByteString.copyFrom(t))
          .setChunks(ChunkSet.newBuilder().setComplete(true)).setChunkCount(300));
    }
    return TrackerMessage.newBuilder().setAnnounce(a).build();
  }

  /** Bitmaps are drawn from a shared pool: the attacker's cost is not the point, the tracker's is. */
  private static final ByteString[] BITMAPS = bitmaps();

  private static ByteString[] bitmaps() {
    SplittableRandom r = new SplittableRandom(99);
    ByteString[] pool = new ByteString[256];
    for (int i = 0; i < pool.length; i++) {
      byte[] b = new byte[1 + r.nextInt(2048)];
      r.nextBytes(b);
      b[b.length - 1] |= 1;
      pool[i] = UnsafeByteOperations.unsafeWrap(b);
    }
    return pool;
  }

  private static TrackerMessage floodAnnounce(SplittableRandom random) {
    Announce.Builder a = Announce.newBuilder();
    ChunkSet complete = ChunkSet.newBuilder().setComplete(true).build();
    for (int i = 0; i < 1000; i++) {
      TrackHolding.Builder h = TrackHolding.newBuilder().setTrackId(UnsafeByteOperations.unsafeWrap(randomId(random)));
      if (i % 2 == 1) {
        ByteString bitmap = BITMAPS[random.nextInt(BITMAPS.length)];
        h.setChunks(ChunkSet.newBuilder().setBitmap(bitmap)).setChunkCount(bitmap.size() * 8);
      } else {
        h.setChunks(complete).setChunkCount(300);
      }
      a.addTracks(h);
    }
    return TrackerMessage.newBuilder().setAnnounce(a).build();
  }

  private static byte[] randomId(SplittableRandom random) {
    byte[] id = new byte[32];
    random.nextBytes(id);
    return id;
  }

  /** One connection to the tracker; {@code onReady} runs on its event loop once the tracker's Hello arrived. */
  private static final class Client {
    Channel channel;
    volatile java.util.function.Consumer<TrackerMessage> onMessage = m -> { };

    void send(TrackerMessage m) {
      channel.writeAndFlush(m, channel.voidPromise());
    }
  }

  private static Client connect(EventLoopGroup group, InetSocketAddress tracker, byte[] trackerKey, NoiseKeyPair key,
      String localIp, int listenPort, java.util.function.Consumer<Client> onReady) throws InterruptedException {
    SecureChannelConfig secure = SecureChannelConfig.builder(key).pinnedRemoteKey(trackerKey).build();
    Client client = new Client();
    client.channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            ChorusPipeline.install(c.pipeline(), secure, true, Envelope.TRACKER,
                Hello.newBuilder().setListenPort(listenPort).build(),
                new SimpleChannelInboundHandler<TrackerMessage>() {
                  private boolean ready;

                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, TrackerMessage msg) {
                    if (!ready && msg.hasHello()) {
                      ready = true;
                      onReady.accept(client);
                    }
                    client.onMessage.accept(msg);
                  }
                });
          }
        })
        .localAddress(localIp, 0)
        .connect(tracker).sync().channel();
    return client;
  }

  private static byte[] awaitKey(Path log, Process tracker) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!tracker.isAlive()) {
        throw new IllegalStateException("the tracker exited: " + Files.readString(log));
      }
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
          if (line.startsWith("nodes connect with: ")) {
            return HexFormat.of().parseHex(line.substring("nodes connect with: ".length(), line.indexOf('@')));
          }
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the tracker did not start within 60 s: " + Files.readString(log));
  }

  /** The sum of a metric's samples in the tracker's /metrics, or -1 if it cannot be read. */
  static double metric(int port, String name) {
    return metricWith(port, name, "");
  }

  /** The sum of a metric's samples whose labels contain {@code label}, or -1. */
  static double metricWith(int port, String name, String label) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      double sum = 0;
      boolean found = false;
      try (BufferedReader lines = new BufferedReader(new java.io.StringReader(r.body()))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if ((line.startsWith(name + " ") || line.startsWith(name + "{")) && line.contains(label)) {
            sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            found = true;
          }
        }
      }
      return found ? sum : -1;
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
