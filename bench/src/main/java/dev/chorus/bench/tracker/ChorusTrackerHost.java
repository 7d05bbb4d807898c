package dev.chorus.bench.tracker;

import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The Chorus tracker in a process of its own, for {@code bench/compare}: so that its CPU time can be
 * read from /proc as opentracker's is, apart from the load generator's. It preloads an in-memory
 * index exactly as {@code bench/run tracker} does ({@link Preload}, same workload and seed), starts
 * a {@link TrackerServer} on 127.0.0.1 with the same settings, prints one line
 * {@code READY <port> <tracker key hex> <entries> <live heap bytes per entry> <preload seconds> <resident
 * memory (Pss) growth per entry>} and
 * serves until its standard input closes.
 *
 * <p>Announces get no reply on the wire, so the generator learns how many the tracker processed
 * from counters in a small memory-mapped file ({@code --counters FILE}: announces processed,
 * lookups answered, refusals; three longs in the platform's byte order), which the tracker's I/O
 * threads add to atomically as they report ({@link PublishingListener}). No thread wakes to publish
 * them: a publisher waking every millisecond was one more thread for the two cores to schedule.
 *
 * <p>A line {@code mark} on its standard input is answered with one line {@code MARK <lookups>
 * <p50> <p99> <p99.9> <max> <collections> <longest pause> <pauses in all>} (nanoseconds) about
 * the window since the previous mark: the lookups as the tracker timed them (message decoded to
 * answer written, {@link CountingListener#serverLatency}) and this process's GC pauses ({@link
 * GcPauses}), the two parts of the tail latency that do not depend on the client or the machine's
 * other load.
 */
final class ChorusTrackerHost {
  private ChorusTrackerHost() {}

  public static void main(String[] args) throws Exception {
    List<String> list = List.of(args);
    int tracks = intOption(list, "--tracks", 100_000);
    int peers = intOption(list, "--peers", 200_000);
    int tracksPerPeer = intOption(list, "--tracks-per-peer", 16);
    int keepPerTrack = intOption(list, "--keep-per-track", 30);
    int ioThreads = intOption(list, "--io-threads", 2);
    // Optional: without it the tracker keeps its default transport.
    String transportName = list.contains("--transport") ? option(list, "--transport", null) : null;
    double zipf = Double.parseDouble(option(list, "--zipf", "0.5"));
    Path counters = Path.of(option(list, "--counters", null));

    PeerIndexConfig indexConfig = PeerIndexConfig.builder().keepPerTrack(keepPerTrack).build();
    long baselineHeap = LiveHeap.bytes();
    long baselinePss = pssBytes();
    InMemoryPeerIndex index = InMemoryPeerIndex.create(indexConfig);
    Preload.Result preload = Preload.run(index, new Workload(tracks, zipf), peers, tracksPerPeer,
        System.currentTimeMillis(), 1, 7, new Preload.ProgressPrinter());
    IndexStats stats = index.stats().toCompletableFuture().get(5, TimeUnit.MINUTES);
    double bytesPerEntry = (double) (LiveHeap.bytes() - baselineHeap) / stats.entries();
    double pssPerEntry = (double) (pssBytes() - baselinePss) / stats.entries();

    CountingListener listener = new CountingListener();
    FileChannel file = FileChannel.open(counters, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    MappedByteBuffer shared = file.map(FileChannel.MapMode.READ_WRITE, 0, 24);
    TrackerConfig.Builder builder = TrackerConfig.builder(NoiseKeyPair.generateX25519(new SecureRandom()))
        .listenAddress(new InetSocketAddress("127.0.0.1", 0))
        .index(indexConfig)
        .maxPeersPerLookup(50)
        .announceRate(1e9, 1_000_000)
        .lookupRate(1e9, 1_000_000)
        .maxConnectionsPerIp(1_000_000)
        .rateLimitedBeforeDisconnect(Integer.MAX_VALUE)
        .ioThreads(ioThreads)
        .shutdownGrace(Duration.ofSeconds(1));
    if (transportName != null) {
      builder.transport(Transport.named(transportName));
    }
    TrackerConfig config = builder.build();
    try (file;
        GcPauses pauses = new GcPauses();
        TrackerServer server = TrackerServer.start(config, index, new PublishingListener(listener, shared))) {
      System.out.println(String.format(Locale.ROOT, "READY %d %s %d %.1f %.1f %.1f", server.address().getPort(),
          HexFormat.of().formatHex(server.publicKey()), stats.entries(), bytesPerEntry, preload.nanos / 1e9,
          pssPerEntry));
      System.out.flush();
      BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (true) {
        String line = stdin.readLine();
        if (line == null || line.trim().equals("stop")) {
          break;
        }
        if (line.trim().equals("mark")) {
          System.out.println(mark(listener.serverLatency.getIntervalHistogram(), pauses.interval()));
          System.out.flush();
        }
      }
    } finally {
      index.close();
    }
    System.exit(0);
  }

  /** Counts as {@link CountingListener} does, and adds each count to the shared file as it happens. */
  static final class PublishingListener implements TrackerListener {
    /** Offsets in the shared file. */
    static final int ANNOUNCES = 0;
    static final int LOOKUPS = 8;
    static final int REFUSALS = 16;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final CountingListener counts;
    private final ByteBuffer shared;

    PublishingListener(CountingListener counts, ByteBuffer shared) {
      this.counts = counts;
      this.shared = shared;
    }

    private void add(int offset) {
      LONGS.getAndAdd(shared, offset, 1L);
    }

    @Override
    public void connectionOpened() {
      counts.connectionOpened();
    }

    @Override
    public void announceHandled(Outcome outcome, int tracks) {
      counts.announceHandled(outcome, tracks);
      add(outcome == Outcome.OK ? ANNOUNCES : REFUSALS);
    }

    @Override
    public void withdrawHandled(Outcome outcome, int tracks) {
      counts.withdrawHandled(outcome, tracks);
      if (outcome != Outcome.OK) {
        add(REFUSALS);
      }
    }

    @Override
    public void lookupHandled(Outcome outcome, int peersReturned, long latencyNanos) {
      counts.lookupHandled(outcome, peersReturned, latencyNanos);
      add(outcome == Outcome.OK ? LOOKUPS : REFUSALS);
    }

    @Override
    public void rejected(ErrorCode code) {
      counts.rejected(code);
      add(REFUSALS);
    }
  }

  private static String mark(Histogram lookups, GcPauses.Interval gc) {
    return String.format(Locale.ROOT, "MARK %d %d %d %d %d %d %d %d", lookups.getTotalCount(),
        lookups.getValueAtPercentile(50), lookups.getValueAtPercentile(99), lookups.getValueAtPercentile(99.9),
        lookups.getMaxValue(), gc.longest.getTotalCount(), gc.longest.getMaxValue(), gc.totalNanos);
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    if (i >= 0 && i + 1 < args.size()) {
      return args.get(i + 1);
    }
    if (fallback == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return fallback;
  }

  private static int intOption(List<String> args, String name, int fallback) {
    return Integer.parseInt(option(args, name, Integer.toString(fallback)));
  }

  /**
   * This process's proportional set size (Pss in /proc/self/smaps_rollup), bytes: its resident
   * memory, with each page counted once where RSS would count ZGC's heap once per view it maps it
   * at (three).
   */
  private static long pssBytes() throws java.io.IOException {
    for (String l : java.nio.file.Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
      if (l.startsWith("Pss:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new java.io.IOException("no Pss in /proc/self/smaps_rollup");
  }
}
