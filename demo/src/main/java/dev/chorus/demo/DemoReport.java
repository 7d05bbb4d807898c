package dev.chorus.demo;

import dev.chorus.node.NodeStats;
import dev.chorus.node.PlayedBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a demo run measured: per node, the node's own counters and what its listener read; and the
 * start latencies of all playbacks, for the total row.
 *
 * <p>The table reports what the Spotify P2P'10 paper reports: bytes <em>played</em>, each attributed
 * to the one source it came from (the node's own cache, a peer, the CDN), so that on every row
 * cache + peers + CDN = played, also as printed (the parts are rounded to add up to the rounded
 * whole). Bytes fetched over the network for a play but not played by it (the rest of a skipped
 * track, a prefetched track not played next) are in their own column, "unplayed". The attribution
 * is the node's ({@link NodeStats#played()}); {@link #invariantViolation()} checks it against what
 * the listeners read, counted separately.
 */
public record DemoReport(List<Row> nodes, long startLatencyP50Nanos, long startLatencyP90Nanos, long elapsedNanos,
    PlayedBytes trackerPlayed) {

  /**
   * One node's line of the table.
   *
   * @param plays tracks the node's listener opened
   * @param skips plays it left before the end
   * @param errors plays that failed
   * @param bytesRead bytes the listener read through the node, counted by the listener
   * @param playsStarted the listener's plays that read at least one byte
   * @param stats the node's counters: bytes played by source, fetched, uploaded; latency; stutters
   */
  public record Row(int node, long plays, long skips, long errors, long bytesRead, long playsStarted,
      NodeStats stats) {}

  public DemoReport {
    nodes = List.copyOf(nodes);
  }

  /** A report without the tracker's telemetry figures. */
  public DemoReport(List<Row> nodes, long startLatencyP50Nanos, long startLatencyP90Nanos, long elapsedNanos) {
    this(nodes, startLatencyP50Nanos, startLatencyP90Nanos, elapsedNanos, null);
  }

  /**
   * Whether the bytes played by source that the nodes reported to the tracker (its
   * {@code chorus_tracker_playback_played_bytes_total}) equal the table's; null without figures.
   */
  public Boolean telemetryAgrees() {
    return trackerPlayed == null ? null : trackerPlayed.equals(played());
  }

  /** Bytes played on all nodes, by source. */
  public PlayedBytes played() {
    PlayedBytes sum = PlayedBytes.NONE;
    for (Row r : nodes) {
      sum = sum.plus(r.stats().played());
    }
    return sum;
  }

  /** Bytes fetched from peers, played or not. */
  public long fetchedFromPeers() {
    return nodes.stream().mapToLong(r -> r.stats().bytesFromPeers()).sum();
  }

  /** Bytes fetched from the CDN, played or not. */
  public long fetchedFromCdn() {
    return nodes.stream().mapToLong(r -> r.stats().bytesFromCdn()).sum();
  }

  /** Bytes fetched from peers or the CDN that were not played by the play they were fetched for. */
  public long fetchedNotPlayed() {
    return nodes.stream().mapToLong(r -> r.stats().bytesFetchedNotPlayed()).sum();
  }

  public long bytesUploaded() {
    return nodes.stream().mapToLong(r -> r.stats().bytesUploaded()).sum();
  }

  public long plays() {
    return nodes.stream().mapToLong(Row::plays).sum();
  }

  public long stutters() {
    return nodes.stream().mapToLong(r -> r.stats().stutters()).sum();
  }

  /**
   * The network share: bytes fetched from peers over bytes fetched from peers and the CDN (0 when
   * nothing was fetched). Counts what the network carried, played or not.
   */
  public double networkPeerShare() {
    long network = fetchedFromPeers() + fetchedFromCdn();
    return network == 0 ? 0 : (double) fetchedFromPeers() / network;
  }

  /**
   * Null if the accounting adds up; otherwise a sentence saying where it does not. On every node:
   * the bytes played (the node's count, by source) are the bytes its listener read — or at least
   * those, if a player streamed from the node too ({@code ./chorus demo} invites playing along):
   * then the node started more plays than the listener; and no more bytes were played from peers
   * or the CDN than were fetched from them. Played = cache + peers + CDN holds by construction
   * ({@link PlayedBytes#total()}).
   */
  public String invariantViolation() {
    for (Row r : nodes) {
      NodeStats s = r.stats();
      PlayedBytes p = s.played();
      boolean playAlong = s.playbacks() > r.playsStarted();
      if (playAlong ? r.bytesRead() > p.total() : r.bytesRead() != p.total()) {
        return String.format(Locale.ROOT,
            "node %d: its listener read %d bytes, but cache + peers + CDN = %d + %d + %d = %d bytes were played%s",
            r.node(), r.bytesRead(), p.fromCache(), p.fromPeers(), p.fromCdn(), p.total(),
            playAlong ? " (with another player)" : "");
      }
      if (p.fromPeers() > s.bytesFromPeers() || p.fromCdn() > s.bytesFromCdn()) {
        return String.format(Locale.ROOT,
            "node %d: played more than it fetched: from peers %d of %d fetched, from the CDN %d of %d fetched",
            r.node(), p.fromPeers(), s.bytesFromPeers(), p.fromCdn(), s.bytesFromCdn());
      }
    }
    return null;
  }

  /** The table printed at the end of {@code ./chorus demo}, with its legend and headline. */
  public String table() {
    StringBuilder b = new StringBuilder();
    String header = String.format(Locale.ROOT, "%-6s %6s %6s %10s %10s %10s %10s %10s %10s %9s %9s %8s%n",
        "node", "plays", "skips", "played", "cache", "peers", "CDN", "unplayed", "uploaded", "start p50",
        "start p90", "stutters");
    String rule = "-".repeat(header.length() - 1) + "\n";
    b.append(header).append(String.format(Locale.ROOT, "%-20s %10s %10s %10s %10s %10s %10s%n", "", "MB", "MB", "MB",
        "MB", "MB", "MB")).append(rule);
    for (Row r : nodes) {
      NodeStats s = r.stats();
      b.append(line(String.valueOf(r.node()), r.plays(), r.skips(), s.played(), s.bytesFetchedNotPlayed(),
          s.bytesUploaded(), s.startLatencyP50Nanos(), s.startLatencyP90Nanos(), s.stutters()));
    }
    b.append(rule);
    PlayedBytes played = played();
    b.append(line("total", plays(), nodes.stream().mapToLong(Row::skips).sum(), played, fetchedNotPlayed(),
        bytesUploaded(), startLatencyP50Nanos, startLatencyP90Nanos, stutters()));
    b.append('\n');
    b.append("played = cache + peers + CDN: each byte played, counted once, from the one source it came from\n");
    b.append("  (a node's own cache, a peer, the CDN); unplayed: fetched from peers or the CDN for a play but\n");
    b.append("  not played by it (the rest of a skipped track, a prefetch not played next). 1 MB = 10^6 bytes.\n");
    b.append('\n');
    if (played.total() > 0) {
      long[] tenths = apportion(new long[] {played.fromCache(), played.fromPeers(), played.fromCdn()},
          1000.0 / played.total());
      b.append(String.format(Locale.ROOT,
          "share of bytes played, by source (the P2P'10 paper's measure): cache %s%%, peers %s%%, CDN %s%% of %s%n",
          tenths(tenths[0]), tenths(tenths[1]), tenths(tenths[2]), megabytes(played.total())));
    }
    long network = fetchedFromPeers() + fetchedFromCdn();
    if (network > 0) {
      b.append(String.format(Locale.ROOT,
          "network share, bytes fetched: peers %.1f%% of %s (peers %s, CDN %s; %s of it unplayed)%n",
          100 * networkPeerShare(), megabytes(network), megabytes(fetchedFromPeers()),
          megabytes(fetchedFromCdn()), megabytes(fetchedNotPlayed())));
    }
    if (trackerPlayed != null) {
      b.append(String.format(Locale.ROOT,
          "the tracker's telemetry (chorus_tracker_playback_played_bytes_total): cache %s, peers %s, CDN %s: %s%n",
          megabytes(trackerPlayed.fromCache()), megabytes(trackerPlayed.fromPeers()),
          megabytes(trackerPlayed.fromCdn()), telemetryAgrees() ? "the same as the table" : "NOT the same as the table"));
    }
    long errors = nodes.stream().mapToLong(Row::errors).sum();
    if (errors > 0) {
      b.append(errors).append(" playback").append(errors == 1 ? "" : "s").append(" failed (see the warnings above)\n");
    }
    String violation = invariantViolation();
    if (violation != null) {
      b.append("ACCOUNTING ERROR, the columns do not add up: ").append(violation).append('\n');
    }
    return b.toString();
  }

  private static String line(String node, long plays, long skips, PlayedBytes played, long unplayed,
      long uploaded, long p50, long p90, long stutters) {
    long[] parts = apportion(new long[] {played.fromCache(), played.fromPeers(), played.fromCdn()}, 1e-5);
    return String.format(Locale.ROOT, "%-6s %6d %6d %10s %10s %10s %10s %10s %10s %9s %9s %8d%n", node, plays,
        skips, tenths(parts[0] + parts[1] + parts[2]), tenths(parts[0]), tenths(parts[1]), tenths(parts[2]),
        tenths(Math.round(unplayed / 1e5)), tenths(Math.round(uploaded / 1e5)), millis(p50), millis(p90),
        stutters);
  }

  /**
   * Each part times {@code scale}, rounded to a whole number so that the rounded parts add up to
   * the rounded sum (the parts with the largest remainders get the spare units): tenths of MB that
   * add up to the printed total, tenths of a percent that add up to 100.0.
   */
  static long[] apportion(long[] parts, double scale) {
    double[] exact = new double[parts.length];
    double sum = 0;
    long[] out = new long[parts.length];
    long given = 0;
    for (int i = 0; i < parts.length; i++) {
      exact[i] = parts[i] * scale;
      sum += exact[i];
      out[i] = (long) Math.floor(exact[i]);
      given += out[i];
    }
    for (long target = Math.round(sum); given < target; given++) {
      int best = -1;
      for (int i = 0; i < parts.length; i++) {
        double rest = exact[i] - out[i];
        if (rest > 0 && (best < 0 || rest > exact[best] - out[best])) {
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      out[best]++;
    }
    return out;
  }

  /** A count of tenths as a decimal: 1234 is "123.4". */
  static String tenths(long tenths) {
    return String.format(Locale.ROOT, "%.1f", tenths / 10.0);
  }

  /** Bytes in MB with one decimal, rounded as the table rounds them. */
  static String megabytes(long n) {
    return tenths(Math.round(n / 1e5)) + " MB";
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
