package dev.chorus.demo;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.NodeConfig;
import dev.chorus.node.NodeListener;
import dev.chorus.node.NodeStats;
import dev.chorus.node.PlayedBytes;
import dev.chorus.node.internal.originserver.OriginServer;
import dev.chorus.node.internal.originserver.OriginServerConfig;
import dev.chorus.node.stream.StreamServer;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.metrics.MetricsHttpServer;
import dev.chorus.tracker.metrics.MicrometerTrackerListener;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code ./chorus demo}, in this process, on loopback: a generated catalog served by
 * an {@link OriginServer}, a {@link TrackerServer} with its {@code /metrics}, and {@code nodes}
 * real {@link ChorusNode}s (each with its own RocksDB cache and a {@link StreamServer} a player
 * can be pointed at), with a {@link Listener} playing through each. Node {@code i} starts
 * listening a little after node {@code i-1}, so that later listeners find earlier ones' caches.
 *
 * <pre>{@code
 * DemoReport report = Demo.run(DemoOptions.defaults(), System.out, false, new AtomicBoolean());
 * System.out.print(report.table());
 * }</pre>
 */
public final class Demo {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);
  /** Popularity: rank k is played ∝ 1/(k+1)^s (a few tracks get most plays). */
  static final double ZIPF_EXPONENT = 1.0;
  private static final String LOOPBACK = "127.0.0.1";
  /** How often the demo page's state is renewed. */
  private static final long PAGE_UPDATE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Nodes report playback to the tracker this often, so that its /metrics follow the run. */
  private static final Duration TELEMETRY_INTERVAL = Duration.ofSeconds(10);
  /** How long to wait for the nodes' last reports to reach the tracker's counters. */
  private static final long TELEMETRY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private Demo() {}

  /**
   * Runs the demo until {@code options.duration()} has passed or {@code stop} is set, and returns
   * what it measured. Everything it started is closed before it returns, and the temporary
   * directory deleted unless {@code options.keep()}.
   *
   * @param out where the addresses and the progress go
   * @param liveLine update one progress line in place (a terminal) rather than print a line every
   *     10 s
   */
  public static DemoReport run(DemoOptions options, PrintStream out, boolean liveLine, AtomicBoolean stop)
      throws IOException, InterruptedException {
    return run(options, out, liveLine, stop, null);
  }

  /**
   * {@link #run(DemoOptions, PrintStream, boolean, AtomicBoolean)}, showing the swarm live on
   * {@code page} (about once a second) and, at the end, the table; null for no page.
   */
  static DemoReport run(DemoOptions options, PrintStream out, boolean liveLine, AtomicBoolean stop, DemoPage page)
      throws IOException, InterruptedException {
    return run(options, SwarmVariation.NONE, out, liveLine, stop, page);
  }

  /**
   * {@link #run(DemoOptions, PrintStream, boolean, AtomicBoolean, DemoPage)} with upload caps and
   * churn ({@code variation}); a swarm with churn has no stream endpoints and no page (their node
   * comes and goes).
   */
  static DemoReport run(DemoOptions options, SwarmVariation variation, PrintStream out, boolean liveLine,
      AtomicBoolean stop, DemoPage page) throws IOException, InterruptedException {
    if (variation.churns() && page != null) {
      throw new IllegalArgumentException("a swarm with churn has no demo page");
    }
    Path dir = options.directory().orElse(null);
    boolean temporary = dir == null;
    if (temporary) {
      dir = Files.createTempDirectory("chorus-demo-");
    } else {
      Files.createDirectories(dir);
    }
    Deque<AutoCloseable> open = new ArrayDeque<>();
    try {
      return run(options, variation, dir, out, liveLine, stop, open, page);
    } finally {
      closeAll(open);
      if (temporary && !options.keep()) {
        deleteRecursively(dir);
      } else {
        out.println("kept " + dir + " (catalog/ and one cache directory per node)");
      }
    }
  }

  private static DemoReport run(DemoOptions options, SwarmVariation variation, Path dir, PrintStream out,
      boolean liveLine, AtomicBoolean stop, Deque<AutoCloseable> open, DemoPage page)
      throws IOException, InterruptedException {
    long began = System.nanoTime();
    out.printf(Locale.ROOT, "chorus demo: %d nodes, %d tracks, %s at %s× real time, seed %d%n", options.nodes(),
        options.tracks(), seconds(options.duration().toNanos()), speed(options.speed()), options.seed());

    PublisherKeyPair publisher = DemoCatalog.publisherKey(options.seed());
    Path catalogDir = dir.resolve("catalog");
    List<DemoCatalog.Track> tracks = DemoCatalog.publish(catalogDir, options.tracks(), options.seed(), publisher);
    long catalogBytes = tracks.stream().mapToLong(t -> t.manifest().sizeBytes()).sum();
    out.printf(Locale.ROOT, "catalog: %d WAV tracks (16 kHz mono, 1-2 min, %s) in %s%n", tracks.size(),
        DemoReport.bytes(catalogBytes), catalogDir);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OriginServer origin = OriginServer.start(OriginServerConfig.builder().root(catalogDir).host(LOOPBACK).build());
    open.push(origin);
    out.println("origin:  " + origin.baseUri());

    PeerIndex index = InMemoryPeerIndex.create(PeerIndexConfig.defaults());
    open.push(index);
    TrackerConfig trackerConfig = TrackerConfig.builder(NoiseKeyPair.generateX25519(new SecureRandom()))
        .listenAddress(new InetSocketAddress(LOOPBACK, 0))
        .build();
    TrackerServer tracker = TrackerServer.start(trackerConfig, index, new MicrometerTrackerListener(registry));
    open.push(tracker);
    Gauge.builder("chorus.tracker.index.tracks", tracker, s -> s.indexStats().tracks())
        .description("Tracks with at least one peer").register(registry);
    Gauge.builder("chorus.tracker.index.entries", tracker, s -> s.indexStats().entries())
        .description("(track, peer) entries in the index").register(registry);
    String trackerAddress = tracker.publicKeyHex() + "@" + LOOPBACK + ":" + tracker.address().getPort();
    out.println("tracker: " + trackerAddress);
    MetricsHttpServer metrics = MetricsHttpServer.start(new InetSocketAddress(LOOPBACK, options.metricsPort()),
        registry, tracker::isRunning);
    open.push(metrics);
    out.println("metrics: http://" + LOOPBACK + ":" + metrics.address().getPort() + "/metrics"
        + "  (tracker and nodes; while the demo runs)");

    Latencies latencies = new Latencies();
    // Upload caps and churn schedules: their own streams of the seed, so that the plain demo's
    // draws (audio, popularity, sessions) are the same with or without them.
    SplittableRandom capDraws = new SplittableRandom(options.seed() ^ 0x5CA1AB1EL);
    SplittableRandom churnDraws = new SplittableRandom(options.seed() ^ 0xC4A2L);
    List<NodeLife> lives = new ArrayList<>();
    long[] caps = new long[options.nodes()];
    for (int i = 1; i <= options.nodes(); i++) {
      caps[i - 1] = variation.uploadCap(capDraws);
      NodeLife life = new NodeLife(NodeConfig.builder()
          .origin(origin.baseUri())
          .tracker(trackerAddress)
          .bindHost(LOOPBACK)
          .cacheDirectory(dir.resolve(String.format(Locale.ROOT, "node-%02d", i)))
          .cacheCapacityBytes(options.cacheBytesPerNode())
          .uploadBytesPerSecond(caps[i - 1])
          .trustedPublisher(publisher.publicKey())
          .meterRegistry(registry)
          .telemetryInterval(TELEMETRY_INTERVAL)
          .listener(latencies)
          .build(), variation, churnDraws.split());
      open.push(life);
      lives.add(life);
    }
    long schedulesStart = System.nanoTime();
    for (NodeLife life : lives) {
      life.begin(schedulesStart);
    }
    List<ChorusNode> nodes = new ArrayList<>();
    List<StreamServer> streams = new ArrayList<>();
    if (!variation.churns()) {
      for (NodeLife life : lives) {
        ChorusNode node = life.current();
        nodes.add(node);
        StreamServer stream = StreamServer.start(node);
        open.push(stream);
        streams.add(stream);
      }
      TrackId popular = tracks.get(0).manifest().trackId();
      out.println("play along (any player, e.g. ffplay, mpv or VLC): " + streams.get(0).url(popular));
      out.println("  the same path works on every node's port: " + ports(streams));
    } else {
      out.printf(Locale.ROOT, "churn: online %s, offline %s on average (exponential); %d of %d nodes online%n",
          variation.meanOnline(), variation.meanOffline(), lives.stream().filter(l -> l.current() != null).count(),
          lives.size());
    }
    if (!variation.uploadClasses().isEmpty()) {
      out.println("upload caps (bytes/s, 0 = none): " + Arrays.toString(caps));
    }
    out.printf(Locale.ROOT, "started %d nodes in %s; listening...%n", lives.size(),
        seconds(System.nanoTime() - began));

    long start = System.nanoTime();
    long end = start + options.duration().toNanos();
    long stagger = Math.min(TimeUnit.SECONDS.toNanos(4), options.duration().toNanos() / (3L * options.nodes()));
    Zipf popularity = new Zipf(tracks.size(), ZIPF_EXPONENT);
    SplittableRandom seeds = new SplittableRandom(options.seed());
    List<Listener> listeners = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < lives.size(); i++) {
      Listener listener = new Listener(i + 1, lives.get(i), tracks, popularity, seeds.split(), options.speed(),
          start + i * stagger, end, stop);
      listeners.add(listener);
      Thread t = new Thread(listener, "chorus-demo-listener-" + (i + 1));
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }

    Progress progress = new Progress(out, liveLine, start, options.duration().toNanos());
    SwarmView view = page == null ? null : new SwarmView(nodes, streams, listeners, options.duration().toNanos());
    long shown = System.nanoTime() - PAGE_UPDATE_NANOS;
    while (threads.stream().anyMatch(Thread::isAlive) && !stop.get()) {
      progress.maybePrint(lives, listeners);
      long now = System.nanoTime();
      if (page != null && now - shown >= PAGE_UPDATE_NANOS) {
        shown = now;
        page.show(view.json(now, now - start, null));
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    for (Thread t : threads) { // on stop, a listener may sit in a read; closing the node ends it
      t.join(TimeUnit.SECONDS.toMillis(3));
    }
    progress.finish(lives, listeners);
    long elapsed = System.nanoTime() - start;

    // The nodes close here, before the table, so that each sends the tracker its last playback
    // report and the table and the tracker's telemetry describe the same bytes.
    long[][] listened = new long[lives.size()][];
    for (int i = 0; i < lives.size(); i++) {
      Listener l = listeners.get(i);
      listened[i] = new long[] {l.plays(), l.skips(), l.errors(), l.bytesPlayed(), l.playsStarted()};
    }
    closeInParallel(new ArrayList<>(lives));
    List<DemoReport.Row> rows = new ArrayList<>();
    PlayedBytes played = PlayedBytes.NONE;
    for (int i = 0; i < lives.size(); i++) {
      long[] l = listened[i];
      NodeStats s = lives.get(i).stats();
      played = played.plus(s.played());
      rows.add(new DemoReport.Row(i + 1, l[0], l[1], l[2], l[3], l[4], s));
    }
    long[] all = latencies.sorted();
    for (Thread t : threads) {
      t.interrupt();
    }
    PlayedBytes reported = TrackerTelemetry.awaitPlayed(registry, played, TELEMETRY_WAIT_NANOS);
    DemoReport report = new DemoReport(rows, percentile(all, 50), percentile(all, 90), elapsed, reported);
    if (page != null) {
      page.show(view.json(System.nanoTime(), elapsed, report.table()));
    }
    return report;
  }

  /** Start latencies of every playback of every node. */
  private static final class Latencies implements NodeListener {
    private long[] values = new long[64];
    private int size;

    @Override
    public synchronized void playbackStarted(TrackId trackId, long startLatencyNanos) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = startLatencyNanos;
    }

    synchronized long[] sorted() {
      long[] copy = Arrays.copyOf(values, size);
      Arrays.sort(copy);
      return copy;
    }
  }

  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  /** The live progress: one line updated in place on a terminal, else a line every 10 s. */
  private static final class Progress {
    private final PrintStream out;
    private final boolean liveLine;
    private final long start;
    private final long duration;
    private final long every;
    private long last;
    private int width;

    Progress(PrintStream out, boolean liveLine, long start, long duration) {
      this.out = out;
      this.liveLine = liveLine;
      this.start = start;
      this.duration = duration;
      this.every = liveLine ? TimeUnit.SECONDS.toNanos(1) : TimeUnit.SECONDS.toNanos(10);
      this.last = start;
    }

    void maybePrint(List<NodeLife> nodes, List<Listener> listeners) {
      long now = System.nanoTime();
      if (now - last >= every) {
        last = now;
        print(line(nodes, listeners, now), false);
      }
    }

    void finish(List<NodeLife> nodes, List<Listener> listeners) {
      print(line(nodes, listeners, System.nanoTime()), true);
    }

    private void print(String line, boolean done) {
      if (liveLine) {
        String padded = line + " ".repeat(Math.max(0, width - line.length()));
        width = line.length();
        out.print("\r" + padded + (done ? "\n" : ""));
      } else {
        out.println(line);
      }
      out.flush();
    }

    private String line(List<NodeLife> nodes, List<Listener> listeners, long now) {
      PlayedBytes played = PlayedBytes.NONE;
      long peers = 0;
      long cdn = 0;
      long stutters = 0;
      for (NodeLife n : nodes) {
        NodeStats s = n.stats();
        played = played.plus(s.played());
        peers += s.bytesFromPeers();
        cdn += s.bytesFromCdn();
        stutters += s.stutters();
      }
      long plays = listeners.stream().mapToLong(Listener::plays).sum();
      return String.format(Locale.ROOT,
          "%5s / %s  plays %d  played %s: cache %s, peers %s, CDN %s  network peer share %s  stutters %d",
          seconds(Math.min(now - start, duration)), seconds(duration), plays, DemoReport.bytes(played.total()),
          percent(played.fromCache(), played.total()), percent(played.fromPeers(), played.total()),
          percent(played.fromCdn(), played.total()), percent(peers, peers + cdn), stutters);
    }

    private static String percent(long part, long whole) {
      return whole == 0 ? "-" : Math.round(100.0 * part / whole) + "%";
    }
  }

  private static String ports(List<StreamServer> streams) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < streams.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(streams.get(i).port());
    }
    return b.toString();
  }

  private static String seconds(long nanos) {
    return Math.round(nanos / 1e9) + "s";
  }

  private static String speed(double speed) {
    return speed == Math.rint(speed) ? String.valueOf((long) speed) : String.valueOf(speed);
  }

  private static void closeAll(Deque<AutoCloseable> open) {
    // Stream endpoints, then nodes (each phase in parallel: a node says goodbye and waits for its
    // threads), then the rest in reverse order of starting.
    closeInParallel(open.stream().filter(c -> c instanceof StreamServer).toList());
    closeInParallel(open.stream().filter(c -> c instanceof NodeLife).toList());
    open.stream().filter(c -> !(c instanceof StreamServer) && !(c instanceof NodeLife)).forEach(Demo::closeQuietly);
    open.clear();
  }

  static void closeInParallel(List<AutoCloseable> closeables) {
    List<Thread> closers = new ArrayList<>();
    for (AutoCloseable c : closeables) {
      Thread t = new Thread(() -> closeQuietly(c), "chorus-demo-close");
      t.start();
      closers.add(t);
    }
    for (Thread t : closers) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(15));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
    }
  }

  static void deleteRecursively(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.toString());
    }
  }
}
