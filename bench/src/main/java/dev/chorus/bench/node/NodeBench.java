package dev.chorus.bench.node;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.NodeStats;
import dev.chorus.node.TrackStream;
import dev.chorus.node.SwarmConfig;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.node.internal.trackerclient.TrackerClient;
import dev.chorus.node.internal.trackerclient.TrackerClientConfig;
import dev.chorus.node.internal.trackerclient.TrackerClientListener;
import dev.chorus.node.internal.trackerclient.TrackerEndpoint;
import dev.chorus.node.internal.trackerclient.TrackerPeerInfo;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.process.FreePorts;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * The node benchmark (bench/README.md, group {@code node}): real {@link ChorusNode}s on loopback,
 * each with its own RocksDB cache, a real tracker, and an in-process HTTP origin.
 *
 * <ol>
 *   <li><b>Peer-to-peer transfer.</b> Holder A caches a large track by playing it once from the
 *       origin; then, a few times, a fresh node B plays it while A is the only peer holding it,
 *       with a tiny CDN window so that peers do the work. Throughput is B's peer bytes over the wall
 *       time of B's read (open to last byte).
 *   <li><b>First byte from the CDN.</b> Node C plays short tracks nobody else holds.
 *   <li><b>First byte from the cache.</b> C plays the same tracks again.
 *   <li><b>First byte from a peer.</b> Node D, connected to A and having measured it fast, plays
 *       short tracks A announced to it after the connection was up.
 * </ol>
 *
 * The run stops by itself: every wait has a deadline, and a watchdog ends the process if the whole
 * run takes more than {@link Options#deadlineSeconds}.
 */
public final class NodeBench {
  static final int CHUNK_BYTES = 16_384;
  /** 20,000 B/s, i.e. 160 kbit/s. */
  static final int BYTES_PER_SECOND = 20_000;
  /** First-byte tracks: 16 chunks, 13.1 s, inside the default 15 s initial CDN window. */
  static final int CLIP_CHUNKS = 16;
  /** The long track D plays from A first, so that it knows A's rate: 128 chunks, 105 s. */
  static final int RATE_TRACK_CHUNKS = 128;

  private NodeBench() {}

  /** Command-line options; see {@link #usage()}. */
  static final class Options {
    int trackMib = 256;
    int repetitions = 3;
    int samples = 200;
    int warmupSamples = 20;
    boolean p2pOnly;
    boolean memoryCache;
    /** The nodes' sockets (the tracker keeps its default): one jar runs an epoll/NIO A/B. */
    Transport transport = Transport.NIO;
    int deadlineSeconds = 600;

    static Options parse(List<String> args) {
      Options o = new Options();
      if (args.contains("--quick")) {
        o.trackMib = 128;
        o.samples = 50;
        o.warmupSamples = 10;
      }
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.equals("--quick")) {
          continue;
        }
        if (a.equals("--p2p-only")) {
          o.p2pOnly = true;
          continue;
        }
        if (!a.startsWith("--") || i + 1 >= args.size()) {
          throw new IllegalArgumentException("unexpected argument '" + a + "'; run with --help");
        }
        String v = args.get(++i);
        switch (a) {
          case "--track-mib" -> o.trackMib = atLeast(a, v, 1);
          case "--repetitions" -> o.repetitions = atLeast(a, v, 1);
          case "--samples" -> o.samples = atLeast(a, v, 1);
          case "--warmup-samples" -> o.warmupSamples = atLeast(a, v, 0);
          case "--deadline" -> o.deadlineSeconds = atLeast(a, v, 10);
          case "--transport" -> o.transport = Transport.named(v);
          case "--cache" -> {
            if (!v.equals("rocksdb") && !v.equals("memory")) {
              throw new IllegalArgumentException("--cache must be rocksdb or memory, was '" + v + "'");
            }
            o.memoryCache = v.equals("memory");
          }
          default -> throw new IllegalArgumentException("unknown option " + a + "; run with --help");
        }
      }
      if (o.trackMib > 1024) {
        throw new IllegalArgumentException("--track-mib: at most 1024 (the origin holds it in memory)");
      }
      return o;
    }

    private static int atLeast(String key, String v, int min) {
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be a number, was '" + v + "'", e);
      }
      if (n < min) {
        throw new IllegalArgumentException(key + " must be at least " + min + ", was " + n);
      }
      return n;
    }
  }

  public static String usage() {
    return "node options (defaults; --quick):\n"
        + "  --track-mib N              size of the peer-to-peer track in MiB (256; 128)\n"
        + "  --repetitions N            measured peer-to-peer runs, each with a fresh receiving node, after one\n"
        + "                             unreported warm-up run; the median is reported (3)\n"
        + "  --samples N                opens measured per first-byte source (200; 50)\n"
        + "  --warmup-samples N         opens before those, not measured (20; 10)\n"
        + "  --p2p-only                 only the peer-to-peer transfer (e.g. to profile it)\n"
        + "  --cache rocksdb|memory     the nodes' chunk cache (rocksdb, as in an application; memory shows\n"
        + "                             what RocksDB costs)\n"
        + "  --transport auto|epoll|nio the nodes' sockets (auto: epoll where it loads, else NIO; the tracker\n"
        + "                             keeps its default)\n"
        + "  --deadline S               the process exits with an error after S seconds (600)";
  }

  /** A published track: its manifest and its bytes (also served by the origin). */
  record Track(TrackManifest manifest, byte[] content) {
    TrackId id() {
      return manifest.trackId();
    }

    int size() {
      return content.length;
    }
  }

  /** The bench's world: origin, tracker, temp directory, nodes started. */
  static final class World implements AutoCloseable {
    final Path dir;
    final OriginServer origin;
    final PublisherKeyPair publisher = PublisherKeyPair.generate(new SecureRandom());
    final NoiseKeyPair trackerKey = NoiseKeyPair.generateX25519(new SecureRandom());
    final TrackerServer tracker;
    final int trackerPort;
    final EventLoopGroup clientGroup = new NioEventLoopGroup(1);
    final List<ChorusNode> nodes = new ArrayList<>();
    int published;

    final boolean memoryCache;
    final Transport transport;

    World(boolean memoryCache) throws IOException, InterruptedException {
      this(memoryCache, Transport.NIO);
    }

    World(boolean memoryCache, Transport transport) throws IOException, InterruptedException {
      this.memoryCache = memoryCache;
      this.transport = transport;
      dir = Files.createTempDirectory("chorus-node-bench");
      origin = OriginServer.start(4);
      trackerPort = FreePorts.loopback();
      tracker = TrackerServer.start(TrackerConfig.builder(trackerKey)
          .listenAddress(new InetSocketAddress("127.0.0.1", trackerPort))
          .ioThreads(1)
          .shutdownGrace(Duration.ofSeconds(1))
          .build(), InMemoryPeerIndex.create(PeerIndexConfig.defaults()), TrackerListener.NOOP);
    }

    /** Publishes a track of random bytes on the origin. */
    Track publish(int bytes, long seed) {
      byte[] content = new byte[bytes];
      new SplittableRandom(seed).nextBytes(content);
      return publish(content, BYTES_PER_SECOND);
    }

    /**
     * Publishes {@code content} as a new track (its own origin key, so its own id: several tracks
     * may share one array of bytes).
     */
    Track publish(byte[] content, int bytesPerSecond) {
      TrackManifest m = TrackManifest.builder()
          .mimeType("audio/ogg; codecs=opus")
          .originKey("audio/track-" + published++ + ".opus")
          .durationMillis(content.length * 1000L / bytesPerSecond)
          .bitsPerSecond(bytesPerSecond * 8)
          .chunkSizeBytes(CHUNK_BYTES)
          .publish(content, publisher);
      origin.put("manifests/" + m.trackId().toHex(), m.encoded());
      origin.put(m.originKey(), content);
      return new Track(m, content);
    }

    ChorusNode startNode(String name, SwarmConfig swarm, long cacheBytes) throws IOException {
      NodeConfig.Builder b = NodeConfig.builder()
          .origin(origin.baseUri())
          .tracker(HexFormat.of().formatHex(trackerKey.publicKey()) + "@127.0.0.1:" + trackerPort)
          .bindHost("127.0.0.1")
          .cacheCapacityBytes(cacheBytes)
          .swarm(swarm)
          .transport(transport);
      if (!memoryCache) {
        b.cacheDirectory(Files.createDirectories(dir.resolve(name)));
      }
      ChorusNode node = ChorusNode.start(b.build());
      nodes.add(node);
      return node;
    }

    void stopNode(ChorusNode node, String name) throws IOException {
      node.close();
      nodes.remove(node);
      deleteTree(dir.resolve(name));
    }

    /** Waits until the tracker lists {@code holders} holders of a track. */
    void awaitHolders(TrackId id, int holders) throws IOException, InterruptedException {
      TrackerClientConfig config = TrackerClientConfig.builder(NoiseKeyPair.generateX25519(new SecureRandom()))
          .tracker(TrackerEndpoint.of(trackerKey.publicKey(), "127.0.0.1", trackerPort))
          .listenPort(0)
          .build();
      try (TrackerClient client = TrackerClient.start(config, clientGroup, List::<Holding>of,
          new TrackerClientListener() {})) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
          if (client.isConnected()) {
            try {
              List<TrackerPeerInfo> peers = client.lookup(id, null, 10).get(5, TimeUnit.SECONDS);
              if (peers.size() >= holders) {
                return;
              }
            } catch (ExecutionException | TimeoutException e) {
              // not yet
            }
          }
          Thread.sleep(50);
        }
      }
      throw new IOException("the tracker never listed " + holders + " holder(s) of " + id);
    }

    @Override
    public void close() throws IOException {
      for (ChorusNode n : nodes) {
        n.close();
      }
      tracker.close();
      origin.close();
      clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      deleteTree(dir);
    }
  }

  /** What one play of a whole track took. */
  record Played(long firstByteNanos, long totalNanos, NodeStats before, NodeStats after) {
    long fromPeers() {
      return after.bytesFromPeers() - before.bytesFromPeers();
    }

    long fromCdn() {
      return after.bytesFromCdn() - before.bytesFromCdn();
    }

    long fromCache() {
      return after.bytesFromCache() - before.bytesFromCache();
    }
  }

  public static List<String> run(List<String> args) throws Exception {
    Options o = Options.parse(args);
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.SECONDS.toMillis(o.deadlineSeconds));
        System.err.println("node bench: still running after " + o.deadlineSeconds + " s; giving up");
        Runtime.getRuntime().halt(3);
      } catch (InterruptedException e) {
        // finished in time
      }
    }, "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    List<String> lines = new ArrayList<>();
    long started = System.nanoTime();
    try (World w = new World(o.memoryCache, o.transport)) {
      p2p(w, o, lines);
      if (!o.p2pOnly) {
        firstByte(w, o, lines);
      }
    } finally {
      watchdog.interrupt();
    }
    say("node bench done in %.1f s", (System.nanoTime() - started) / 1e9);
    return lines;
  }

  // ---- peer-to-peer transfer -----------------------------------------------------------------

  private static void p2p(World w, Options o, List<String> lines) throws Exception {
    long bytes = (long) o.trackMib << 20;
    long t0 = System.nanoTime();
    Track big = w.publish((int) bytes, 1);
    say("p2p: nodes on %s; published a %d MiB track (%d chunks) in %.1f s", o.transport, o.trackMib, big.manifest().chunkCount(),
        (System.nanoTime() - t0) / 1e9);
    long cache = bytes + (256L << 20);
    ChorusNode a = w.startNode("a", SwarmConfig.defaults(), cache);
    Played prefill = play(a, big);
    await(() -> a.isCached(big.id()), "A caches the whole track");
    say("p2p: holder A played it from the origin in %.1f s (%.0f MB/s, %d bytes from the CDN)",
        prefill.totalNanos() / 1e9, big.size() / (prefill.totalNanos() / 1e3), prefill.fromCdn());
    w.awaitHolders(big.id(), 1);

    // Peers do the work: one chunk from the CDN at the start (discovery runs meanwhile), nothing
    // ahead of the playhead from the CDN after that.
    SwarmConfig peersFirst = SwarmConfig.builder()
        .initialCdnWindow(Duration.ofMillis(1))
        .cdnReadAhead(Duration.ofMillis(1))
        .build();
    double[] rates = new double[o.repetitions];
    double[] shares = new double[o.repetitions];
    double[] cpuPerGb = new double[o.repetitions];
    // One unreported run first: the JIT compiles the whole path (the first run is about half as fast).
    for (int r = -1; r < o.repetitions; r++) {
      String name = "b" + (r + 1);
      ChorusNode b = w.startNode(name, peersFirst, cache);
      long uploadedBefore = a.stats().bytesUploaded();
      CpuTimes cpuBefore = CpuTimes.now();
      Played p = play(b, big);
      CpuTimes cpu = CpuTimes.now().minus(cpuBefore);
      NodeStats s = b.stats();
      double rate = p.fromPeers() / (p.totalNanos() / 1e3);
      double secondsPerGb = cpu.processNanos() / 1e9 / (p.fromPeers() / 1e9);
      if (r >= 0) {
        rates[r] = rate;
        shares[r] = s.peerShare();
        cpuPerGb[r] = secondsPerGb;
      }
      say("p2p: %s: CPU %.2f s of the process (%.2f s/GB; load average %s); by thread: %s",
          r < 0 ? "warm-up" : "run " + (r + 1), cpu.processNanos() / 1e9, secondsPerGb,
          CpuTimes.loadAverage(), cpu.perGbByThread(p.fromPeers()));
      say("p2p: %s: B read %d MiB in %.2f s: %.0f MB/s from peers (first byte after %.1f ms); "
              + "%d bytes from peers, %d from the CDN (peer share %.4f); A uploaded %d",
          r < 0 ? "warm-up" : "run " + (r + 1), o.trackMib, p.totalNanos() / 1e9, rate, p.firstByteNanos() / 1e6,
          p.fromPeers(), p.fromCdn(), s.peerShare(), a.stats().bytesUploaded() - uploadedBefore);
      w.stopNode(b, name);
    }
    lines.add(bench("node_p2p_transfer_mb_per_sec", "%.0f", median(rates), "MB/s"));
    lines.add(bench("node_p2p_peer_share", "%.4f", median(shares), "fraction"));
    lines.add(bench("node_p2p_cpu_seconds_per_gb", "%.2f", median(cpuPerGb), "s/GB"));
    w.stopNode(a, "a");
    w.origin.put(big.manifest().originKey(), new byte[0]); // let the 256 MiB go
  }

  // ---- time to first byte --------------------------------------------------------------------

  private static void firstByte(World w, Options o, List<String> lines) throws Exception {
    int n = o.warmupSamples + o.samples;
    List<Track> cdnSet = new ArrayList<>();
    List<Track> peerSet = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cdnSet.add(w.publish(CLIP_CHUNKS * CHUNK_BYTES, 1000 + i));
      peerSet.add(w.publish(CLIP_CHUNKS * CHUNK_BYTES, 100_000 + i));
    }
    Track rateTrack = w.publish(RATE_TRACK_CHUNKS * CHUNK_BYTES, 7);
    long cacheBytes = 512L << 20;

    // From the CDN: node C plays tracks nobody else holds.
    ChorusNode c = w.startNode("c", SwarmConfig.defaults(), cacheBytes);
    Histogram cdn = histogram();
    int cdnOnly = 0;
    for (int i = 0; i < n; i++) {
      Track t = cdnSet.get(i);
      Played p = play(c, t);
      if (i >= o.warmupSamples) {
        cdn.recordValue(micros(p.firstByteNanos()));
        if (p.fromCdn() == t.size()) {
          cdnOnly++;
        }
      }
    }
    report("cdn", "node C, tracks only the origin has", cdn, cdnOnly, "all bytes from the CDN");

    // From the cache: C plays them again.
    Histogram cached = histogram();
    int cacheOnly = 0;
    for (int i = 0; i < n; i++) {
      Track t = cdnSet.get(i);
      await(() -> c.isCached(t.id()), "C caches " + t.id());
      Played p = play(c, t, true);
      if (i >= o.warmupSamples) {
        cached.recordValue(micros(p.firstByteNanos()));
        if (p.fromCache() == t.size() && p.fromCdn() == 0 && p.fromPeers() == 0) {
          cacheOnly++;
        }
      }
    }
    report("cache", "node C, the same tracks again", cached, cacheOnly, "all bytes from the cache");
    w.stopNode(c, "c");

    // From a peer: A holds the rate track; D plays it (its first 15 s from the CDN, the rest from A),
    // so D is connected to A and has measured it fast. A then plays the clips and announces them to
    // D with Have messages; D plays them, starting from A.
    ChorusNode a = w.startNode("a2", SwarmConfig.defaults(), cacheBytes);
    play(a, rateTrack);
    await(() -> a.isCached(rateTrack.id()), "A caches the rate track");
    w.awaitHolders(rateTrack.id(), 1);
    ChorusNode d = w.startNode("d", SwarmConfig.defaults(), cacheBytes);
    Played warm = play(d, rateTrack);
    say("first byte (peer): D played a %d-chunk track: %d bytes from A, %d from the CDN", RATE_TRACK_CHUNKS,
        warm.fromPeers(), warm.fromCdn());
    if (warm.fromPeers() == 0) {
      throw new IllegalStateException("D got nothing from A: it cannot know A's rate");
    }
    for (Track t : peerSet) {
      play(a, t);
    }
    Track last = peerSet.get(n - 1);
    await(() -> a.isCached(last.id()), "A caches the clips");
    w.awaitHolders(last.id(), 1);
    Thread.sleep(1500); // A's holdings are flushed (tracker announce, Have to neighbours) every second
    Histogram peer = histogram();
    int peerOnly = 0;
    for (int i = 0; i < n; i++) {
      Track t = peerSet.get(i);
      Played p = play(d, t);
      if (i >= o.warmupSamples) {
        peer.recordValue(micros(p.firstByteNanos()));
        if (p.fromPeers() == t.size()) {
          peerOnly++;
        }
      }
    }
    report("peer", "node D, tracks its fast neighbour A holds", peer, peerOnly, "all bytes from A");
    lines.addAll(percentiles("cache", cached));
    lines.addAll(percentiles("peer", peer));
    lines.addAll(percentiles("cdn", cdn));
    lines.add(bench("node_first_byte_peer_started_from_peer", "%.3f", (double) peerOnly / o.samples, "fraction"));
    w.stopNode(d, "d");
    w.stopNode(a, "a2");
  }

  private static void report(String source, String what, Histogram h, int pure, String pureWhat) {
    say("first byte (%s, %s): %d opens, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; %d of them with %s",
        source, what, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
        h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, pure, pureWhat);
  }

  private static List<String> percentiles(String source, Histogram h) {
    return List.of(
        bench("node_first_byte_" + source + "_p50_ms", "%.2f", h.getValueAtPercentile(50) / 1e3, "ms"),
        bench("node_first_byte_" + source + "_p99_ms", "%.2f", h.getValueAtPercentile(99) / 1e3, "ms"));
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static Played play(ChorusNode node, Track t) throws IOException, InterruptedException {
    return play(node, t, false);
  }

  /**
   * Opens a track, reads it to the end (checking every byte against the published content) and
   * waits until the node has accounted for every byte (network bytes are counted on the node's
   * core thread, a moment after the reader sees them).
   */
  private static Played play(ChorusNode node, Track t, boolean fromCache) throws IOException, InterruptedException {
    NodeStats before = node.stats();
    byte[] buf = new byte[64 << 10];
    byte[] content = t.content();
    long first = -1;
    int pos = 0;
    long t0 = System.nanoTime();
    try (TrackStream in = node.open(t.id())) {
      int r;
      while ((r = in.read(buf, 0, buf.length)) > 0) {
        if (first < 0) {
          first = System.nanoTime() - t0;
        }
        if (Arrays.mismatch(buf, 0, r, content, pos, pos + r) >= 0) {
          throw new IllegalStateException("track " + t.id() + ": wrong bytes at " + pos);
        }
        pos += r;
      }
    }
    long total = System.nanoTime() - t0;
    if (pos != content.length) {
      throw new IllegalStateException("track " + t.id() + ": read " + pos + " of " + content.length + " bytes");
    }
    if (fromCache) {
      return new Played(first, total, before, node.stats());
    }
    await(() -> {
      NodeStats s = node.stats();
      return s.bytesFromPeers() + s.bytesFromCdn() - before.bytesFromPeers() - before.bytesFromCdn()
          >= content.length;
    }, "the node counts every byte of " + t.id());
    return new Played(first, total, before, node.stats());
  }

  private static Histogram histogram() {
    return new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
  }

  private static long micros(long nanos) {
    return Math.max(1, Math.min(TimeUnit.SECONDS.toMicros(120), nanos / 1_000));
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting until " + what);
      }
      Thread.sleep(1);
    }
  }

  private static String bench(String name, String format, double value, String unit) {
    return "BENCH " + name + " " + String.format(Locale.ROOT, format, value) + " " + unit;
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
