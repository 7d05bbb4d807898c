package dev.chorus.simulator.demo;

import dev.chorus.node.NodeStats;
import java.util.List;
import java.util.Locale;

/**
 * What a demo run measured: per node, the node's own counters and what its listener played; and
 * the start latencies of all playbacks, for the total row.
 */
public record DemoReport(List<Row> nodes, long startLatencyP50Nanos, long startLatencyP90Nanos, long elapsedNanos) {

  /** One node's line of the table. */
  public record Row(int node, long plays, long skips, long errors, long bytesPlayed, NodeStats stats) {}

  public DemoReport {
    nodes = List.copyOf(nodes);
  }

  public long bytesFromCache() {
    return nodes.stream().mapToLong(r -> r.stats().bytesFromCache()).sum();
  }

  public long bytesFromPeers() {
    return nodes.stream().mapToLong(r -> r.stats().bytesFromPeers()).sum();
  }

  public long bytesFromCdn() {
    return nodes.stream().mapToLong(r -> r.stats().bytesFromCdn()).sum();
  }

  public long bytesUploaded() {
    return nodes.stream().mapToLong(r -> r.stats().bytesUploaded()).sum();
  }

  public long bytesPlayed() {
    return nodes.stream().mapToLong(Row::bytesPlayed).sum();
  }

  public long plays() {
    return nodes.stream().mapToLong(Row::plays).sum();
  }

  public long stutters() {
    return nodes.stream().mapToLong(r -> r.stats().stutters()).sum();
  }

  /** The share of the bytes not from a node's own cache that peers served (0 when none). */
  public double peerShare() {
    long network = bytesFromPeers() + bytesFromCdn();
    return network == 0 ? 0 : (double) bytesFromPeers() / network;
  }

  /** The table printed at the end of {@code ./chorus demo}. */
  public String table() {
    StringBuilder b = new StringBuilder();
    String header = String.format(Locale.ROOT, "%-6s %6s %6s %10s %10s %10s %10s %10s %9s %9s %8s%n",
        "node", "plays", "skips", "played", "cache", "peers", "CDN", "uploaded", "start p50", "start p90",
        "stutters");
    b.append(header);
    b.append("-".repeat(header.length() - 1)).append('\n');
    for (Row r : nodes) {
      NodeStats s = r.stats();
      b.append(line(String.valueOf(r.node()), r.plays(), r.skips(), r.bytesPlayed(), s.bytesFromCache(),
          s.bytesFromPeers(), s.bytesFromCdn(), s.bytesUploaded(), s.startLatencyP50Nanos(),
          s.startLatencyP90Nanos(), s.stutters()));
    }
    b.append("-".repeat(header.length() - 1)).append('\n');
    b.append(line("total", plays(), nodes.stream().mapToLong(Row::skips).sum(), bytesPlayed(), bytesFromCache(),
        bytesFromPeers(), bytesFromCdn(), bytesUploaded(), startLatencyP50Nanos, startLatencyP90Nanos,
        stutters()));
    long network = bytesFromPeers() + bytesFromCdn();
    b.append('\n').append(String.format(Locale.ROOT,
        "peers served %.0f%% of the bytes not from a node's own cache (%s from peers, %s from the CDN)%n",
        100 * peerShare(), bytes(bytesFromPeers()), bytes(bytesFromCdn())));
    long all = network + bytesFromCache();
    if (all > 0) {
      b.append(String.format(Locale.ROOT, "of all bytes: %.0f%% cache, %.0f%% peers, %.0f%% CDN%n",
          100.0 * bytesFromCache() / all, 100.0 * bytesFromPeers() / all, 100.0 * bytesFromCdn() / all));
    }
    long errors = nodes.stream().mapToLong(Row::errors).sum();
    if (errors > 0) {
      b.append(errors).append(" playback").append(errors == 1 ? "" : "s").append(" failed (see the warnings above)\n");
    }
    return b.toString();
  }

  private static String line(String node, long plays, long skips, long played, long cache, long peers, long cdn,
      long uploaded, long p50, long p90, long stutters) {
    return String.format(Locale.ROOT, "%-6s %6d %6d %10s %10s %10s %10s %10s %9s %9s %8d%n", node, plays, skips,
        bytes(played), bytes(cache), bytes(peers), bytes(cdn), bytes(uploaded), millis(p50), millis(p90), stutters);
  }

  static String bytes(long n) {
    if (n < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f kB", n / 1e3);
    }
    return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
  }

  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%d ms", Math.round(nanos / 1e6));
  }
}
