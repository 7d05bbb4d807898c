package dev.chorus.bench.tracker;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.testing.process.Programs;
import dev.chorus.testing.process.RedisServer;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerInfo;
import dev.chorus.tracker.redis.RedisPeerIndex;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * The Redis peer index alone, without the tracker's network, Noise and ranking: CPU time per
 * operation of this JVM (all threads: the caller, Lettuce's, GC) and of redis-server (from
 * /proc), and bytes allocated per operation, for lookups ({@code candidates}) and for announces of
 * 1..3 tracks, each measured on its own so that the mix does not move the figures. On a machine
 * shared with other work CPU time per operation is the figure to compare; operations per second
 * are printed for reference only. bench/README.md, tracker-redis-index.
 */
public final class RedisIndexCost {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private RedisIndexCost() {}

  public static List<String> run(List<String> args) throws Exception {
    int tracks = 20_000;
    int peers = 40_000;
    int tracksPerPeer = 10;
    int inFlight = 64;
    double seconds = 10;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--quick": seconds = 5; break;
        case "--tracks": tracks = Integer.parseInt(args.get(++i)); break;
        case "--peers": peers = Integer.parseInt(args.get(++i)); break;
        case "--in-flight": inFlight = Integer.parseInt(args.get(++i)); break;
        case "--seconds": seconds = Double.parseDouble(args.get(++i)); break;
        default: throw new IllegalArgumentException("unknown option " + a + "; " + usage());
      }
    }
    Workload workload = new Workload(tracks, 0.5);
    List<String> out = new ArrayList<>();
    long now = System.currentTimeMillis();
    try (RedisServer server = RedisServer.start(Programs.require(RedisServer.PROGRAM, RedisServer.DEBIAN_PACKAGE));
        RedisPeerIndex index = RedisPeerIndex.connect(server.uri() + "?timeout=60s", PeerIndexConfig.defaults())) {
      System.err.printf("preloading %,d peers x %d tracks over %,d tracks...%n", peers, tracksPerPeer, tracks);
      Preload.run(index, workload, peers, tracksPerPeer, now, 256, 1, new Preload.ProgressPrinter());
      SplittableRandom random = new SplittableRandom(2);
      TrackId[] lookupTracks = new TrackId[1 << 16];
      for (int i = 0; i < lookupTracks.length; i++) {
        lookupTracks[i] = Workload.trackId(workload.popularTrack(random));
      }
      List<PeerInfo> announcers = new ArrayList<>();
      List<List<Holding>> announced = new ArrayList<>();
      byte[] key = new byte[32];
      for (int i = 0; i < 4096; i++) {
        announcers.add(Workload.randomPeer(random, key));
        List<Holding> h = new ArrayList<>();
        for (int t = 1 + random.nextInt(3); t > 0; t--) {
          h.add(Holding.complete(Workload.trackId(workload.popularTrack(random)), Workload.CHUNKS_PER_TRACK));
        }
        announced.add(h);
      }
      IntFunction<CompletionStage<?>> lookup = i -> index.candidates(lookupTracks[i & (lookupTracks.length - 1)], now);
      IntFunction<CompletionStage<?>> announce = i -> index.announce(announcers.get(i & 4095), false, announced.get(i & 4095), now);
      for (int round = 0; round < 2; round++) { // the first round warms up the JIT
        boolean report = round == 1;
        phase("lookup", lookup, inFlight, report ? seconds : 3, server, report ? out : null);
        phase("announce", announce, inFlight, report ? seconds : 3, server, report ? out : null);
      }
    }
    return out;
  }

  private static void phase(String name, IntFunction<CompletionStage<?>> op, int inFlight, double seconds,
      RedisServer server, List<String> out) throws InterruptedException {
    long redisPid = server.pid();
    CommandStats stats0 = CommandStats.parse(server.commandString("INFO", "commandstats"));
    Semaphore window = new Semaphore(inFlight);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long cpu0 = processCpuNanos(-1);
    long redis0 = processCpuNanos(redisPid);
    long alloc0 = allocatedBytes();
    long start = System.nanoTime();
    int n = 0;
    while (System.nanoTime() < deadline && failure.get() == null) {
      window.acquire();
      op.apply(n++).whenComplete((v, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
        window.release();
      });
    }
    if (!window.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + ": operations did not complete within 60 s");
    }
    if (failure.get() != null) {
      throw new IllegalStateException(name + " failed", failure.get());
    }
    double wall = (System.nanoTime() - start) / 1e9;
    double clientUs = (processCpuNanos(-1) - cpu0) / 1e3 / n;
    double redisUs = (processCpuNanos(redisPid) - redis0) / 1e3 / n;
    double allocated = (double) (allocatedBytes() - alloc0) / n;
    double load = CpuMeter.loadAverage();
    List<String> commands = CommandStats.parse(server.commandString("INFO", "commandstats")).since(stats0, n);
    System.err.printf(Locale.ROOT, "%s: %,d in %.1f s (%,.0f/s); index JVM %.1f us, redis-server %.1f us,"
        + " %,.0f bytes allocated per %s; load average %.1f%n", name, n, wall, n / wall, clientUs, redisUs, allocated, name,
        load);
    System.err.println(name + ": redis-server's INFO commandstats per " + name + " (time inside scripts counts twice):");
    commands.forEach(System.err::println);
    if (out != null) {
      String p = "tracker_redis_index_" + name;
      out.add(String.format(Locale.ROOT, "BENCH %s_client_cpu_us %.1f us", p, clientUs));
      out.add(String.format(Locale.ROOT, "BENCH %s_server_cpu_us %.1f us", p, redisUs));
      out.add(String.format(Locale.ROOT, "BENCH %s_allocated_bytes %.0f bytes", p, allocated));
      out.add(String.format(Locale.ROOT, "BENCH %s_per_sec %.0f ops/s", p, n / wall));
      out.add(String.format(Locale.ROOT, "BENCH %s_load_average %.1f", p, load));
    }
  }

  /** utime + stime of a process (this one if pid is -1) from /proc, in nanoseconds (ticks of 1/100 s). */
  private static long processCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + (pid < 0 ? "self" : Long.toString(pid)) + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the CPU time of process " + pid, e);
    }
  }

  private static long allocatedBytes() {
    long sum = 0;
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) THREADS;
    for (long id : threads.getAllThreadIds()) {
      sum += Math.max(0, threads.getThreadAllocatedBytes(id));
    }
    return sum;
  }

  public static String usage() {
    return "bench/run tracker-redis-index [--quick] [--tracks N (20000)] [--peers N (40000)] [--in-flight N (64)]"
        + " [--seconds S (10; --quick 5)]";
  }
}
