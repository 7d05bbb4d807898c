package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.wire.PlaybackReport;

/**
 * Turns a node's running totals into playback reports of what changed since the previous report.
 * Pure. Each report stays within what the tracker finds plausible for one interval
 * ({@link PlaybackReports}); what does not fit carries over to the next report, so nothing is lost
 * or counted twice. Bytes fetched but not played are reported as the increase of their running
 * maximum: a prefetch counts as unplayed until it is played, and never more than once.
 *
 * <p>Reports are numbered ({@code sequence} 1, 2, 3...). A report the tracker refused unread
 * ({@code RATE_LIMITED}, naming it by its sequence) is given back with {@link #refused}: its
 * figures count as unreported again and go out with the next report. The last {@link
 * #REMEMBERED} reports can be given back; the tracker answers at once, so older ones were taken.
 */
final class PlaybackDeltas {
  /** Reports kept so that a refused one can be given back. */
  static final int REMEMBERED = 8;

  private final long intervalSeconds;
  private long sequence;
  private final java.util.ArrayDeque<PlaybackReport> sent = new java.util.ArrayDeque<>();
  private long cache;
  private long peers;
  private long cdn;
  private long unplayedHighWater;
  private long plays;
  private long stutters;
  private final long[] latency = new long[PlaybackReports.START_LATENCY_BUCKETS];
  private long uploaded;

  /** Reports from {@code start} on, one per {@code intervalSeconds} (at least 1). */
  PlaybackDeltas(PlaybackTotals start, long intervalSeconds) {
    this.intervalSeconds = Math.max(1, intervalSeconds);
    cache = start.playedCacheBytes();
    peers = start.playedPeerBytes();
    cdn = start.playedCdnBytes();
    unplayedHighWater = start.fetchedNotPlayedBytes();
    plays = start.plays();
    stutters = start.stutters();
    System.arraycopy(start.startLatencyCounts(), 0, latency, 0, latency.length);
    uploaded = start.uploadedBytes();
  }

  /** The report of what changed up to {@code now}; everything in it counts as reported. */
  PlaybackReport next(PlaybackTotals now) {
    long playedCap = PlaybackReports.MAX_PLAYED_BYTES_PER_SECOND * intervalSeconds / 3;
    long transferCap = PlaybackReports.MAX_TRANSFER_BYTES_PER_SECOND * intervalSeconds;
    long eventCap = PlaybackReports.MAX_EVENTS_PER_SECOND * intervalSeconds;
    PlaybackReport.Builder r = PlaybackReport.newBuilder();
    long d = delta(now.playedCacheBytes(), cache, playedCap);
    r.setPlayedCacheBytes(d);
    cache += d;
    d = delta(now.playedPeerBytes(), peers, playedCap);
    r.setPlayedPeerBytes(d);
    peers += d;
    d = delta(now.playedCdnBytes(), cdn, playedCap);
    r.setPlayedCdnBytes(d);
    cdn += d;
    d = delta(now.fetchedNotPlayedBytes(), unplayedHighWater, transferCap);
    r.setUnplayedBytes(d);
    unplayedHighWater += d;
    d = delta(now.uploadedBytes(), uploaded, transferCap);
    r.setUploadedBytes(d);
    uploaded += d;
    d = delta(now.stutters(), stutters, eventCap);
    r.setStutters((int) d);
    stutters += d;
    long sentPlays = delta(now.plays(), plays, eventCap);
    r.setPlays((int) sentPlays);
    plays += sentPlays;
    // Never more latencies than plays in one report (the two counters are not read atomically).
    long room = sentPlays;
    long[] counts = now.startLatencyCounts();
    int last = -1;
    long[] sent = new long[latency.length];
    for (int i = 0; i < latency.length; i++) {
      sent[i] = delta(counts[i], latency[i], room);
      room -= sent[i];
      latency[i] += sent[i];
      if (sent[i] > 0) {
        last = i;
      }
    }
    for (int i = 0; i <= last; i++) {
      r.addStartLatencyCounts((int) sent[i]);
    }
    PlaybackReport report = r.setSequence(++sequence).build();
    if (this.sent.size() == REMEMBERED) {
      this.sent.removeFirst();
    }
    this.sent.addLast(report);
    return report;
  }

  /**
   * The tracker refused report {@code sequence} without counting it: its figures count as not
   * reported, so the next report carries them. False if that report is not one of the last {@link
   * #REMEMBERED} (or was given back already).
   */
  boolean refused(long sequence) {
    for (java.util.Iterator<PlaybackReport> it = sent.iterator(); it.hasNext(); ) {
      PlaybackReport r = it.next();
      if (r.getSequence() == sequence) {
        it.remove();
        cache -= r.getPlayedCacheBytes();
        peers -= r.getPlayedPeerBytes();
        cdn -= r.getPlayedCdnBytes();
        unplayedHighWater -= r.getUnplayedBytes();
        uploaded -= r.getUploadedBytes();
        stutters -= r.getStutters();
        plays -= r.getPlays();
        for (int i = 0; i < r.getStartLatencyCountsCount(); i++) {
          latency[i] -= r.getStartLatencyCounts(i);
        }
        return true;
      }
    }
    return false;
  }

  private static long delta(long now, long reported, long cap) {
    return Math.max(0, Math.min(now - reported, cap));
  }
}
