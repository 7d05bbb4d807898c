package dev.chorus.bench.sim;

import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.swarm.SwarmSimulation;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The simulator's scale benchmark: the default workload (every peer runs the node's swarm core)
 * at a million peers for a bounded stretch of simulated time, timed on the wall clock, with the
 * heap it needed. The 24-hour figure is projected from the measured events per simulated hour and
 * events per second, since a full day does not fit a bounded benchmark on two cores.
 */
public final class SimBench {
  private SimBench() {}

  public static String usage() {
    return "sim options: --peers N (default 1000000) --minutes M simulated (default 20; --quick: 100000 peers, 10 min)\n"
        + "             --max-region-flows F  the network model's bound on flows re-rated per change (default 1024)";
  }

  public static List<String> run(List<String> args) {
    boolean quick = args.contains("--quick");
    int peers = quick ? 100_000 : 1_000_000;
    long minutes = quick ? 10 : 20;
    int maxRegionFlows = dev.chorus.simulator.network.FlowNetwork.DEFAULT_MAX_REGION_FLOWS;
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--peers")) {
        peers = Integer.parseInt(args.get(++i));
      } else if (args.get(i).equals("--minutes")) {
        minutes = Long.parseLong(args.get(++i));
      } else if (args.get(i).equals("--max-region-flows")) {
        maxRegionFlows = Integer.parseInt(args.get(++i));
      }
    }
    Scenario scenario = Scenario.builder()
        .name("scale-" + peers)
        .seed(1)
        .peers(peers)
        .duration(Duration.ofMinutes(minutes))
        .sampleInterval(Duration.ofMinutes(Math.min(5, minutes)))
        .historyDays(1)
        .network(dev.chorus.simulator.network.NetworkModel.Config.builder(peers)
            .maxRegionFlows(maxRegionFlows).build())
        .build();
    resetPeakHeap();
    long[] lastReport = {System.nanoTime()};
    RunResult r = SwarmSimulation.run(scenario, 0, (now, duration, events) -> {
      if (System.nanoTime() - lastReport[0] > 30_000_000_000L) {
        lastReport[0] = System.nanoTime();
        System.err.printf(Locale.ROOT, "sim: %.1f of %d simulated minutes, %d events%n",
            now / 60e9, duration / 60_000_000_000L, events);
      }
    });
    long peakHeap = peakHeap();
    double wallSeconds = r.wallNanos() / 1e9;
    double eventsPerSecond = r.events() / wallSeconds;
    double simulatedHours = minutes / 60.0;
    double eventsPerDay = r.events() / simulatedHours * 24;
    double projectedMinutes = eventsPerDay / eventsPerSecond / 60;
    double online = r.metric(RunResult.PEAK_ONLINE_PEERS);
    List<String> lines = new ArrayList<>();
    String tag = peers >= 1_000_000 && peers % 1_000_000 == 0 ? (peers / 1_000_000) + "m" : peers / 1000 + "k";
    if (maxRegionFlows != dev.chorus.simulator.network.FlowNetwork.DEFAULT_MAX_REGION_FLOWS) {
      tag = tag + "_region" + maxRegionFlows;
    }
    lines.add(bench("sim_" + tag + "_peers_" + minutes + "min_wall_seconds", wallSeconds, "s"));
    lines.add(bench("sim_" + tag + "_peers_events", r.events(), "events"));
    lines.add(bench("sim_" + tag + "_peers_events_per_sec", eventsPerSecond, "events/s"));
    lines.add(bench("sim_" + tag + "_peers_peak_online", online, "peers"));
    lines.add(bench("sim_" + tag + "_peers_peak_heap_mb", peakHeap / 1e6, "MB"));
    lines.add(bench("sim_" + tag + "_heap_per_peer_bytes", (double) peakHeap / peers, "B"));
    lines.add(bench("sim_" + tag + "_heap_per_online_peer_bytes", peakHeap / Math.max(1, online), "B"));
    lines.add(bench("sim_" + tag + "_peers_projected_24h_wall_minutes", projectedMinutes, "min"));
    lines.add(bench("sim_" + tag + "_peers_network_peer_share", r.metric(RunResult.NETWORK_PEER_SHARE), "fraction"));
    return lines;
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
