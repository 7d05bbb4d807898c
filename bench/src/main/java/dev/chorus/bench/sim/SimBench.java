package dev.chorus.bench.sim;

import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.swarm.EventCensus;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.swarm.SwarmSimulation;
import dev.chorus.simulator.scenario.ScenarioFile;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator's scale benchmark: the default workload (every peer runs the node's swarm core)
 * at a million peers for a bounded stretch of simulated time, timed on the wall clock, with the
 * heap it needed. The 24-hour figure is projected from the measured events per simulated hour and
 * events per second, since a full day does not fit a bounded benchmark on two cores.
 */
public final class SimBench {
  private SimBench() {}

  /** The scale target's scenario, relative to the repository's root. */
  static final String MILLION = "simulator/scenarios/million.scenario";

  public static String usage() {
    return "sim options: --peers N (default 1000000) --minutes M simulated (default 20; --quick: 100000 peers, 10 min)\n"
        + "             --max-region-flows F  the network model's bound on flows re-rated per change (default 1024)\n"
        + "             --scenario FILE  run a scenario file instead of the default workload (--peers scales its\n"
        + "                              catalogue with it; --minutes/--hours bound its duration)\n"
        + "             --full  the million scenario (" + MILLION + ") to its end, 24 simulated hours\n"
        + "             --hours H  simulated hours (with --scenario or --full)\n"
        + "             --max-wall-minutes W  stop after W wall minutes and report how far the run got\n"
        + "             --census  also print the events by kind (CENSUS lines: count, share, per online peer-hour)";
  }

