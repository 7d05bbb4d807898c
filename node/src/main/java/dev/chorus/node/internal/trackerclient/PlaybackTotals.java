package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.message.PlaybackReports;

/**
 * A node's playback counters since it started, from which the tracker client reports what
 * changed ({@link PlaybackSource}). Nothing here names a track.
 *
 * @param startLatencyCounts plays per start-latency bucket of {@link PlaybackReports#START_LATENCY_BOUNDS_MILLIS}
 *     ({@link PlaybackReports#START_LATENCY_BUCKETS} entries)
 * @param fetchedNotPlayedBytes bytes fetched from peers or the CDN and not (yet) played; unlike the
 *     others it may go down again (a prefetch that gets played)
 */
public record PlaybackTotals(long playedCacheBytes, long playedPeerBytes, long playedCdnBytes,
    long fetchedNotPlayedBytes, long plays, long stutters, long[] startLatencyCounts, long uploadedBytes) {
  public static final PlaybackTotals ZERO =
      new PlaybackTotals(0, 0, 0, 0, 0, 0, new long[PlaybackReports.START_LATENCY_BUCKETS], 0);

  public PlaybackTotals {
    if (startLatencyCounts.length != PlaybackReports.START_LATENCY_BUCKETS) {
      throw new IllegalArgumentException("startLatencyCounts must have " + PlaybackReports.START_LATENCY_BUCKETS
          + " entries, had " + startLatencyCounts.length);
    }
    startLatencyCounts = startLatencyCounts.clone();
  }

  @Override
  public long[] startLatencyCounts() {
    return startLatencyCounts.clone();
  }
}
