package dev.chorus.bench.tracker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Redis's own accounting of a phase: the difference of two {@code INFO commandstats} snapshots,
 * per command (scripts show as {@code evalsha}/{@code eval}; Redis 7 also counts the commands a
 * script calls, under their own names, inside the script's time). bench/README.md,
 * tracker-redis-index.
 */
final class CommandStats {
  /** Calls and microseconds per command name. */
  private final Map<String, long[]> byCommand;

  private CommandStats(Map<String, long[]> byCommand) {
    this.byCommand = byCommand;
  }

  /** Parses {@code INFO commandstats}: lines {@code cmdstat_NAME:calls=C,usec=U,...}. */
  static CommandStats parse(String info) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      long calls = 0;
      long usec = 0;
      for (String field : line.substring(colon + 1).split(",")) {
        if (field.startsWith("calls=")) {
          calls = Long.parseLong(field.substring(6));
        } else if (field.startsWith("usec=")) {
          usec = Long.parseLong(field.substring(5));
        }
      }
      out.put(line.substring(8, colon), new long[] {calls, usec});
    }
    return new CommandStats(out);
  }

  /**
   * One line per command called between {@code before} and this snapshot, most time first: calls
   * per operation, microseconds per call and per operation.
   */
  List<String> since(CommandStats before, long operations) {
    List<Map.Entry<String, long[]>> called = new ArrayList<>();
    for (Map.Entry<String, long[]> e : byCommand.entrySet()) {
      long[] b = before.byCommand.getOrDefault(e.getKey(), new long[2]);
      long[] delta = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
      if (delta[0] > 0 && !e.getKey().equals("info")) {
        called.add(Map.entry(e.getKey(), delta));
      }
    }
    called.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : called) {
      long calls = e.getValue()[0];
      long usec = e.getValue()[1];
      out.add(String.format(Locale.ROOT, "  %-18s %7.2f calls/op %8.2f us/call %8.2f us/op", e.getKey(),
          (double) calls / operations, (double) usec / calls, (double) usec / operations));
    }
    return out;
  }
}