  public static List<String> run(List<String> args) {
    boolean quick = args.contains("--quick");
    boolean census = args.contains("--census");
    int peers = quick ? 100_000 : 1_000_000;
    boolean peersGiven = false;
    long minutes = quick ? 10 : 20;
    boolean minutesGiven = false;
    int maxRegionFlows = dev.chorus.simulator.network.FlowNetwork.DEFAULT_MAX_REGION_FLOWS;
    String scenarioFile = null;
    double maxWallMinutes = Double.POSITIVE_INFINITY;
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--peers" -> {
          peers = Integer.parseInt(args.get(++i));
          peersGiven = true;
        }
        case "--minutes" -> {
          minutes = Long.parseLong(args.get(++i));
          minutesGiven = true;
        }
        case "--hours" -> {
          minutes = Math.round(Double.parseDouble(args.get(++i)) * 60);
          minutesGiven = true;
        }
        case "--max-region-flows" -> maxRegionFlows = Integer.parseInt(args.get(++i));
        case "--scenario" -> scenarioFile = args.get(++i);
        case "--full" -> scenarioFile = repositoryFile(MILLION).toString();
        case "--max-wall-minutes" -> maxWallMinutes = Double.parseDouble(args.get(++i));
        default -> { }
      }
    }
    Scenario scenario;
    if (scenarioFile != null) {
      scenario = fromFile(Path.of(scenarioFile), peersGiven ? peers : -1,
          minutesGiven ? minutes : -1, maxRegionFlows);
      peers = scenario.peers();
      minutes = scenario.duration().toMinutes();
    } else {
      scenario = Scenario.builder()
          .name("scale-" + peers)
          .seed(1)
          .peers(peers)
          .duration(Duration.ofMinutes(minutes))
          .sampleInterval(Duration.ofMinutes(Math.min(5, minutes)))
          .historyDays(1)
          .network(dev.chorus.simulator.network.NetworkModel.Config.builder(peers)
              .maxRegionFlows(maxRegionFlows).build())
          .build();
    }
    resetPeakHeap();
    long wallBoundNanos = Double.isInfinite(maxWallMinutes) ? Long.MAX_VALUE
        : (long) (maxWallMinutes * 60e9);
    long benchStart = System.nanoTime();
    long[] lastReport = {System.nanoTime()};
    // The event loop's wall and CPU time, from its first progress report (after the set-up: the
    // listening history, the first online peers) to its last.
    long[] loop = {-1, -1, -1, -1, -1, -1}; // sim, wall, cpu, events at the first report; sim, wall at the last
    long[] lastCpu = {0};
    long[] allocated = {-1, -1}; // the event loop thread's allocated bytes at the first report, at the last
    long[] lastEvents = {0};
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long gcBefore = gcMillis();
    EventCensus[] counted = new EventCensus[1];
    RunResult r = SwarmSimulation.run(scenario, 0, (now, duration, events) -> {
      long wall = System.nanoTime();
      long cpu = threads.getCurrentThreadCpuTime();
      long bytes = allocatedBytes(threads);
      if (loop[0] < 0) {
        allocated[0] = bytes;
        loop[0] = now;
        loop[1] = wall;
        loop[2] = cpu;
        loop[3] = events;
      }
      loop[4] = now;
      loop[5] = wall;
      lastCpu[0] = cpu;
      allocated[1] = bytes;
      lastEvents[0] = events;
      if (wall - lastReport[0] > 30_000_000_000L) {
        lastReport[0] = wall;
        System.err.printf(Locale.ROOT, "sim: %.1f of %d simulated minutes, %d events, %.0f s wall%n",
            now / 60e9, duration / 60_000_000_000L, events, (wall - benchStart) / 1e9);
      }
    }, () -> System.nanoTime() - benchStart > wallBoundNanos, c -> counted[0] = c);
    long peakHeap = peakHeap();
    double gcSeconds = (gcMillis() - gcBefore) / 1e3;
    double wallSeconds = r.wallNanos() / 1e9;
    double eventsPerSecond = r.events() / wallSeconds;
    long durationNanos = scenario.duration().toNanos();
    boolean stopped = loop[4] < durationNanos;
    double reachedHours = loop[4] / 3.6e12;
    double loopHours = (loop[4] - loop[0]) / 3.6e12;
    double loopWallSeconds = (loop[5] - loop[1]) / 1e9;
    double cpuNsPerEvent = (double) (lastCpu[0] - loop[2]) / Math.max(1, lastEvents[0] - loop[3]);
    double online = r.metric(RunResult.PEAK_ONLINE_PEERS);
    List<String> lines = new ArrayList<>();
    String tag = peers >= 1_000_000 && peers % 1_000_000 == 0 ? (peers / 1_000_000) + "m" : peers / 1000 + "k";
    if (maxRegionFlows != dev.chorus.simulator.network.FlowNetwork.DEFAULT_MAX_REGION_FLOWS) {
      tag = tag + "_region" + maxRegionFlows;
    }
    String name = scenarioFile == null ? "sim_" + tag + "_peers_" + minutes + "min"
        : "sim_" + tag + "_" + (minutes % 60 == 0 ? (minutes / 60) + "h" : minutes + "min");
    lines.add(bench(name + "_wall_seconds", wallSeconds, "s"));
    if (scenarioFile == null) {
      String p = "sim_" + tag + "_peers";
      lines.add(bench(p + "_events", r.events(), "events"));
      lines.add(bench(p + "_events_per_sec", eventsPerSecond, "events/s"));
      lines.add(bench(p + "_peak_online", online, "peers"));
      lines.add(bench(p + "_peak_heap_mb", peakHeap / 1e6, "MB"));
      lines.add(bench("sim_" + tag + "_heap_per_peer_bytes", (double) peakHeap / peers, "B"));
      lines.add(bench("sim_" + tag + "_heap_per_online_peer_bytes", peakHeap / Math.max(1, online), "B"));
      double eventsPerDay = r.events() / (minutes / 60.0) * 24;
      lines.add(bench(p + "_projected_24h_wall_minutes", eventsPerDay / eventsPerSecond / 60, "min"));
      lines.add(bench(p + "_network_peer_share", r.metric(RunResult.NETWORK_PEER_SHARE), "fraction"));
    } else {
      lines.add(bench(name + "_events", r.events(), "events"));
      lines.add(bench(name + "_events_per_sec", eventsPerSecond, "events/s"));
      lines.add(bench(name + "_peak_online", online, "peers"));
      lines.add(bench(name + "_peak_heap_mb", peakHeap / 1e6, "MB"));
      lines.add(bench(name + "_heap_per_online_peer_bytes", peakHeap / Math.max(1, online), "B"));
      lines.add(bench(name + "_network_peer_share", r.metric(RunResult.NETWORK_PEER_SHARE), "fraction"));
      lines.add(bench(name + "_setup_wall_seconds", (loop[1] - benchStart) / 1e9, "s"));
      lines.add(bench(name + "_loop_wall_seconds_per_simulated_hour",
          loopWallSeconds / Math.max(1e-9, loopHours), "s"));
    }
    lines.add(bench(name + "_cpu_ns_per_event", cpuNsPerEvent, "ns"));
    if (allocated[0] >= 0) {
      lines.add(bench(name + "_alloc_bytes_per_event",
          (double) (allocated[1] - allocated[0]) / Math.max(1, lastEvents[0] - loop[3]), "B"));
    }
    lines.add(bench(name + "_gc_seconds", gcSeconds, "s"));
    if (stopped) {
      lines.add(bench(name + "_stopped_at_simulated_hours", reachedHours, "h"));
      lines.add(bench(name + "_wall_seconds_per_simulated_hour", wallSeconds / Math.max(1e-9, reachedHours), "s"));
    }
    if (census) {
      lines.addAll(censusLines(counted[0], r, loop[4]));
    }
    return lines;
  }

  /**
   * The events by kind: count, share of all, and per online peer-hour (the online population
   * averaged over the run's samples; the target is about 40 events per online peer-hour).
   */
  static List<String> censusLines(EventCensus census, RunResult r, long reachedNanos) {
    double onlineSum = 0;
    int samples = 0;
    int column = RunResult.SERIES_COLUMNS.indexOf(RunResult.T_ONLINE_PEERS);
    for (double[] row : r.series()) {
      onlineSum += row[column];
      samples++;
    }
    double peerHours = samples == 0 ? 0 : onlineSum / samples * reachedNanos / 3.6e12;
    long total = census.total();
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "CENSUS %-28s %13d %7.3f%% %10.1f", "all", total, 100.0,
        total / Math.max(1e-9, peerHours)));
    for (Map.Entry<String, Long> e : census.counts().entrySet()) {
      if (e.getValue() > 0) {
        lines.add(String.format(Locale.ROOT, "CENSUS %-28s %13d %7.3f%% %10.1f", e.getKey(),
            e.getValue(), 100.0 * e.getValue() / Math.max(1, total),
            e.getValue() / Math.max(1e-9, peerHours)));
      }
    }
    return lines;
  }

  /**
   * The scenario file with the bench's overrides: {@code peers} (the catalogue scaled with it, as
   * million.scenario scales spotify-like's), {@code minutes} of simulated time (the warm-up and
   * the sampling shortened to fit it), the network's region bound if not the default.
   */
  static Scenario fromFile(Path file, int peers, long minutes, int maxRegionFlows) {
    Scenario base = ScenarioFile.read(file);
    Map<String, String> overrides = new LinkedHashMap<>();
    if (peers > 0 && peers != base.peers()) {
      overrides.put("sim.peers", Integer.toString(peers));
      long tracks = Math.max(1, Math.round((double) base.workload().catalogueTracks() * peers / base.peers()));
      overrides.put("catalogue.tracks", Long.toString(tracks));
    }
    if (minutes > 0 && minutes != base.duration().toMinutes()) {
      Duration d = Duration.ofMinutes(minutes);
      overrides.put("sim.duration", minutes + "m");
      if (base.warmup().compareTo(d) >= 0) {
        overrides.put("sim.warmup", "0s"); // a bounded run summarises all it ran
      }
      if (base.sampleInterval().compareTo(d) > 0) {
        overrides.put("sim.sampleInterval", minutes + "m");
      }
    }
    if (maxRegionFlows != dev.chorus.simulator.network.FlowNetwork.DEFAULT_MAX_REGION_FLOWS) {
      overrides.put("network.maxRegionFlows", Integer.toString(maxRegionFlows));
    }
    return ScenarioFile.read(file, overrides);
  }

  /** A file of the repository: bench/run passes its root as {@code chorus.root}; else the working directory. */
  static Path repositoryFile(String relative) {
    String root = System.getProperty("chorus.root", ".");
    return Path.of(root).resolve(relative);
  }

  /** The calling thread's allocated bytes, or -1 where the JVM does not count them. */
  private static long allocatedBytes(ThreadMXBean threads) {
    return threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemoryEnabled()
        ? t.getCurrentThreadAllocatedBytes() : -1;
  }

  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  private static String bench(String name, double value, String unit) {
    return String.format(Locale.ROOT, "BENCH %s %.4g %s", name, value, unit);
  }

  private static void resetPeakHeap() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  /** The sum of the heap pools' peak usage (an upper bound on the live heap the run needed). */
  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
