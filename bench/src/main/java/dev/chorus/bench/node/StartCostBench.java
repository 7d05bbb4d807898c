package dev.chorus.bench.node;

import dev.chorus.bench.node.NodeBench.Track;
import dev.chorus.bench.node.NodeBench.World;
import dev.chorus.node.ChorusNode;
import dev.chorus.node.SwarmConfig;
import dev.chorus.node.TrackStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What a play start costs a real node apart from moving bytes over a network (bench/README.md,
 * group {@code start-cost}): a {@link ChorusNode} with its RocksDB cache, a real tracker and an
 * in-process HTTP origin on loopback, tracks shaped like the demo's (256 kbit/s, 16 KiB chunks,
 * 60 s).
 *
 * <ul>
 *   <li><b>Network start.</b> The node opens a track nobody holds and waits until it is ready to play
 *       ({@link TrackStream#awaitReady}: the start latency of {@code NodeStats}, open → ready): the
 *       manifest from the origin, the tracker lookup, the initial CDN range request, the first
 *       chunks verified and stored, the start policy's decision, the first chunk read. The origin's
 *       own time (handler entry → response headers sent) and the loopback transfer (the handler
 *       writing bodies) are measured in the origin and reported apart, so the node's processing is
 *       the start latency less the origin's time.
 *   <li><b>Cached start.</b> The node opens tracks it played to the end before: manifest and first
 *       chunk from its RocksDB cache (chunks found on disk at open are verified on first read).
 * </ul>
 *
 * Beside the wall time of each start, the CPU time the process's threads used during it (from
 * {@code /proc/self/task/<tid>/schedstat}, so RocksDB's native threads count too), split into the
 * node's threads (its {@code chorus-*} threads, the JDK HTTP client's, RocksDB's, and the player's,
 * which here is the benchmark's main thread, measured around its own {@code open} and {@code
 * awaitReady}) and the rest (the origin, the tracker, the JIT, the
 * GC). Unlike wall time, the node's CPU time per start holds on a machine shared with other work.
 */
public final class StartCostBench {
  private static final int BYTES_PER_SECOND = 32_000; // 256 kbit/s, the demo's bitrate
  private static final int TRACK_SECONDS = 60;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private StartCostBench() {}

  public static String usage() {
    return "start-cost [--samples N] [--warmup-samples N]: what a play start costs a real node (RocksDB cache, origin\n"
        + "                  on loopback): open -> ready-to-play wall time and the node's CPU time, for tracks only the\n"
        + "                  origin has and for cached ones; N measured starts of each (200), after warm-up ones (200)";
  }

  /** One start: wall time open → ready, and CPU time of the node's threads and of the others. */
  private record Start(long wallNanos, long nodeCpuNanos, long otherCpuNanos, long originHeaderNanos,
      long originBodyNanos, Map<String, Long> cpuByRole) {}

