package dev.chorus.bench.node;

import java.util.List;

/** Options of the node benchmarks' command lines. */
final class BenchOptions {
  private BenchOptions() {}

  /** The number after {@code name} in {@code args}, 1..10,000, or {@code fallback} if absent. */
  static int intOption(List<String> args, String name, int fallback) {
    int i = args.indexOf(name);
    if (i < 0) {
      return fallback;
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a number");
    }
    int v = Integer.parseInt(args.get(i + 1));
    if (v < 1 || v > 10_000) {
      throw new IllegalArgumentException(name + " must be in [1, 10000], was " + v);
    }
    return v;
  }
}
