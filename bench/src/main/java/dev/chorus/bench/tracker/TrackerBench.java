package dev.chorus.bench.tracker;

import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.testing.process.Programs;
import dev.chorus.testing.process.RedisServer;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.redis.LookupCacheConfig;
import dev.chorus.tracker.redis.RedisPeerIndex;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.HdrHistogram.Histogram;

/**
 * The tracker benchmark (bench/README.md, groups {@code tracker} and {@code tracker-redis}):
 *
 * <ol>
 *   <li>preload the index directly with synthetic peers and measure its memory per entry;
 *   <li>for each tracker I/O thread count asked for, start a {@link TrackerServer} on loopback, connect
 *       the load generator's nodes over real Noise connections and run closed loop: throughput
 *       (lookups answered + announces processed per second) and lookup round-trip latency;
 *   <li>with the best thread count, run open loop at half that throughput: latency from each
 *       operation's scheduled send time.
 * </ol>
 *
 * Every phase has a fixed duration; the run stops by itself and returns its {@code BENCH} lines.
 */
public final class TrackerBench {
  private TrackerBench() {}

  /** Command-line options; see {@link #usage()}. */
  static final class Options {
    boolean redis;
    int tracks;
    int peers;
    int tracksPerPeer;
    double zipf = 0.5;
    int keepPerTrack = 30;
    List<Integer> ioThreads = List.of(1, 2);
    /** Extra open-loop phases at these rates (responses/s), after the half-load one. */
    List<Integer> openLoopRates = List.of();
    int jitWarmupSeconds = 5;
    int warmupSeconds = 5;
    int measureSeconds = 15;
    /** Directory for a JFR recording (profile settings) of each measured window, or null. */
    String jfrDir;
    /** The Redis index's lookup cache (the tracker's defaults: 1 s, 10,000 tracks); TTL 0 turns it off. */
    long lookupCacheTtlMillis = LookupCacheConfig.DEFAULT_TTL.toMillis();
    int lookupCacheTracks = LookupCacheConfig.DEFAULT_MAX_TRACKS;
    final LoadGenerator.Settings load = new LoadGenerator.Settings();

