package dev.chorus.bench.chaos;

import dev.chorus.demo.ChaosOptions;
import dev.chorus.demo.ChaosReport;
import dev.chorus.demo.ChaosSoak;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench/run chaos} (bench/README.md): the chaos soak of real nodes ({@link ChaosSoak}) at
 * bench size, {@link ChaosOptions#bench()}; ends with its {@code BENCH chaos_…} lines.
 */
public final class ChaosBench {
  private ChaosBench() {}

  public static String usage() {
    return "chaos options: --nodes N (32) --child-nodes N (4) --minutes M (5) --seed S (1); --quick: 16 nodes, 2 minutes";
  }

  public static List<String> run(List<String> args) throws Exception {
    ChaosOptions o = ChaosOptions.bench();
    int nodes = o.nodes();
    int children = o.childNodes();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--quick" -> {
          nodes = 16;
          o = o.withDuration(Duration.ofMinutes(2));
        }
        case "--nodes" -> nodes = Integer.parseInt(args.get(++i));
        case "--child-nodes" -> children = Integer.parseInt(args.get(++i));
        case "--minutes" -> o = o.withDuration(Duration.ofMinutes(Long.parseLong(args.get(++i))));
        case "--seed" -> o = o.withSeed(Long.parseLong(args.get(++i)));
        default -> throw new IllegalArgumentException("unknown option " + a + "; " + usage());
      }
    }
    ChaosReport r = ChaosSoak.run(o.withNodes(nodes, children), System.out);
    r.errorSamples().forEach(s -> System.out.println("  " + s));
    List<String> lines = new ArrayList<>(r.benchLines());
    return lines;
  }
}
