package dev.chorus.bench.tracker;

import dev.chorus.protocol.netty.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * The tracker half of {@code bench/compare} (bench/README.md): Debian's opentracker and the Chorus
 * tracker, each in its own process, each preloaded with the same (track, peer) entries and loaded
 * by a generator in this process: closed loop for throughput and CPU time per response (the
 * tracker process's utime + stime from /proc), then open loop at half that rate for latency.
 */
public final class CompareTracker {
  private CompareTracker() {}

  /** Options; see {@link #usage()}. */
  static final class Options {
    int tracks = 100_000;
    int peers = 200_000;
    int tracksPerPeer = 16;
    int keepPerTrack = 30;
    double zipf = 0.5;
    int ioThreads = 2;
    /** The Chorus tracker's Netty transport (nio, epoll or auto); null: the tracker's default. */
    String transport;
    int warmupSeconds = 5;
    int measureSeconds = 10;
    int udpSockets = 16;
    // 128 datagrams in flight fill opentracker's default receive buffer (212 KB counts each
    // datagram's kernel buffer, about 1 KB, not its 98 bytes) only about half: more are dropped.
    int udpInFlight = 8;
    int jitWarmupSeconds = 5;
    String opentracker = "opentracker";
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String heap = "2g";
    /** Further options for the Chorus tracker's JVM (the collector), split at spaces. */
    String trackerJvmOptions = "-XX:+UseZGC";
    /** Extra open-loop phases, as fractions of the closed-loop rate (after the half-load one). */
    List<Double> extraFractions = List.of();
    /** Which trackers to run: chorus, opentracker or both. */
    String only = "both";
    final LoadGenerator.Settings load = new LoadGenerator.Settings();

    static Options parse(List<String> args) {
      Options o = new Options();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.equals("--quick")) {
          o.warmupSeconds = 3;
          o.measureSeconds = 5; // the JIT warm-up stays: CPU per response is the figure to compare
          continue;
        }
        if (!a.startsWith("--") || i + 1 >= args.size()) {
          throw new IllegalArgumentException("unknown option '" + a + "'\n" + usage());
        }
        String v = args.get(++i);
        switch (a) {
          case "--tracks": o.tracks = Integer.parseInt(v); break;
          case "--peers": o.peers = Integer.parseInt(v); break;
          case "--tracks-per-peer": o.tracksPerPeer = Integer.parseInt(v); break;
          case "--keep-per-track": o.keepPerTrack = Integer.parseInt(v); break;
          case "--zipf": o.zipf = Double.parseDouble(v); break;
          case "--io-threads": o.ioThreads = Integer.parseInt(v); break;
          case "--transport": o.transport = Transport.named(v).toString(); break;
          case "--warmup": o.warmupSeconds = Integer.parseInt(v); break;
          case "--jit-warmup": o.jitWarmupSeconds = Integer.parseInt(v); break;
          case "--measure": o.measureSeconds = Integer.parseInt(v); break;
          case "--connections": o.load.connections = Integer.parseInt(v); break;
          case "--in-flight": o.load.inFlight = Integer.parseInt(v); break;
          case "--udp-sockets": o.udpSockets = Integer.parseInt(v); break;
          case "--udp-in-flight": o.udpInFlight = Integer.parseInt(v); break;
          case "--max-peers": o.load.maxPeers = Integer.parseInt(v); break;
          case "--opentracker": o.opentracker = v; break;
          case "--tracker-heap": o.heap = v; break;
          case "--tracker-jvm-options": o.trackerJvmOptions = v; break;
          case "--open-loop-fractions":
            o.extraFractions = Arrays.stream(v.split(",")).map(Double::parseDouble).toList();
            for (double f : o.extraFractions) {
              if (!(f > 0 && f < 1)) {
                throw new IllegalArgumentException("--open-loop-fractions takes fractions between 0 and 1, not " + f);
              }
            }
            break;
          case "--only":
            if (!List.of("chorus", "opentracker").contains(v)) {
              throw new IllegalArgumentException("--only takes chorus or opentracker, not '" + v + "'");
            }
            o.only = v;
            break;
          default:
            throw new IllegalArgumentException("unknown option '" + a + "'\n" + usage());
        }
      }
      return o;
    }
  }

  public static String usage() {
    return "compare-tracker options (defaults in brackets):\n"
        + "  --tracks N / --peers N / --tracks-per-peer N   the preload, as bench/run tracker's [100000 / 200000 / 16]\n"
        + "  --keep-per-track N       entries kept per track; opentracker gets the same count per info-hash [30]\n"
        + "  --zipf S                 popularity exponent [0.5]\n"
        + "  --io-threads N           Chorus tracker I/O threads [2]\n"
        + "  --transport T            Chorus tracker sockets: nio, epoll or auto (epoll where it loads) [the tracker's: nio]\n"
        + "  --warmup S / --measure S seconds per phase [5 / 10; --quick: 3 / 5]\n"
        + "  --jit-warmup S           an unreported closed-loop run against the Chorus tracker first [5]\n"
        + "  --connections N / --in-flight N   Chorus generator: Noise connections x lookups in flight [128 x 16]\n"
        + "  --udp-sockets N / --udp-in-flight N   opentracker generator: UDP sockets x announces in flight [16 x 8]\n"
        + "  --max-peers N            peers asked for per lookup / announce (num_want) [30]\n"
        + "  --opentracker PATH       the opentracker binary [opentracker]\n"
        + "  --tracker-heap SIZE      the Chorus tracker process's -Xms/-Xmx [2g]\n"
        + "  --tracker-jvm-options \"OPTS\"   options for the Chorus tracker's JVM besides the heap [-XX:+UseZGC]\n"
        + "  --open-loop-fractions F,F   more open-loop phases at these fractions of the closed-loop rate, e.g. 0.25:\n"
        + "                           lines compare_tracker_p99_at_<percent>pct_load_us_* [none]\n"
        + "  --only chorus|opentracker   run one of the two (no ratios) [both]";
  }

  /** One measured phase of one tracker. */
  static final class Phase {
    final double seconds;
    final long responses;
    final long trackerCpuNanos;
    final double peersPerReply;
    final Histogram latencies;
    final long lost;
    /** Chorus only: what the tracker process saw of the window ({@link ChorusTrackerHost}'s MARK line), or null. */
    final long[] inside;
    /** Chorus only: the GC pauses of this process, the generator's, in the window (they delay sends and reads too). */
    GcPauses.Interval generatorGc;
    /** Chorus only: CPU time of the tracker process's GC threads in the window. */
    long gcThreadsCpuNanos;
    /** Chorus only: the tracker process's system (kernel) CPU time in the window. */
    long systemNanos;
    /** Chorus only: CPU time of the generator's event loop threads in the window. */
    long generatorCpuNanos;
    /** Chorus, open loop only: how late the generator sent each lookup after it was due, or null. */
    Histogram sendLag;
    final double loadAverage = CpuMeter.loadAverage();

    Phase(double seconds, long responses, long trackerCpuNanos, double peersPerReply, Histogram latencies, long lost,
        long[] inside) {
      this.seconds = seconds;
      this.responses = responses;
      this.trackerCpuNanos = trackerCpuNanos;
      this.peersPerReply = peersPerReply;
      this.latencies = latencies;
      this.lost = lost;
      this.inside = inside;
    }

    /** Inside the tracker: lookup p99, message decoded to answer written. */
    double serverP99Micros() {
      return inside[2] / 1e3;
    }

    double longestGcPauseMicros() {
      return inside[6] / 1e3;
    }

    double gcCpuMicrosPerResponse() {
      return gcThreadsCpuNanos / 1e3 / Math.max(1, responses);
    }

    /** Milliseconds of GC pause per second of the window. */
    double gcPauseMillisPerSecond() {
      return inside[7] / 1e6 / seconds;
    }

    double responsesPerSecond() {
      return responses / seconds;
    }

    double cpuMicrosPerResponse() {
      return trackerCpuNanos / 1e3 / Math.max(1, responses);
    }

    double cores() {
      return trackerCpuNanos / 1e9 / seconds;
    }

    double micros(double percentile) {
      return latencies.getValueAtPercentile(percentile) / 1000.0;
    }

    String describe(String name) {
      return String.format(Locale.ROOT, "%-34s %,9.0f responses/s, %.1f peers/reply, tracker process %.2f cores = %.2f us CPU/response, "
          + "latency p50 %,.0f us, p99 %,.0f us, p99.9 %,.0f us%s; load average %.1f", name, responsesPerSecond(),
          peersPerReply, cores(), cpuMicrosPerResponse(), micros(50), micros(99), micros(99.9),
          lost == 0 ? "" : ", lost " + lost, loadAverage)
          + (inside == null ? "" : String.format(Locale.ROOT, "%n%-34s inside the tracker (decoded to answer written): "
          + "p50 %,.0f us, p99 %,.0f us, p99.9 %,.0f us, max %,.0f us; GC: %d pauses, longest %,.0f us, %.2f ms/s in all, "
          + "GC threads %.2f us CPU/response",
          "", inside[1] / 1e3, inside[2] / 1e3, inside[3] / 1e3, inside[4] / 1e3, inside[5], longestGcPauseMicros(),
          gcPauseMillisPerSecond(), gcCpuMicrosPerResponse()))
          + (generatorGc == null ? "" : String.format(Locale.ROOT, "%n%-34s of the tracker's CPU %.0f%% in the kernel; "
          + "generator: event loop %.2f cores = %.2f us CPU/response, GC %d pauses, longest %,.0f us, %.2f ms/s in all", "",
          100.0 * systemNanos / Math.max(1, trackerCpuNanos), generatorCpuNanos / 1e9 / seconds,
          generatorCpuNanos / 1e3 / Math.max(1, responses), generatorGc.longest.getTotalCount(),
          generatorGc.longest.getMaxValue() / 1e3, generatorGc.totalNanos / 1e6 / seconds))
          + (sendLag == null || sendLag.getTotalCount() == 0 ? "" : String.format(Locale.ROOT,
          "%n%-34s generator sent lookups after they were due by p50 %,.0f us, p99 %,.0f us, p99.9 %,.0f us, max %,.0f us", "",
          sendLag.getValueAtPercentile(50) / 1e3, sendLag.getValueAtPercentile(99) / 1e3,
          sendLag.getValueAtPercentile(99.9) / 1e3, sendLag.getMaxValue() / 1e3));
    }
  }

  /** Runs both trackers and returns the BENCH lines. */
  public static List<String> run(List<String> args) throws Exception {
    Options o = Options.parse(args);
    Workload workload = new Workload(o.tracks, o.zipf);
    List<String> bench = new ArrayList<>();
    say("tracker comparison: %,d tracks, %,d peers x %d tracks (popularity exponent %.2f), at most %d entries per track; "
        + "%d s warm-up + %d s measured per phase", o.tracks, o.peers, o.tracksPerPeer, o.zipf, o.keepPerTrack,
        o.warmupSeconds, o.measureSeconds);
    int[][] tracksOfPeer = preloadPlan(workload, o);
    long entries = Arrays.stream(tracksOfPeer).mapToLong(t -> t.length).sum();

    Path dir = Files.createTempDirectory("chorus-compare-");
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      if (!o.only.equals("chorus")) {
        bench.addAll(List.of(runOpentracker(o, workload, tracksOfPeer, entries, dir)));
      }
      if (!o.only.equals("opentracker")) {
        bench.addAll(List.of(runChorus(o, workload, dir)));
      }
      if (o.only.equals("both")) {
        bench.addAll(ratios(bench));
      }
    } finally {
      deleteRecursively(dir);
    }
    return bench;
  }

  /**
   * The (peer, track) pairs of the Chorus preload ({@link Preload}: same draws, same seed), with a
   * track's pairs beyond keepPerTrack left out: the Chorus index evicts the oldest of them, so both
   * trackers end up with the same number of entries per track.
   */
  static int[][] preloadPlan(Workload workload, Options o) {
    SplittableRandom random = new SplittableRandom(7);
    byte[] key = new byte[32];
    int[] perTrack = new int[o.tracks];
    int[][] plan = new int[o.peers][];
    int[] scratch = new int[o.tracksPerPeer];
    for (int p = 0; p < o.peers; p++) {
      Workload.randomPeer(random, key);
      int n = 0;
      for (int i = 0; i < o.tracksPerPeer; i++) {
        int track = workload.popularTrack(random);
        boolean repeat = false;
        for (int j = 0; j < n; j++) {
          repeat |= scratch[j] == track;
        }
        if (!repeat && perTrack[track] < o.keepPerTrack) {
          perTrack[track]++;
          scratch[n++] = track;
        }
      }
      plan[p] = Arrays.copyOf(scratch, n);
    }
    return plan;
  }

  private static String[] runOpentracker(Options o, Workload workload, int[][] tracksOfPeer, long entries, Path dir)
      throws Exception {
    Path whitelist = dir.resolve("whitelist.txt");
    StringBuilder hashes = new StringBuilder(o.tracks * 41);
    HexFormat hex = HexFormat.of();
    for (int k = 0; k < o.tracks; k++) {
      hashes.append(hex.formatHex(Workload.trackIdBytes(k), 0, 20)).append('\n');
    }
    Files.writeString(whitelist, hashes);
    int udpPort = freeUdpPort();
    int tcpPort = freeTcpPort();
    // As root opentracker chroots to -d and runs as nobody: the whitelist path is then relative to it.
    Process process = new ProcessBuilder(o.opentracker, "-i", "127.0.0.1", "-P", Integer.toString(udpPort),
        "-p", Integer.toString(tcpPort), "-d", dir.toString(), "-w", "whitelist.txt")
        .redirectErrorStream(true).redirectOutput(dir.resolve("opentracker.log").toFile()).start();
    Thread reaper = reaper(process);
    try {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", udpPort);
      say("opentracker (pid %d) on udp %s, %,d info-hashes whitelisted", process.pid(), address, o.tracks);
      waitForWhitelist(address, process, dir);
      long rssBefore = rssBytes(process.pid());
      long start = System.nanoTime();
      try (UdpTrackerLoad preload = new UdpTrackerLoad(address, (o.peers + 65_534) / 65_535, 256, 2)) {
        preload.preload(tracksOfPeer, TimeUnit.MINUTES.toNanos(5));
      }
      double preloadSeconds = (System.nanoTime() - start) / 1e9;
      long rssAfter = rssBytes(process.pid());
      double perEntry = (double) (rssAfter - rssBefore) / entries;
      say("opentracker preload: %,d announces (num_want 0) in %.1f s; RSS grew %,d MB = %.1f bytes per entry",
          entries, preloadSeconds, (rssAfter - rssBefore) >> 20, perEntry);

      Phase closed = udpPhase(o, workload, address, process.pid(), 0);
      say("%s", closed.describe("opentracker closed loop"));
      Phase half = udpPhase(o, workload, address, process.pid(), closed.responsesPerSecond() / 2);
      say("%s", half.describe("opentracker open loop at half"));
      List<String> extra = new ArrayList<>();
      for (double fraction : o.extraFractions) {
        Phase p = udpPhase(o, workload, address, process.pid(), closed.responsesPerSecond() * fraction);
        say("%s", p.describe(String.format(Locale.ROOT, "opentracker open loop at %.0f%%", 100 * fraction)));
        extra.addAll(fractionLines(fraction, p, "opentracker"));
      }
      return concat(extra, new String[] {
        line("compare_tracker_entries_opentracker", entries, "entries", 0),
        line("compare_tracker_memory_per_entry_opentracker", perEntry, "bytes", 1),
        line("compare_tracker_responses_per_sec_opentracker", closed.responsesPerSecond(), "responses/s", 0),
        line("compare_tracker_cpu_us_per_response_opentracker", closed.cpuMicrosPerResponse(), "us", 2),
        line("compare_tracker_peers_per_reply_opentracker", closed.peersPerReply, "peers", 1),
        line("compare_tracker_p99_at_half_load_us_opentracker", half.micros(99), "us", 0),
        line("compare_tracker_cpu_us_per_response_at_half_load_opentracker", half.cpuMicrosPerResponse(), "us", 2),
      });
    } finally {
      stop(process);
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
  }

  /** Ends {@code process} if this JVM is stopped (a timeout's SIGTERM, Ctrl-C) before it does. */
  private static Thread reaper(Process process) {
    Thread reaper = new Thread(process::destroyForcibly, "reaper-" + process.pid());
    Runtime.getRuntime().addShutdownHook(reaper);
    return reaper;
  }

  private static Phase udpPhase(Options o, Workload workload, InetSocketAddress address, long pid, double rate)
      throws Exception {
    try (UdpTrackerLoad load = new UdpTrackerLoad(address, o.udpSockets, o.udpInFlight, 3)) {
      load.startLoad(workload, o.load.maxPeers, rate, 42);
      Thread.sleep(TimeUnit.SECONDS.toMillis(o.warmupSeconds));
      long cpuA = processCpuNanos(pid);
      UdpTrackerLoad.Snapshot a = load.snapshot();
      Thread.sleep(TimeUnit.SECONDS.toMillis(o.measureSeconds));
      UdpTrackerLoad.Snapshot b = load.snapshot();
      long cpuB = processCpuNanos(pid);
      load.stop();
      long announces = b.announces - a.announces;
      if (announces == 0) {
        throw new IllegalStateException("opentracker answered no announce; last error: " + load.lastError());
      }
      if (b.errors > a.errors) {
        say("opentracker replied with %d errors, e.g. '%s'", b.errors - a.errors, load.lastError());
      }
      return new Phase((b.nanos - a.nanos) / 1e9, announces, cpuB - cpuA, (double) (b.peers - a.peers) / announces,
          b.latencies, b.lost - a.lost, null);
    }
  }

  private static String[] runChorus(Options o, Workload workload, Path dir) throws Exception {
    Path counters = dir.resolve("counters");
    String jar = Path.of(CompareTracker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> command = new ArrayList<>(List.of(o.java, "-Xms" + o.heap, "-Xmx" + o.heap));
    for (String option : o.trackerJvmOptions.trim().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option);
      }
    }
    command.addAll(List.of("-cp", jar,
        ChorusTrackerHost.class.getName(), "--tracks", Integer.toString(o.tracks), "--peers",
        Integer.toString(o.peers), "--tracks-per-peer", Integer.toString(o.tracksPerPeer), "--keep-per-track",
        Integer.toString(o.keepPerTrack), "--zipf", Double.toString(o.zipf), "--io-threads",
        Integer.toString(o.ioThreads), "--counters", counters.toString()));
    if (o.transport != null) {
      command.addAll(List.of("--transport", o.transport));
    }
    say("Chorus tracker process: %s", String.join(" ", command.subList(0, command.indexOf("-cp"))));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Thread reaper = reaper(process);
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String ready = null;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("READY ")) {
          ready = line;
          break;
        }
        say("  chorus tracker: %s", line);
      }
      if (ready == null) {
        throw new IllegalStateException("the Chorus tracker process ended before it was ready (exit "
            + process.waitFor() + ")");
      }
      String[] f = ready.split(" ");
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(f[1]));
      byte[] key = HexFormat.of().parseHex(f[2]);
      long entries = Long.parseLong(f[3]);
      double perEntry = Double.parseDouble(f[4]);
      double pssPerEntry = Double.parseDouble(f[6]);
      say("Chorus tracker (pid %d, %d I/O threads on %s) on tcp %s: preload %s s, %,d entries, %.1f heap bytes per entry "
          + "after full GC, resident memory (Pss) grew %.1f bytes per entry", process.pid(), o.ioThreads, o.transport == null ? "the default transport" : o.transport, address, f[5],
          entries, perEntry,
          pssPerEntry);
      HostMarks marks = new HostMarks(out, process.getOutputStream());
      try (GcPauses generatorPauses = new GcPauses();
          FileChannel file = FileChannel.open(counters, StandardOpenOption.READ)) {
        ByteBuffer shared = file.map(FileChannel.MapMode.READ_ONLY, 0, 24).order(ByteOrder.nativeOrder());
        LongSupplier announces = () -> shared.getLong(ChorusTrackerHost.PublishingListener.ANNOUNCES);
        if (o.jitWarmupSeconds > 0) {
          say("JIT warm-up of the Chorus tracker: %d s closed loop, not reported", o.jitWarmupSeconds);
          chorusPhase(o, workload, address, key, announces, marks, generatorPauses, process.pid(), 0, 0, o.jitWarmupSeconds);
        }
        Phase closed = chorusPhase(o, workload, address, key, announces, marks, generatorPauses, process.pid(), 0, o.warmupSeconds,
            o.measureSeconds);
        say("%s", closed.describe("chorus closed loop"));
        Phase half = chorusPhase(o, workload, address, key, announces, marks, generatorPauses, process.pid(), closed.responsesPerSecond() / 2,
            o.warmupSeconds, o.measureSeconds);
        say("%s", half.describe("chorus open loop at half"));
        List<String> extra = new ArrayList<>();
        for (double fraction : o.extraFractions) {
          Phase p = chorusPhase(o, workload, address, key, announces, marks, generatorPauses, process.pid(),
              closed.responsesPerSecond() * fraction, o.warmupSeconds, o.measureSeconds);
          say("%s", p.describe(String.format(Locale.ROOT, "chorus open loop at %.0f%%", 100 * fraction)));
          extra.addAll(fractionLines(fraction, p, "chorus"));
          extra.add(line("compare_tracker_server_p99_at_" + Math.round(100 * fraction) + "pct_load_us_chorus",
              p.serverP99Micros(), "us", 0));
        }
        long refusals = shared.getLong(ChorusTrackerHost.PublishingListener.REFUSALS);
        if (refusals > 0) {
          say("the Chorus tracker refused %,d requests (rate limits?): the figures include refusals", refusals);
        }
        return concat(extra, new String[] {
          line("compare_tracker_entries_chorus", entries, "entries", 0),
          line("compare_tracker_memory_per_entry_chorus", perEntry, "bytes", 1),
          line("compare_tracker_pss_per_entry_chorus", pssPerEntry, "bytes", 1),
          line("compare_tracker_responses_per_sec_chorus", closed.responsesPerSecond(), "responses/s", 0),
          line("compare_tracker_cpu_us_per_response_chorus", closed.cpuMicrosPerResponse(), "us", 2),
          line("compare_tracker_gc_cpu_us_per_response_chorus", closed.gcCpuMicrosPerResponse(), "us", 2),
          line("compare_tracker_peers_per_reply_chorus", closed.peersPerReply, "peers", 1),
          line("compare_tracker_p99_at_half_load_us_chorus", half.micros(99), "us", 0),
          line("compare_tracker_cpu_us_per_response_at_half_load_chorus", half.cpuMicrosPerResponse(), "us", 2),
          line("compare_tracker_server_p99_at_half_load_us_chorus", half.serverP99Micros(), "us", 0),
          line("compare_tracker_gc_longest_pause_at_half_load_us_chorus", half.longestGcPauseMicros(), "us", 0),
          line("compare_tracker_gc_pause_ms_per_s_at_half_load_chorus", half.gcPauseMillisPerSecond(), "ms/s", 2),
        });
      }
    } finally {
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write("stop\n".getBytes(StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // already gone
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        stop(process);
      }
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
  }

  private static Phase chorusPhase(Options o, Workload workload, InetSocketAddress address, byte[] key,
      LongSupplier announcesSinceStart, HostMarks marks, GcPauses generatorPauses, long pid, double rate, int warmupSeconds, int measureSeconds)
      throws Exception {
    long before = announcesSinceStart.getAsLong();
    LongSupplier announcesProcessed = () -> announcesSinceStart.getAsLong() - before;
    try (LoadGenerator gen = LoadGenerator.connect(o.load, workload, address, key, announcesProcessed)) {
      if (rate > 0) {
        gen.startOpenLoop(rate / (1 + o.load.announcesPerLookup));
      } else {
        gen.startClosedLoop();
      }
      Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
      long cpuA = processCpuNanos(pid);
      long sysA = processSystemNanos(pid);
      long gcCpuA = gcThreadsCpuNanos(pid);
      long generatorA = CpuMeter.read(0).generatorNanos;
      LoadGenerator.Snapshot a = gen.snapshot();
      long announcesA = announcesProcessed.getAsLong();
      marks.mark();
      generatorPauses.interval();
      Thread.sleep(TimeUnit.SECONDS.toMillis(measureSeconds));
      LoadGenerator.Snapshot b = gen.snapshot();
      long announcesB = announcesProcessed.getAsLong();
      long cpuB = processCpuNanos(pid);
      long sysB = processSystemNanos(pid);
      long gcCpuB = gcThreadsCpuNanos(pid);
      long generatorB = CpuMeter.read(0).generatorNanos;
      long[] inside = marks.mark();
      GcPauses.Interval generatorGc = generatorPauses.interval();
      gen.stop(2000);
      long lookups = b.lookups - a.lookups;
      if (!gen.errorSamples().isEmpty()) {
        say("generator saw errors: %s", gen.errorSamples());
      }
      Phase phase = new Phase((b.nanos - a.nanos) / 1e9, lookups + announcesB - announcesA, cpuB - cpuA,
          (double) (b.peers - a.peers) / Math.max(1, lookups), b.latencies, 0, inside);
      phase.generatorGc = generatorGc;
      phase.gcThreadsCpuNanos = gcCpuB - gcCpuA;
      phase.systemNanos = sysB - sysA;
      phase.generatorCpuNanos = generatorB - generatorA;
      phase.sendLag = rate > 0 ? b.sendLag : null;
      return phase;
    }
  }

  /** Asks the Chorus tracker process for its figures since the previous ask ({@link ChorusTrackerHost}). */
  private static final class HostMarks {
    private final BufferedReader out;
    private final OutputStream in;

    HostMarks(BufferedReader out, OutputStream in) {
      this.out = out;
      this.in = in;
    }

    long[] mark() throws IOException {
      in.write("mark\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("MARK ")) {
          return Arrays.stream(line.substring(5).trim().split(" ")).mapToLong(Long::parseLong).toArray();
        }
        say("  chorus tracker: %s", line);
      }
      throw new IOException("the Chorus tracker process closed its output");
    }
  }

  /** The p99 and CPU per response of an extra open-loop phase at {@code fraction} of the closed-loop rate. */
  private static List<String> fractionLines(double fraction, Phase p, String tracker) {
    long percent = Math.round(100 * fraction);
    return List.of(
        line("compare_tracker_p99_at_" + percent + "pct_load_us_" + tracker, p.micros(99), "us", 0),
        line("compare_tracker_cpu_us_per_response_at_" + percent + "pct_load_" + tracker, p.cpuMicrosPerResponse(), "us", 2));
  }

  /** {@code first} (the main lines) followed by {@code more}, as an array. */
  private static String[] concat(List<String> more, String[] first) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(more);
    return all.toArray(new String[0]);
  }

  /** Chorus / opentracker for each figure both have. */
  private static List<String> ratios(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String metric : List.of("memory_per_entry", "responses_per_sec", "cpu_us_per_response",
        "p99_at_half_load_us")) {
      double chorus = value(lines, "compare_tracker_" + metric + "_chorus");
      double peer = value(lines, "compare_tracker_" + metric + "_opentracker");
      out.add(line("compare_tracker_" + metric + "_ratio", chorus / peer, "chorus/opentracker", 2));
    }
    return out;
  }

  private static double value(List<String> lines, String name) {
    for (String l : lines) {
      String[] f = l.split(" ");
      if (f[1].equals(name)) {
        return Double.parseDouble(f[2]);
      }
    }
    throw new IllegalStateException("no line " + name);
  }

  /** Sends an announce of track 0 until opentracker answers it: it has read the whitelist. */
  private static void waitForWhitelist(InetSocketAddress address, Process process, Path dir) throws Exception {
    try (UdpTrackerLoad probe = new UdpTrackerLoad(address, 1, 1, 4)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("opentracker exited with " + process.exitValue() + ": "
              + Files.readString(dir.resolve("opentracker.log")));
        }
        try {
          probe.preload(new int[][] {{0}}, TimeUnit.SECONDS.toNanos(2));
          return;
        } catch (IllegalStateException notYet) {
          Thread.sleep(200);
        }
      }
      throw new IllegalStateException("opentracker did not answer an announce of a whitelisted info-hash within 20 s; "
          + "log: " + Files.readString(dir.resolve("opentracker.log")) + "; last error: " + probe.lastError());
    }
  }

  /** Thread names (/proc comm, 15 characters) of the JVM's garbage collectors: G1, ZGC, Shenandoah, Parallel. */
  private static final java.util.regex.Pattern GC_THREAD =
      java.util.regex.Pattern.compile("GC Thread#.*|G1 .*|Z(Director|Driver|Stat|Worker|Unmapper|Uncommitter).*|Shenandoah.*");

  /**
   * utime + stime of the garbage collector's threads of a JVM (by name, {@link #GC_THREAD}), in
   * nanoseconds: what the collector costs, pauses and concurrent work alike.
   */
  static long gcThreadsCpuNanos(long pid) throws IOException {
    long ticks = 0;
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (GC_THREAD.matcher(comm).matches()) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          }
        } catch (java.nio.file.NoSuchFileException gone) {
          // the thread ended between the listing and the read
        }
      }
    }
    return ticks * 10_000_000L;
  }

  /** utime + stime of a process from /proc/PID/stat, in nanoseconds (USER_HZ taken as 100, as on Linux). */
  static long processCpuNanos(long pid) throws IOException {
    return processUserNanos(pid) + processSystemNanos(pid);
  }

  /** utime of a process, nanoseconds. */
  static long processUserNanos(long pid) throws IOException {
    return statField(pid, 11) * 10_000_000L;
  }

  /** stime of a process (the kernel on its behalf: system calls, and on loopback the receiving side's TCP work), nanoseconds. */
  static long processSystemNanos(long pid) throws IOException {
    return statField(pid, 12) * 10_000_000L;
  }

  private static long statField(long pid, int index) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[index]);
  }

  private static long rssBytes(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid + "/status");
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      return s.getLocalPort();
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static String line(String name, double value, String unit, int decimals) {
    return String.format(Locale.ROOT, "BENCH %s %." + decimals + "f %s", name, value, unit);
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
