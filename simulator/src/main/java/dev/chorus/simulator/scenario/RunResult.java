package dev.chorus.simulator.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one replication of a scenario measured: a summary (metric name to value, in report order),
 * a time series (one row per sample interval) and the run's bookkeeping. Metric names are the
 * constants below; docs/scenarios.md says what each one means.
 */
public final class RunResult {
  // ---- summary metrics (after the warm-up) ------------------------------------------------------
  public static final String BYTES_PLAYED = "bytes_played";
  public static final String BYTES_FROM_CACHE = "bytes_from_cache";
  public static final String BYTES_FROM_PEERS = "bytes_from_peers";
  public static final String BYTES_FROM_CDN = "bytes_from_cdn";
  public static final String SHARE_CACHE = "share_cache";
  public static final String SHARE_PEERS = "share_peers";
  public static final String SHARE_CDN = "share_cdn";
  public static final String NETWORK_BYTES_PEERS = "network_bytes_peers";
  public static final String NETWORK_BYTES_CDN = "network_bytes_cdn";
  public static final String NETWORK_PEER_SHARE = "network_peer_share";
  public static final String START_LATENCY_P50_MS = "start_latency_p50_ms";
  public static final String START_LATENCY_P75_MS = "start_latency_p75_ms";
  public static final String START_LATENCY_P90_MS = "start_latency_p90_ms";
  public static final String START_LATENCY_FETCHED_P50_MS = "start_latency_fetched_p50_ms";
  public static final String START_LATENCY_FETCHED_P90_MS = "start_latency_fetched_p90_ms";
  public static final String PLAYS_STARTED_INSTANTLY = "plays_started_instantly";
  public static final String PLAYS = "plays";
  public static final String STUTTERS = "stutters";
  public static final String STUTTER_RATE = "stutter_rate";
  public static final String TRACKER_LOOKUPS_PER_SECOND = "tracker_lookups_per_second";
  public static final String UPLOAD_PER_PEER_MEAN_BYTES = "upload_per_peer_mean_bytes";
  public static final String UPLOAD_PER_PEER_P50_BYTES = "upload_per_peer_p50_bytes";
  public static final String UPLOAD_PER_PEER_P99_BYTES = "upload_per_peer_p99_bytes";
  public static final String PEAK_ONLINE_PEERS = "peak_online_peers";
  /** Peers that crashed while online (network.failures.crashPerHour), whole run. */
  public static final String PEER_CRASHES = "peer_crashes";
  /** Slow spells of peers (network.failures.slowPerHour), whole run. */
  public static final String PEER_SLOW_SPELLS = "peer_slow_spells";
  /** Peer transfers that waited for slow start on a new or idle connection, whole run. */
  public static final String SLOW_START_DELAYS = "slow_start_delays";
  /** Days of listening history simulated before the run to fill the caches (0: none). */
  public static final String HISTORY_DAYS = "history_days";
  /** 1 if the history's daily cache share settled within the tolerance, else 0. */
  public static final String HISTORY_CONVERGED = "history_converged";
  /** Days after which the history's daily cache share stayed within the tolerance (-1: never). */
  public static final String HISTORY_DAYS_TO_CONVERGE = "history_days_to_converge";
  public static final String HISTORY_CACHE_SHARE_FIRST_DAY = "history_cache_share_first_day";
  public static final String HISTORY_CACHE_SHARE_LAST_DAY = "history_cache_share_last_day";
  /** The last day's cache share minus the day before's. */
  public static final String HISTORY_LAST_CHANGE = "history_last_change";
  /** With repeats on (session.repeatShare): the share of the run's plays that were repeats. */
  public static final String REPEAT_SHARE_OF_PLAYS = "repeat_share_of_plays";
  /** With repeats on: held tracks dropped because a discovery drew them, whole run. */
  public static final String DISCOVERY_DROPS = "discovery_drops";

  // ---- time-series columns -----------------------------------------------------------------------
  public static final String T_TIME_S = "time_s";
  public static final String T_ONLINE_PEERS = "online_peers";
  public static final String T_PLAYING_PEERS = "playing_peers";
  public static final String T_BYTES_CACHE = "bytes_cache";
  public static final String T_BYTES_PEERS = "bytes_peers";
  public static final String T_BYTES_CDN = "bytes_cdn";
  public static final String T_PEER_SHARE = "peer_share";
  public static final String T_NETWORK_BYTES_PEERS = "network_bytes_peers";
  public static final String T_NETWORK_BYTES_CDN = "network_bytes_cdn";
  public static final String T_LOOKUPS = "lookups";
  public static final String T_PLAYS = "plays";
  public static final String T_STUTTERS = "stutters";
  public static final String T_START_LATENCY_P50_MS = "start_latency_p50_ms";
  public static final String T_ACTIVE_FLOWS = "active_flows";

  /** The time-series columns, in CSV order. */
  public static final List<String> SERIES_COLUMNS = List.of(T_TIME_S, T_ONLINE_PEERS,
      T_PLAYING_PEERS, T_BYTES_CACHE, T_BYTES_PEERS, T_BYTES_CDN, T_PEER_SHARE,
      T_NETWORK_BYTES_PEERS, T_NETWORK_BYTES_CDN, T_LOOKUPS, T_PLAYS, T_STUTTERS,
      T_START_LATENCY_P50_MS, T_ACTIVE_FLOWS);

  private final Scenario scenario;
  private final int replication;
  private final long seed;
  private final Map<String, Double> summary;
  private final List<double[]> series;
  private final long events;
  private final long wallNanos;
  private final String invariantViolation;

  public RunResult(Scenario scenario, int replication, long seed, Map<String, Double> summary,
      List<double[]> series, long events, long wallNanos, String invariantViolation) {
    this.scenario = Objects.requireNonNull(scenario, "scenario");
    this.replication = replication;
    this.seed = seed;
    this.summary = Collections.unmodifiableMap(new LinkedHashMap<>(summary));
    List<double[]> rows = new ArrayList<>(series.size());
    for (double[] row : series) {
      if (row.length != SERIES_COLUMNS.size()) {
        throw new IllegalArgumentException("a series row has " + row.length + " values, expected "
            + SERIES_COLUMNS.size());
      }
      rows.add(row.clone());
    }
    this.series = Collections.unmodifiableList(rows);
    this.events = events;
    this.wallNanos = wallNanos;
    this.invariantViolation = invariantViolation;
  }

  public Scenario scenario() {
    return scenario;
  }

  /** The replication index, 0 for the first. */
  public int replication() {
    return replication;
  }

  /** The seed this replication's random streams were derived from. */
  public long seed() {
    return seed;
  }

  /** Metric name to value, in report order. */
  public Map<String, Double> summary() {
    return summary;
  }

  public double metric(String name) {
    Double v = summary.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no metric '" + name + "'; known: " + summary.keySet());
    }
    return v;
  }

  /** Rows of {@link #SERIES_COLUMNS} values, one per sample interval, oldest first. */
  public List<double[]> series() {
    return series;
  }

  /** Events the engine processed. */
  public long events() {
    return events;
  }

  /** Wall-clock time of the run (not part of the deterministic output). */
  public long wallNanos() {
    return wallNanos;
  }

  /** Null when cache + peer + CDN bytes equal the bytes played; otherwise what differed. */
  public String invariantViolation() {
    return invariantViolation;
  }
}