    static Options parse(List<String> args, boolean redis) {
      Options o = new Options();
      o.redis = redis;
      o.tracks = redis ? 100_000 : 1_000_000;
      o.peers = redis ? 200_000 : 2_000_000;
      o.tracksPerPeer = redis ? 10 : 16;
      // Redis applies one node's announces one at a time, each behind the whole command queue; with
      // 16 lookups in flight per node the queue is long and the few simulated nodes can hardly
      // announce, so the closed loop would measure lookups only.
      o.load.inFlight = redis ? 4 : 16;
      if (args.contains("--quick")) {
        o.jitWarmupSeconds = 3;
        o.warmupSeconds = 3;
        o.measureSeconds = 5;
      }
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.equals("--quick")) {
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
          case "--zipf": o.zipf = Double.parseDouble(v); break;
          case "--keep-per-track": o.keepPerTrack = Integer.parseInt(v); break;
          case "--io-threads": o.ioThreads = ints(v); break;
          case "--open-loop-rates": o.openLoopRates = ints(v); break;
          case "--jit-warmup": o.jitWarmupSeconds = Integer.parseInt(v); break;
          case "--warmup": o.warmupSeconds = Integer.parseInt(v); break;
          case "--measure": o.measureSeconds = Integer.parseInt(v); break;
          case "--connections": o.load.connections = Integer.parseInt(v); break;
          case "--in-flight": o.load.inFlight = Integer.parseInt(v); break;
          case "--client-threads": o.load.clientThreads = Integer.parseInt(v); break;
          case "--announces-per-lookup": o.load.announcesPerLookup = Double.parseDouble(v); break;
          case "--max-peers": o.load.maxPeers = Integer.parseInt(v); break;
          case "--client-decode": o.load.fastDecode = !v.equals("full"); break;
          case "--jfr": o.jfrDir = v; break;
          case "--redis-lookup-cache-ttl": o.lookupCacheTtlMillis = millis(v); break;
          case "--redis-lookup-cache-tracks": o.lookupCacheTracks = Integer.parseInt(v); break;
          default:
            throw new IllegalArgumentException("unknown option '" + a + "'\n" + usage());
        }
      }
      return o;
    }

    /** {@code 250ms}, {@code 1s}, or a plain number of milliseconds. */
    private static long millis(String v) {
      if (v.endsWith("ms")) {
        return Long.parseLong(v.substring(0, v.length() - 2));
      }
      if (v.endsWith("s")) {
        return 1000 * Long.parseLong(v.substring(0, v.length() - 1));
      }
      return Long.parseLong(v);
    }

    private static List<Integer> ints(String v) {
      List<Integer> out = new ArrayList<>();
      for (String s : v.split(",")) {
        out.add(Integer.parseInt(s.trim()));
      }
      return out;
    }
  }

  public static String usage() {
    return "tracker options (defaults: tracker / tracker-redis):\n"
        + "  --tracks N                 tracks in the preload (1000000 / 100000)\n"
        + "  --peers N                  peers in the preload (2000000 / 200000)\n"
        + "  --tracks-per-peer N        tracks each preloaded peer announces (16 / 10)\n"
        + "  --zipf S                   popularity exponent, 0 <= S < 1 (0.5)\n"
        + "  --keep-per-track N         index keepPerTrack (30)\n"
        + "  --io-threads A,B           tracker I/O thread counts to try (1,2)\n"
        + "  --open-loop-rates R,R      extra open-loop phases at these rates (responses/s), e.g. to find\n"
        + "                             the load at which p99 stays under a bound (none)\n"
        + "  --jit-warmup S             an unreported closed-loop run first, so that every measured phase\n"
        + "                             starts with compiled code (5; --quick: 3)\n"
        + "  --warmup S / --measure S   seconds per phase (5 / 15; --quick: 3 / 5)\n"
        + "  --connections N            generator connections (128)\n"
        + "  --in-flight N              lookups outstanding per connection, closed loop (16 / 4)\n"
        + "  --client-threads N         generator event loops (1)\n"
        + "  --announces-per-lookup X   announces sent per lookup (1)\n"
        + "  --max-peers N              max_peers of each lookup (30)\n"
        + "  --client-decode fast|full  how the generator reads replies (fast)\n"
        + "  --jfr DIR                  record each phase (warm-up and measured window) with JFR (profile\n"
        + "                             settings) into DIR\n"
        + "  --redis-lookup-cache-ttl T tracker-redis: the index's lookup cache TTL, 250ms, 1s; 0 = off (1s)\n"
        + "  --redis-lookup-cache-tracks N  tracker-redis: tracks the lookup cache holds at most (10000)";
  }

  /** One load phase's figures. */
  static final class Phase {
    final String name;
    final int ioThreads;
    final double seconds;
    final long lookups;
    final long announces;
    final double peersPerReply;
    final double fullReplyShare;
    final Histogram latencies;
    final long errors;
    final long overflows;
    final long serverNotOk;
    final CpuMeter.Reading cpuStart;
    final CpuMeter.Reading cpuEnd;
    final double loadAverage;
    /** Lookup time inside the tracker (decoded to answer written), from its listener. */
    Histogram serverLatencies;
    /** The Redis index's lookup cache in the measured window: lookups by outcome (all 0 without it). */
    long cacheHits;
    long cacheShared;
    long cacheMisses;

    /** Share of the lookups the cache answered without a Redis read of their own (hits), 0..1. */
    double cacheHitRate() {
      return (double) cacheHits / Math.max(1, cacheHits + cacheShared + cacheMisses);
    }

    /** Share of the lookups that waited for another lookup's read of their track, 0..1. */
    double cacheSharedRate() {
      return (double) cacheShared / Math.max(1, cacheHits + cacheShared + cacheMisses);
    }

    Phase(String name, int ioThreads, double seconds, long lookups, long announces, double peersPerReply,
        double fullReplyShare, Histogram latencies, long errors, long overflows, long serverNotOk,
        CpuMeter.Reading cpuStart, CpuMeter.Reading cpuEnd, double loadAverage) {
      this.name = name;
      this.ioThreads = ioThreads;
      this.seconds = seconds;
      this.lookups = lookups;
      this.announces = announces;
      this.peersPerReply = peersPerReply;
      this.fullReplyShare = fullReplyShare;
      this.latencies = latencies;
      this.errors = errors;
      this.overflows = overflows;
      this.serverNotOk = serverNotOk;
      this.cpuStart = cpuStart;
      this.cpuEnd = cpuEnd;
      this.loadAverage = loadAverage;
    }

    /** Cores' worth of CPU used by the whole process, the tracker's threads and the generator's. */
    double processCores() {
      return (cpuEnd.processNanos - cpuStart.processNanos) / 1e9 / seconds;
    }

    double trackerCores() {
      return (cpuEnd.trackerNanos - cpuStart.trackerNanos) / 1e9 / seconds;
    }

    /** Cores' worth of CPU used by redis-server (0 without Redis). */
    double redisCores() {
      return (cpuEnd.externalNanos - cpuStart.externalNanos) / 1e9 / seconds;
    }

    double generatorCores() {
      return (cpuEnd.generatorNanos - cpuStart.generatorNanos) / 1e9 / seconds;
    }

    /** CPU time of the tracker's own threads (I/O event loops; Lettuce's too with Redis) per response. */
    double trackerCpuMicrosPerResponse() {
      return (cpuEnd.trackerNanos - cpuStart.trackerNanos) / 1e3 / Math.max(1, lookups + announces);
    }

    /** Heap bytes allocated by the tracker's threads per response. */
    double trackerBytesPerResponse() {
      return (double) (cpuEnd.trackerAllocated - cpuStart.trackerAllocated) / Math.max(1, lookups + announces);
    }

    /** CPU time of redis-server per response (0 without Redis). */
    double redisCpuMicrosPerResponse() {
      return (cpuEnd.externalNanos - cpuStart.externalNanos) / 1e3 / Math.max(1, lookups + announces);
    }

    double processCpuMicrosPerResponse() {
      return (cpuEnd.processNanos - cpuStart.processNanos) / 1e3 / Math.max(1, lookups + announces);
    }

    double lookupsPerSecond() {
      return lookups / seconds;
    }

    double announcesPerSecond() {
      return announces / seconds;
    }

    double responsesPerSecond() {
      return (lookups + announces) / seconds;
    }

    double micros(double percentile) {
      return latencies.getValueAtPercentile(percentile) / 1000.0;
    }

    double serverMicros(double percentile) {
      return serverLatencies == null ? 0 : serverLatencies.getValueAtPercentile(percentile) / 1000.0;
    }

    String describe() {
      return String.format(Locale.ROOT,
          "%-22s io=%d  %,9.0f responses/s = %,9.0f lookups/s + %,9.0f announces/s; %.1f peers/reply (%.0f%% full); "
              + "lookup latency p50 %,.0f us, p99 %,.0f us, p99.9 %,.0f us, max %,.0f us "
          + "(inside the tracker: p50 %,.0f us, p99 %,.0f us); "
          + "CPU %.2f cores (tracker threads %.2f, generator %.2f)%s, tracker %.2f us and %,.0f bytes allocated/response, "
          + "process %.2f us/response; GC %d pauses, %d ms; load average %.1f%s%s",
          name, ioThreads, responsesPerSecond(), lookupsPerSecond(), announcesPerSecond(), peersPerReply,
          100 * fullReplyShare, micros(50), micros(99), micros(99.9), latencies.getMaxValue() / 1000.0,
          serverMicros(50), serverMicros(99), processCores(), trackerCores(), generatorCores(),
          cpuEnd.externalNanos == 0 ? "" : String.format(Locale.ROOT, " + redis-server %.2f", redisCores()),
          trackerCpuMicrosPerResponse(), trackerBytesPerResponse(),
          processCpuMicrosPerResponse(), cpuEnd.gcCount - cpuStart.gcCount, cpuEnd.gcMillis - cpuStart.gcMillis, loadAverage,
          cacheHits + cacheShared + cacheMisses == 0 ? "" : String.format(Locale.ROOT,
              "; lookup cache: %.1f%% hits, %.1f%% shared reads, %.1f%% misses", 100 * cacheHitRate(), 100 * cacheSharedRate(),
              100.0 * cacheMisses / (cacheHits + cacheShared + cacheMisses)),
          errors + overflows + serverNotOk == 0 ? ""
              : String.format(Locale.ROOT, "; errors %d, overflows %d, refused by tracker %d", errors, overflows, serverNotOk));
    }
  }

  /** Runs the group and returns its BENCH lines (after printing a summary). */
  public static List<String> run(List<String> args, boolean redis) throws Exception {
    Options o = Options.parse(args, redis);
    String p = redis ? "tracker_redis" : "tracker";
    List<String> summary = new ArrayList<>();
    List<String> bench = new ArrayList<>();
    Workload workload = new Workload(o.tracks, o.zipf);
    PeerIndexConfig indexConfig = PeerIndexConfig.builder().keepPerTrack(o.keepPerTrack).build();
    say("%s: %,d tracks, %,d peers x %d tracks (popularity exponent %.2f), keepPerTrack %d; %s",
        p, o.tracks, o.peers, o.tracksPerPeer, o.zipf, o.keepPerTrack, o.load);
    say("phases: %d s warm-up + %d s measured each; tracker I/O threads tried: %s; %d cores, max heap %,d MB",
        o.warmupSeconds, o.measureSeconds, o.ioThreads, Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);

    RedisServer redisServer = null;
    PeerIndex index = null;
    long redisPid = 0;
    try {
      long baselineHeap = 0;
      long baselineUsedHeap = 0;
      long baselineRedis = 0;
      if (redis) {
        redisServer = RedisServer.start(Programs.require(RedisServer.PROGRAM, RedisServer.DEBIAN_PACKAGE));
        redisPid = redisServer.pid();
        // A longer command timeout than the 5 s default: on a loaded machine the nodes' initial full
        // announces (setup, 128 x 256 tracks) can queue longer than that, and one that times out is
        // never counted as done, so the phase would wait for it in vain.
        LookupCacheConfig cache = LookupCacheConfig.of(Duration.ofMillis(o.lookupCacheTtlMillis), o.lookupCacheTracks);
        index = RedisPeerIndex.connect(redisServer.uri() + "?timeout=60s", indexConfig, cache);
        say("Redis index: %s", cache);
        baselineRedis = Long.parseLong(redisServer.info("memory", "used_memory"));
        say("redis-server at %s", redisServer.uri());
      } else {
        baselineHeap = LiveHeap.bytes();
        baselineUsedHeap = usedHeapAfterGc();
        index = InMemoryPeerIndex.create(indexConfig);
      }

      long now = System.currentTimeMillis();
      say("preloading...");
      Preload.Result preload = Preload.run(index, workload, o.peers, o.tracksPerPeer, now, redis ? 512 : 1, 7,
          new Preload.ProgressPrinter());
      IndexStats stats = index.stats().toCompletableFuture().get(5, TimeUnit.MINUTES);
      double preloadSeconds = preload.nanos / 1e9;
      say("preload: %,d peers announced %,d holdings in %.1f s (%,.0f announces/s); index now %,d tracks, %,d peers, %,d entries (%.1f per track)",
          preload.peersAnnounced, preload.holdingsAnnounced, preloadSeconds, preload.peersAnnounced / preloadSeconds,
          stats.tracks(), stats.peers(), stats.entries(), (double) stats.entries() / Math.max(1, stats.tracks()));
      bench.add(line(p + "_preload_seconds", preloadSeconds, "s", 1));
      bench.add(line(p + "_index_entries", stats.entries(), "entries", 0));
      if (redis) {
        long used = Long.parseLong(redisServer.info("memory", "used_memory"));
        double perEntry = (double) (used - baselineRedis) / stats.entries();
        say("redis used_memory: %,d MB for %,d entries = %.0f bytes per entry (all keys: entries, holdings, peer info, sets)",
            (used - baselineRedis) >> 20, stats.entries(), perEntry);
        bench.add(line(p + "_memory_per_entry", perEntry, "bytes", 1));
      } else {
        long live = LiveHeap.bytes();
        long used = usedHeapAfterGc();
        double perEntry = (double) (live - baselineHeap) / stats.entries();
        say("live objects after full GC: %,d MB more than before the preload = %.1f bytes per (track, peer) entry, "
            + "peer records included (%.1f entries per peer); the collector's used heap grew by %.1f bytes per entry",
            (live - baselineHeap) >> 20, perEntry, (double) stats.entries() / stats.peers(),
            (double) (used - baselineUsedHeap) / stats.entries());
        bench.add(line(p + "_memory_per_entry", perEntry, "bytes", 1));
      }

      if (o.jitWarmupSeconds > 0) {
        say("JIT warm-up: %d s closed loop, not reported", o.jitWarmupSeconds);
        loadPhase(o, workload, index, redisPid, o.ioThreads.get(0), 0, 0, o.jitWarmupSeconds);
      }

      // Closed loop, per I/O thread count.
      List<Phase> maxPhases = new ArrayList<>();
      for (int io : o.ioThreads) {
        Phase phase = loadPhase(o, workload, index, redisPid, io, 0, o.warmupSeconds, o.measureSeconds);
        say("%s", phase.describe());
        summary.add(phase.describe());
        maxPhases.add(phase);
        bench.add(line(p + "_responses_per_sec_io" + io, phase.responsesPerSecond(), "responses/s", 0));
      }
      Phase best = maxPhases.get(0);
      for (Phase phase : maxPhases) {
        if (phase.responsesPerSecond() > best.responsesPerSecond()) {
          best = phase;
        }
      }
      bench.add(line(p + "_io_threads", best.ioThreads, "threads", 0));
      bench.add(line(p + "_responses_per_sec", best.responsesPerSecond(), "responses/s", 0));
      bench.add(line(p + "_lookups_per_sec", best.lookupsPerSecond(), "lookups/s", 0));
      bench.add(line(p + "_announces_per_sec", best.announcesPerSecond(), "announces/s", 0));
      bench.add(line(p + "_peers_per_reply", best.peersPerReply, "peers", 1));
      bench.add(line(p + "_cpu_us_per_response", best.trackerCpuMicrosPerResponse(), "us", 2));
      bench.add(line(p + "_process_cpu_us_per_response", best.processCpuMicrosPerResponse(), "us", 2));
      if (redis) {
        bench.add(line(p + "_server_cpu_us_per_response", best.redisCpuMicrosPerResponse(), "us", 2));
        bench.add(line(p + "_lookup_cache_ttl_ms", o.lookupCacheTtlMillis, "ms", 0));
        bench.add(line(p + "_lookup_cache_hit_rate", best.cacheHitRate(), "fraction", 3));
        bench.add(line(p + "_lookup_cache_shared_rate", best.cacheSharedRate(), "fraction", 3));
        bench.add(String.format(Locale.ROOT, "BENCH %s_load_average %.1f", p, best.loadAverage));
      }
      bench.add(line(p + "_allocated_bytes_per_response", best.trackerBytesPerResponse(), "bytes", 0));
      bench.add(line(p + "_lookup_p50_us", best.micros(50), "us", 0));
      bench.add(line(p + "_lookup_p99_us", best.micros(99), "us", 0));
      bench.add(line(p + "_lookup_p999_us", best.micros(99.9), "us", 0));

      // Open loop at half the best throughput.
      double halfRate = best.responsesPerSecond() / 2;
      Phase half = loadPhase(o, workload, index, redisPid, best.ioThreads, halfRate, o.warmupSeconds, o.measureSeconds);
      say("%s", half.describe());
      summary.add(half.describe());
      bench.add(line(p + "_half_load_responses_per_sec", half.responsesPerSecond(), "responses/s", 0));
      bench.add(line(p + "_p50_at_half_load_us", half.micros(50), "us", 0));
      bench.add(line(p + "_p99_at_half_load_us", half.micros(99), "us", 0));
      bench.add(line(p + "_p999_at_half_load_us", half.micros(99.9), "us", 0));
      bench.add(line(p + "_server_p99_at_half_load_us", half.serverMicros(99), "us", 0));
      for (int rate : o.openLoopRates) {
        Phase phase = loadPhase(o, workload, index, redisPid, best.ioThreads, rate, o.warmupSeconds, o.measureSeconds);
        say("%s", phase.describe());
        summary.add(phase.describe());
        bench.add(line(p + "_p50_at_" + rate + "_us", phase.micros(50), "us", 0));
        bench.add(line(p + "_p99_at_" + rate + "_us", phase.micros(99), "us", 0));
      }

      System.out.println();
      System.out.println("summary (" + p + "):");
      summary.forEach(s -> System.out.println("  " + s));
      return bench;
    } finally {
      if (index != null) {
        index.close();
      }
      if (redisServer != null) {
        redisServer.close();
      }
    }
  }

  /**
   * One phase on a fresh tracker: closed loop when {@code openLoopResponsesPerSecond} is 0,
   * otherwise open loop at that rate (lookups plus announces).
   */
  private static Phase loadPhase(Options o, Workload workload, PeerIndex index, long redisPid, int ioThreads,
      double openLoopResponsesPerSecond, int warmupSeconds, int measureSeconds) throws Exception {
    boolean open = openLoopResponsesPerSecond > 0;
    String name = open ? String.format(Locale.ROOT, "open loop %,.0f/s", openLoopResponsesPerSecond) : "closed loop";
    CountingListener listener = new CountingListener();
    TrackerConfig config = TrackerConfig.builder(NoiseKeyPair.generateX25519(new SecureRandom()))
        .listenAddress(new InetSocketAddress("127.0.0.1", 0))
        .index(index instanceof InMemoryPeerIndex ? ((InMemoryPeerIndex) index).config()
            : ((RedisPeerIndex) index).config())
        .maxPeersPerLookup(Math.max(50, o.load.maxPeers))
        .announceRate(1e9, 1_000_000)
        .lookupRate(1e9, 1_000_000)
        .maxConnectionsPerIp(1_000_000)
        .rateLimitedBeforeDisconnect(Integer.MAX_VALUE)
        .ioThreads(ioThreads)
        .shutdownGrace(Duration.ofSeconds(1))
        .build();
    try (TrackerServer server = TrackerServer.start(config, index, listener)) {
      say("%s, tracker I/O threads %d: connecting %d nodes to %s...", name, ioThreads, o.load.connections,
          server.address());
      try (LoadGenerator gen = LoadGenerator.connect(o.load, workload, server.address(), server.publicKey(),
          listener.announcesOk::sum)) {
        if (open) {
          gen.startOpenLoop(openLoopResponsesPerSecond / (1 + o.load.announcesPerLookup));
        } else {
          gen.startClosedLoop();
        }
        // Started before the warm-up ends: starting a recording stops the JVM for a moment.
        Recording jfr = measureSeconds > 0 && warmupSeconds > 0 ? startJfr(o, String.format(Locale.ROOT, "%s-io%d-%s.jfr",
            index instanceof InMemoryPeerIndex ? "memory" : "redis", ioThreads, open ? "open" : "closed")) : null;
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
        RedisPeerIndex cached = index instanceof RedisPeerIndex ? (RedisPeerIndex) index : null;
        long[] cacheA = cacheCounts(cached);
        CpuMeter.Reading cpuA = CpuMeter.read(redisPid);
        LoadGenerator.Snapshot a = gen.snapshot();
        listener.serverLatency.getIntervalHistogram(); // discard the warm-up
        long announcesA = listener.announcesOk.sum();
        long notOkA = listener.notOk.sum() + listener.rejected.sum();
        Thread.sleep(TimeUnit.SECONDS.toMillis(measureSeconds));
        LoadGenerator.Snapshot b = gen.snapshot();
        Histogram serverLatencies = listener.serverLatency.getIntervalHistogram();
        if (jfr != null) {
          jfr.stop();
          jfr.close();
        }
        long announcesB = listener.announcesOk.sum();
        long notOkB = listener.notOk.sum() + listener.rejected.sum();
        CpuMeter.Reading cpuB = CpuMeter.read(redisPid);
        long[] cacheB = cacheCounts(cached);
        double load = CpuMeter.loadAverage();
        gen.stop(2000);
        double seconds = (b.nanos - a.nanos) / 1e9;
        long lookups = b.lookups - a.lookups;
        Phase phase = new Phase(name, ioThreads, seconds, lookups, announcesB - announcesA,
            (double) (b.peers - a.peers) / Math.max(1, lookups), (double) (b.fullReplies - a.fullReplies) / Math.max(1, lookups),
            b.latencies, b.errors - a.errors, b.overflows - a.overflows, notOkB - notOkA, cpuA, cpuB, load);
        phase.serverLatencies = serverLatencies;
        phase.cacheHits = cacheB[0] - cacheA[0];
        phase.cacheShared = cacheB[1] - cacheA[1];
        phase.cacheMisses = cacheB[2] - cacheA[2];
        if (!gen.errorSamples().isEmpty()) {
          say("generator saw errors: %s", gen.errorSamples());
        }
        return phase;
      }
    }
  }

  /** The lookup cache's hits, shared reads and misses so far (zeros without a Redis index). */
  private static long[] cacheCounts(RedisPeerIndex index) {
    return index == null ? new long[3]
        : new long[] {index.lookupCacheHits(), index.lookupCacheShared(), index.lookupCacheMisses()};
  }

  private static Recording startJfr(Options o, String name) throws Exception {
    if (o.jfrDir == null) {
      return null;
    }
    Path file = Path.of(o.jfrDir).resolve(name);
    Files.createDirectories(file.getParent());
    Recording r = new Recording(Configuration.getConfiguration("profile"));
    r.setDestination(file);
    r.start();
    say("recording warm-up and measured window to %s", file);
    return r;
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String line(String name, double value, String unit, int decimals) {
    return String.format(Locale.ROOT, "BENCH %s %." + decimals + "f %s", name, value, unit);
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
