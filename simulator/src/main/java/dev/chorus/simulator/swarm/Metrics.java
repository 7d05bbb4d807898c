package dev.chorus.simulator.swarm;

import dev.chorus.simulator.scenario.RunResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a run measures. Totals count only what happens after the warm-up; the time series counts
 * every interval. Played bytes are attributed to the source each chunk came from when it was
 * fetched (own cache, a peer, the CDN). The bytes played are counted twice, independently: split
 * by chunk and attributed ({@link #playedChunk}), and as the distance the players' playheads moved
 * ({@link #playheadMoved}). {@link #invariantViolation} checks that the attributed bytes add up to
 * the playheads' distance, and that no more bytes are attributed to peers or the CDN than the
 * network carried from them.
 */
final class Metrics {
  static final int CACHE = 1;
  static final int PEER = 2;
  static final int CDN = 3;

  private final long warmupNanos;
  private final long durationNanos;
  private final int peers;

  // Totals after the warm-up.
  private long played;
  /** What the playheads moved, counted apart from the attribution (after the warm-up). */
  private long playheadBytes;
  private final long[] playedFrom = new long[4];
  private long unattributed;
  // Whole run, warm-up included: played bytes by source and bytes carried by the network.
  private final long[] playedFromAll = new long[4];
  private final long[] carriedAll = new long[4];
  private long networkPeers;
  private long networkCdn;
  private long plays;
  private long playsWithStutter;
  private long stutters;
  private long lookups;
  private final long[] uploaded;
  private final Histogram startLatencyMicros = new Histogram(3_600_000_000L, 3);
  // Plays whose first chunk had to be fetched (not already held when the play asked for it).
  // The others (instantStarts) wait only for the node's manifest and first-chunk reads.
  private final Histogram fetchedStartMicros = new Histogram(3_600_000_000L, 3);
  private long instantStarts;
  private int peakOnline;

  // The current sample interval.
  private final long[] intervalFrom = new long[4];
  private long intervalNetworkPeers;
  private long intervalNetworkCdn;
  private long intervalLookups;
  private long intervalPlays;
  private long intervalStutters;
  private final Histogram intervalStart = new Histogram(3_600_000_000L, 3);
  private final List<double[]> series = new ArrayList<>();

  Metrics(int peers, long warmupNanos, long durationNanos) {
    this.peers = peers;
    this.warmupNanos = warmupNanos;
    this.durationNanos = durationNanos;
    this.uploaded = new long[peers];
  }

  private boolean counted(long nowNanos) {
    return nowNanos >= warmupNanos;
  }

  /** A player's playhead moved on by {@code bytes} (a seek's jump is not a move). */
  void playheadMoved(long nowNanos, long bytes) {
    if (counted(nowNanos)) {
      playheadBytes += bytes;
    }
  }

  /** Played {@code bytes} of a chunk whose data came from {@code source} (0: never acquired). */
  void playedChunk(long nowNanos, int bytes, int source) {
    intervalFrom[source] += bytes;
    playedFromAll[source] += bytes;
    if (counted(nowNanos)) {
      played += bytes;
      if (source == 0) {
        unattributed += bytes;
      } else {
        playedFrom[source] += bytes;
      }
    }
  }

  void networkBytes(long nowNanos, int fromHost, boolean fromCdn, long bytes) {
    carriedAll[fromCdn ? CDN : PEER] += bytes;
    if (fromCdn) {
      intervalNetworkCdn += bytes;
    } else {
      intervalNetworkPeers += bytes;
    }
    if (counted(nowNanos)) {
      if (fromCdn) {
        networkCdn += bytes;
      } else {
        networkPeers += bytes;
        uploaded[fromHost] += bytes;
      }
    }
  }

  /**
   * A play started {@code latencyNanos} after it asked for its track; {@code heldAtRequest}: its
   * first chunk was held then (cached or prefetched), so its latency is the node's own costs.
   */
  void playStarted(long nowNanos, long latencyNanos, boolean heldAtRequest) {
    long micros = Math.max(1, Math.min(latencyNanos / 1000, 3_600_000_000L));
    intervalPlays++;
    intervalStart.recordValue(micros);
    if (counted(nowNanos)) {
      plays++;
      startLatencyMicros.recordValue(micros);
      if (heldAtRequest) {
        instantStarts++;
      } else {
        fetchedStartMicros.recordValue(micros);
      }
    }
  }

  /** Plays counted so far whose start latency was in [{@code fromMicros}, {@code toMicros}]. */
  long startsBetweenMicros(long fromMicros, long toMicros) {
    return startLatencyMicros.getCountBetweenValues(fromMicros, toMicros);
  }

  /** A started play ran dry; {@code first} is true for the play's first stutter. */
  void stutter(long nowNanos, boolean first) {
    intervalStutters++;
    if (counted(nowNanos)) {
      stutters++;
      if (first) {
        playsWithStutter++;
      }
    }
  }

  void lookup(long nowNanos) {
    intervalLookups++;
    if (counted(nowNanos)) {
      lookups++;
    }
  }

  void online(int onlineNow) {
    peakOnline = Math.max(peakOnline, onlineNow);
  }

  void sample(long nowNanos, int online, int playing, int activeFlows) {
    long p = intervalFrom[PEER];
    long c = intervalFrom[CDN];
    double[] row = {
      nowNanos / 1e9, online, playing, intervalFrom[CACHE], p, c,
      p + c == 0 ? 0 : (double) p / (p + c),
      intervalNetworkPeers, intervalNetworkCdn, intervalLookups, intervalPlays, intervalStutters,
      intervalStart.getTotalCount() == 0 ? 0 : intervalStart.getValueAtPercentile(50) / 1000.0,
      activeFlows
    };
    series.add(row);
    Arrays.fill(intervalFrom, 0);
    intervalNetworkPeers = 0;
    intervalNetworkCdn = 0;
    intervalLookups = 0;
    intervalPlays = 0;
    intervalStutters = 0;
    intervalStart.reset();
  }

  List<double[]> series() {
    return series;
  }

  long playedBytes() {
    return played;
  }

  long playedFrom(int source) {
    return playedFrom[source];
  }

  long plays() {
    return plays;
  }

  /** Null if the bytes add up; otherwise a sentence saying what differs. */
  String invariantViolation() {
    long sum = playedFrom[CACHE] + playedFrom[PEER] + playedFrom[CDN];
    if (sum != playheadBytes || played != playheadBytes || unattributed != 0) {
      return "cache + peer + CDN bytes (" + playedFrom[CACHE] + " + " + playedFrom[PEER] + " + "
          + playedFrom[CDN] + " = " + sum + ") differ from the bytes the playheads moved over ("
          + playheadBytes + "; " + unattributed + " played bytes were never acquired)";
    }
    for (int source : new int[] {PEER, CDN}) {
      if (playedFromAll[source] > carriedAll[source]) {
        return "bytes played from " + (source == PEER ? "peers" : "the CDN") + " ("
            + playedFromAll[source] + ") exceed the bytes the network carried from them ("
            + carriedAll[source] + ")";
      }
    }
    return null;
  }

  Map<String, Double> summary() {
    Map<String, Double> m = new LinkedHashMap<>();
    long cache = playedFrom[CACHE];
    long peer = playedFrom[PEER];
    long cdn = playedFrom[CDN];
    m.put(RunResult.BYTES_PLAYED, (double) played);
    m.put(RunResult.BYTES_FROM_CACHE, (double) cache);
    m.put(RunResult.BYTES_FROM_PEERS, (double) peer);
    m.put(RunResult.BYTES_FROM_CDN, (double) cdn);
    m.put(RunResult.SHARE_CACHE, share(cache, played));
    m.put(RunResult.SHARE_PEERS, share(peer, played));
    m.put(RunResult.SHARE_CDN, share(cdn, played));
    m.put(RunResult.NETWORK_BYTES_PEERS, (double) networkPeers);
    m.put(RunResult.NETWORK_BYTES_CDN, (double) networkCdn);
    m.put(RunResult.NETWORK_PEER_SHARE, share(networkPeers, networkPeers + networkCdn));
    m.put(RunResult.START_LATENCY_P50_MS, percentileMs(50));
    m.put(RunResult.START_LATENCY_P75_MS, percentileMs(75));
    m.put(RunResult.START_LATENCY_P90_MS, percentileMs(90));
    m.put(RunResult.START_LATENCY_FETCHED_P50_MS, percentileMs(fetchedStartMicros, 50));
    m.put(RunResult.START_LATENCY_FETCHED_P90_MS, percentileMs(fetchedStartMicros, 90));
    m.put(RunResult.PLAYS_STARTED_INSTANTLY, share(instantStarts, plays));
    m.put(RunResult.PLAYS, (double) plays);
    m.put(RunResult.STUTTERS, (double) stutters);
    m.put(RunResult.STUTTER_RATE, share(playsWithStutter, plays));
    double seconds = (durationNanos - warmupNanos) / 1e9;
    m.put(RunResult.TRACKER_LOOKUPS_PER_SECOND, lookups / seconds);
    long[] sorted = uploaded.clone();
    Arrays.sort(sorted);
    double total = 0;
    for (long u : sorted) {
      total += u;
    }
    m.put(RunResult.UPLOAD_PER_PEER_MEAN_BYTES, total / peers);
    m.put(RunResult.UPLOAD_PER_PEER_P50_BYTES, (double) sorted[(int) Math.min(peers - 1, peers * 0.5)]);
    m.put(RunResult.UPLOAD_PER_PEER_P99_BYTES, (double) sorted[(int) Math.min(peers - 1, peers * 0.99)]);
    m.put(RunResult.PEAK_ONLINE_PEERS, (double) peakOnline);
    return m;
  }

  private double percentileMs(double p) {
    return percentileMs(startLatencyMicros, p);
  }

  private static double percentileMs(Histogram h, double p) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1000.0;
  }

  private static double share(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }
}
