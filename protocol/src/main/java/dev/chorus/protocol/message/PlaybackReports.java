package dev.chorus.protocol.message;

import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PlaybackReport;
import java.util.Arrays;
import java.util.List;

/**
 * The rules of the {@code PlaybackReport} message, held to by both ends: a node builds reports
 * within them, a tracker {@linkplain #check checks} every report against them before adding it up.
 * Pure: the time since the connection's previous report comes in as an argument.
 */
public final class PlaybackReports {
  /** The Hello capability of a tracker that accepts reports; a node sends none to others. */
  public static final String CAPABILITY = "telemetry";

  /** Largest serialized report, unknown fields included. */
  public static final int MAX_REPORT_BYTES = 256;

  /** Upper bounds (ms) of the start-latency buckets; one more bucket holds everything above. */
  public static final List<Long> START_LATENCY_BOUNDS_MILLIS = List.of(250L, 500L, 1000L, 2000L, 5000L);

  /** Number of start-latency buckets, the last one unbounded. */
  public static final int START_LATENCY_BUCKETS = START_LATENCY_BOUNDS_MILLIS.size() + 1;

  /**
   * Played bytes per second of interval at most, all sources together. Audio plays at well under
   * 100 KiB/s; this bound only stops a broken or hostile node from swamping the swarm's figures.
   */
  public static final long MAX_PLAYED_BYTES_PER_SECOND = 4L << 20;

  /** Uploaded (and fetched-but-unplayed) bytes per second at most: a 2 Gbit/s link. */
  public static final long MAX_TRANSFER_BYTES_PER_SECOND = 256L << 20;

  /** Plays and stutters per second of interval at most, each. */
  public static final long MAX_EVENTS_PER_SECOND = 2;

  /** Seconds added to every interval for scheduling and network delays. */
  public static final long GRACE_SECONDS = 10;

  private PlaybackReports() {}

  /** A report that passed {@link #check}: all counters are non-negative. */
  public record Figures(long playedCacheBytes, long playedPeerBytes, long playedCdnBytes, long unplayedBytes,
      long plays, long stutters, long[] startLatencyCounts, long uploadedBytes) {
    public Figures {
      startLatencyCounts = startLatencyCounts.clone();
    }

    @Override
    public long[] startLatencyCounts() {
      return startLatencyCounts.clone();
    }

    public long playedBytes() {
      return playedCacheBytes + playedPeerBytes + playedCdnBytes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Figures f && playedCacheBytes == f.playedCacheBytes && playedPeerBytes == f.playedPeerBytes
          && playedCdnBytes == f.playedCdnBytes && unplayedBytes == f.unplayedBytes && plays == f.plays
          && stutters == f.stutters && Arrays.equals(startLatencyCounts, f.startLatencyCounts)
          && uploadedBytes == f.uploadedBytes;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(new long[] {playedCacheBytes, playedPeerBytes, playedCdnBytes, unplayedBytes, plays,
          stutters, uploadedBytes}) * 31 + Arrays.hashCode(startLatencyCounts);
    }

    @Override
    public String toString() {
      return "Figures[cache=" + playedCacheBytes + ", peers=" + playedPeerBytes + ", cdn=" + playedCdnBytes
          + ", unplayed=" + unplayedBytes + ", plays=" + plays + ", stutters=" + stutters
          + ", startLatency=" + Arrays.toString(startLatencyCounts) + ", uploaded=" + uploadedBytes + "]";
    }
  }

  /** The bucket a start latency falls in. */
  public static int startLatencyBucket(long millis) {
    for (int i = 0; i < START_LATENCY_BOUNDS_MILLIS.size(); i++) {
      if (millis <= START_LATENCY_BOUNDS_MILLIS.get(i)) {
        return i;
      }
    }
    return START_LATENCY_BUCKETS - 1;
  }

  /**
   * Checks a report received {@code elapsedNanos} after the connection's previous report (or its
   * start). Unknown fields are ignored but count toward the size cap.
   *
   * @throws ProtocolException {@code BAD_REQUEST} (saying which rule) if the report is oversized,
   *     has a counter that is negative (a uint above the signed range: a node whose counter went
   *     backwards and wrapped) or more than is plausible for the interval
   */
  public static Figures check(PlaybackReport report, long elapsedNanos) throws ProtocolException {
    int size = report.getSerializedSize();
    if (size > MAX_REPORT_BYTES) {
      throw bad("report of " + size + " bytes; at most " + MAX_REPORT_BYTES);
    }
    if (report.getStartLatencyCountsCount() > START_LATENCY_BUCKETS) {
      throw bad(report.getStartLatencyCountsCount() + " start-latency buckets; at most " + START_LATENCY_BUCKETS);
    }
    long seconds = Math.max(0, elapsedNanos) / 1_000_000_000L + GRACE_SECONDS;
    long cache = counter("played_cache_bytes", report.getPlayedCacheBytes());
    long peers = counter("played_peer_bytes", report.getPlayedPeerBytes());
    long cdn = counter("played_cdn_bytes", report.getPlayedCdnBytes());
    long unplayed = atMost("unplayed_bytes", counter("unplayed_bytes", report.getUnplayedBytes()),
        MAX_TRANSFER_BYTES_PER_SECOND, seconds);
    long uploaded = atMost("uploaded_bytes", counter("uploaded_bytes", report.getUploadedBytes()),
        MAX_TRANSFER_BYTES_PER_SECOND, seconds);
    // Each is below 2^63 and the bound below 2^42 per second, so one check per term cannot overflow.
    atMost("played_cache_bytes", cache, MAX_PLAYED_BYTES_PER_SECOND, seconds);
    atMost("played_peer_bytes", peers, MAX_PLAYED_BYTES_PER_SECOND, seconds);
    atMost("played_cdn_bytes", cdn, MAX_PLAYED_BYTES_PER_SECOND, seconds);
    atMost("played bytes (all sources)", cache + peers + cdn, MAX_PLAYED_BYTES_PER_SECOND, seconds);
    long plays = atMost("plays", counter("plays", Integer.toUnsignedLong(report.getPlays())), MAX_EVENTS_PER_SECOND, seconds);
    long stutters = atMost("stutters", counter("stutters", Integer.toUnsignedLong(report.getStutters())),
        MAX_EVENTS_PER_SECOND, seconds);
    long[] latency = new long[START_LATENCY_BUCKETS];
    long started = 0;
    for (int i = 0; i < report.getStartLatencyCountsCount(); i++) {
      latency[i] = Integer.toUnsignedLong(report.getStartLatencyCounts(i));
      started += latency[i];
    }
    if (started > plays) {
      throw bad("start-latency buckets count " + started + " plays, more than the report's " + plays);
    }
    return new Figures(cache, peers, cdn, unplayed, plays, stutters, latency, uploaded);
  }

  private static long counter(String field, long value) throws ProtocolException {
    if (value < 0) {
      throw bad(field + " is " + Long.toUnsignedString(value) + ", above 2^63-1: a counter that went backwards?");
    }
    return value;
  }

  private static long atMost(String field, long value, long perSecond, long seconds) throws ProtocolException {
    if (value > perSecond * seconds) {
      throw bad(field + " is " + value + ", more than plausible in " + seconds + " s (at most " + perSecond + " per second)");
    }
    return value;
  }

  private static ProtocolException bad(String message) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, "playback report: " + message);
  }
}
