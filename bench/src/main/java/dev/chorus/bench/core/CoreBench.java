package dev.chorus.bench.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The {@code core} group: {@link SwarmCoreBenchmark} under JMH with the GC profiler, as {@code
 * BENCH core_<operation>_<tracks>tracks_ns} (time per operation) and {@code ..._alloc_bytes}
 * (bytes allocated per operation, which does not depend on the machine's load).
 */
public final class CoreBench {
  private CoreBench() {}

  public static String usage() {
    return "core: bench/run core [--quick]   the swarm core's overlay query and scheduler pass, 50 neighbours";
  }

  public static List<String> run(boolean quick) throws Exception {
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include("dev\\.chorus\\.bench\\.core\\.SwarmCoreBenchmark\\.")
        .forks(1)
        .threads(1)
        .shouldDoGC(true)
        .addProfiler(GCProfiler.class);
    dev.chorus.bench.BenchMain.iterations(options, quick);
    List<String> lines = new ArrayList<>();
    for (RunResult r : new Runner(options.build()).run()) {
      String name = "core_" + r.getParams().getBenchmark().replaceAll(".*\\.", "") + "_"
          + r.getParams().getParam("tracksPerNeighbour") + "tracks";
      lines.add(String.format(Locale.ROOT, "BENCH %s_ns %.1f ns", name, r.getPrimaryResult().getScore()));
      Result<?> alloc = r.getSecondaryResults().get("·gc.alloc.rate.norm");
      if (alloc == null) {
        alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      }
      if (alloc != null) {
        lines.add(String.format(Locale.ROOT, "BENCH %s_alloc_bytes %.1f B", name, alloc.getScore()));
      }
    }
    return lines;
  }
}