  public static List<String> run(List<String> args) throws Exception {
    int samples = BenchOptions.intOption(args, "--samples", 200);
    int warmup = BenchOptions.intOption(args, "--warmup-samples", 200);
    int n = warmup + samples;
    int cachedTracks = Math.min(n, 60);
    String loadBefore = CpuTimes.loadAverage();
    say("start-cost: %d + %d starts of each kind; load average %s", warmup, samples, loadBefore);
    List<String> lines = new ArrayList<>();
    try (World w = new World(false)) {
      // Tracks share one array of bytes (their ids differ by origin key): the origin holds one copy.
      byte[] content = new byte[BYTES_PER_SECOND * TRACK_SECONDS];
      new SplittableRandom(3).nextBytes(content);
      List<Track> fresh = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fresh.add(w.publish(content, BYTES_PER_SECOND));
      }
      List<Track> toCache = new ArrayList<>();
      for (int i = 0; i < cachedTracks; i++) {
        toCache.add(w.publish(content, BYTES_PER_SECOND));
      }
      ChorusNode node = w.startNode("s", SwarmConfig.defaults(), 2L << 30);

      Histogram wall = histogram();
      Histogram cpu = histogram();
      Histogram nodeMinusOrigin = histogram();
      long other = 0;
      long originHeader = 0;
      long originBody = 0;
      Map<String, Long> networkRoles = new HashMap<>();
      for (int i = 0; i < n; i++) {
        Start s = start(w, node, fresh.get(i));
        if (i >= warmup) {
          wall.recordValue(micros(s.wallNanos()));
          cpu.recordValue(micros(s.nodeCpuNanos()));
          nodeMinusOrigin.recordValue(micros(s.wallNanos() - s.originHeaderNanos() - s.originBodyNanos()));
          other += s.otherCpuNanos();
          addRoles(networkRoles, s);
          originHeader += s.originHeaderNanos();
          originBody += s.originBodyNanos();
        }
        Thread.sleep(30); // the rest of the initial CDN window arrives and is stored before the next start
      }
      report("network", wall, cpu, other / samples);
      say("start-cost (network): CPU per start by thread, ms: %s", rolesPerStart(networkRoles, samples));
      say("start-cost (network): origin per start: %.3f ms to the response headers, %.3f ms writing bodies "
          + "(all of every response, not only the bytes the start needed)", originHeader / 1e6 / samples,
          originBody / 1e6 / samples);
      lines.addAll(figures("network", wall, cpu));
      lines.add(bench("start_cost_network_minus_origin_p50_ms", nodeMinusOrigin.getValueAtPercentile(50) / 1e3, "ms"));
      lines.add(bench("start_cost_network_origin_ms", originHeader / 1e6 / samples, "ms"));

      for (Track t : toCache) {
        playToEnd(node, t);
      }
      for (Track t : toCache) {
        NodeBench.await(() -> node.isCached(t.id()), "the node caches " + t.id());
      }
      // The cache is written: restart the node so that its tracks are read from RocksDB, as after an
      // application restart.
      w.nodes.remove(node);
      node.close();
      ChorusNode again = w.startNode("s", SwarmConfig.defaults(), 2L << 30);
      wall = histogram();
      cpu = histogram();
      other = 0;
      for (Track t : toCache) {
        start(w, again, t); // the first read after the restart verifies the chunk; later ones trust it
      }
      SplittableRandom order = new SplittableRandom(5);
      Map<String, Long> cachedRoles = new HashMap<>();
      for (int i = 0; i < n; i++) {
        Track t = toCache.get(order.nextInt(cachedTracks));
        Start s = start(w, again, t);
        if (i >= warmup) {
          wall.recordValue(micros(s.wallNanos()));
          cpu.recordValue(micros(s.nodeCpuNanos()));
          other += s.otherCpuNanos();
          addRoles(cachedRoles, s);
        }
        Thread.sleep(5);
      }
      report("cached", wall, cpu, other / samples);
      say("start-cost (cached): CPU per start by thread, ms: %s", rolesPerStart(cachedRoles, samples));
      lines.addAll(figures("cached", wall, cpu));
    }
    String loadAfter = CpuTimes.loadAverage();
    say("start-cost: load average before %s, after %s", loadBefore, loadAfter);
    lines.add("BENCH start_cost_load_average " + loadAfter.split(" ")[0] + " load");
    return lines;
  }

  /** Opens a track, waits until the node says ready to play, closes it. */
  private static Start start(World w, ChorusNode node, Track t) throws IOException {
    long header0 = w.origin.headerNanos();
    long body0 = w.origin.bodyNanos();
    Map<Long, ThreadCpu> before = threadCpu();
    long player0 = THREADS.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    try (TrackStream in = node.open(t.id())) {
      in.awaitReady();
      long wall = System.nanoTime() - t0;
      long player = THREADS.getCurrentThreadCpuTime() - player0;
      Map<Long, ThreadCpu> after = threadCpu();
      long nodeCpu = player;
      long otherCpu = 0;
      Map<String, Long> byRole = new HashMap<>();
      byRole.put("player", player);
      for (Map.Entry<Long, ThreadCpu> e : after.entrySet()) {
        ThreadCpu b = before.get(e.getKey());
        long used = e.getValue().nanos() - (b == null ? 0 : b.nanos());
        byRole.merge(role(e.getValue().name()), used, Long::sum);
        if (isNodeThread(e.getValue().name())) {
          nodeCpu += used;
        } else {
          otherCpu += used;
        }
      }
      return new Start(wall, nodeCpu, otherCpu, w.origin.headerNanos() - header0, w.origin.bodyNanos() - body0,
          byRole);
    }
  }

  private static void playToEnd(ChorusNode node, Track t) throws IOException {
    byte[] buf = new byte[64 << 10];
    try (TrackStream in = node.open(t.id())) {
      while (in.read(buf, 0, buf.length) > 0) {
        // to the end: the node stores every chunk
      }
    }
  }

  /**
   * The node's threads: its own ({@code chorus-*}), the JDK HTTP client's it talks to the origin
   * with, RocksDB's native ones, and the player's (the benchmark's {@code main} thread, which runs
   * the node's {@code open} and {@code awaitReady}). Thread names are the kernel's, cut to 15
   * characters. The player's thread is counted apart (see {@link #threadCpu}).
   */
  static boolean isNodeThread(String name) {
    return name.startsWith("chorus-") || name.startsWith("HttpClient") || name.startsWith("rocksdb");
  }

  /** "chorus-verify-s" and "chorus-net-s-3-" are "chorus-verify" and "chorus-net"; "C2 CompilerThre" is "C2". */
  static String role(String threadName) {
    String[] parts = threadName.split("[- ]");
    if (parts.length > 1 && (parts[0].equals("chorus") || parts[0].equals("bench") || parts[0].equals("tracker"))) {
      return parts[0] + "-" + parts[1];
    }
    return parts[0].replaceAll("[0-9#]+$", "");
  }

  private static void addRoles(Map<String, Long> into, Start s) {
    s.cpuByRole().forEach((k, v) -> into.merge(k, v, Long::sum));
  }

  /** Roles by CPU per start, largest first, those above 0.01 ms. */
  private static String rolesPerStart(Map<String, Long> byRole, int starts) {
    return byRole.entrySet().stream()
        .filter(e -> e.getValue() / 1e6 / starts >= 0.01)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / 1e6 / starts))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private record ThreadCpu(String name, long nanos) {}

  /**
   * CPU time on each of the process's threads (Java and native), from schedstat, except the calling
   * thread's: reading these files is its own work, so its CPU is measured apart, around the start.
   */
  private static Map<Long, ThreadCpu> threadCpu() throws IOException {
    Map<Long, ThreadCpu> cpu = new HashMap<>();
    String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        if (task.getFileName().toString().equals(self)) {
          continue;
        }
        try {
          String schedstat = Files.readString(task.resolve("schedstat"));
          String name = Files.readString(task.resolve("comm")).trim();
          long nanos = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
          cpu.put(Long.parseLong(task.getFileName().toString()), new ThreadCpu(name, nanos));
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    }
    return cpu;
  }

  private static void report(String kind, Histogram wall, Histogram cpu, long otherCpuNanos) {
    say("start-cost (%s): %d starts, open -> ready p50 %.2f ms, p90 %.2f ms, p99 %.2f ms; node CPU per start "
        + "p50 %.2f ms, p90 %.2f ms, mean %.2f ms; other threads' CPU per start (origin, tracker, JIT, GC) %.2f ms",
        kind, wall.getTotalCount(), wall.getValueAtPercentile(50) / 1e3, wall.getValueAtPercentile(90) / 1e3,
        wall.getValueAtPercentile(99) / 1e3, cpu.getValueAtPercentile(50) / 1e3, cpu.getValueAtPercentile(90) / 1e3,
        cpu.getMean() / 1e3, otherCpuNanos / 1e6);
  }

  private static List<String> figures(String kind, Histogram wall, Histogram cpu) {
    return List.of(
        bench("start_cost_" + kind + "_wall_p50_ms", wall.getValueAtPercentile(50) / 1e3, "ms"),
        bench("start_cost_" + kind + "_wall_p90_ms", wall.getValueAtPercentile(90) / 1e3, "ms"),
        bench("start_cost_" + kind + "_cpu_p50_ms", cpu.getValueAtPercentile(50) / 1e3, "ms"),
        bench("start_cost_" + kind + "_cpu_p90_ms", cpu.getValueAtPercentile(90) / 1e3, "ms"));
  }

  private static Histogram histogram() {
    return new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
  }

  private static long micros(long nanos) {
    return Math.max(1, Math.min(TimeUnit.SECONDS.toMicros(120), nanos / 1_000));
  }

  private static String bench(String name, double value, String unit) {
    return "BENCH " + name + " " + String.format(Locale.ROOT, "%.3f", value) + " " + unit;
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
