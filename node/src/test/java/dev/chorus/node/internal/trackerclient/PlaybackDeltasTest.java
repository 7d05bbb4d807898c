package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.wire.PlaybackReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlaybackDeltasTest {
  private static final long MINUTE_NANOS = 60_000_000_000L;

  private static PlaybackTotals totals(long cache, long peers, long cdn, long notPlayed, long plays, long stutters,
      long[] latency, long uploaded) {
    return new PlaybackTotals(cache, peers, cdn, notPlayed, plays, stutters, latency, uploaded);
  }

  @Test
  void eachReportHasWhatChangedSinceThePreviousOne() throws Exception {
    PlaybackTotals start = totals(100, 200, 300, 0, 1, 0, new long[] {1, 0, 0, 0, 0, 0}, 50);
    PlaybackDeltas deltas = new PlaybackDeltas(start, 60);
    PlaybackReport first = deltas.next(totals(1100, 2200, 3300, 400, 4, 1, new long[] {2, 0, 2, 0, 0, 0}, 550));
    assertEquals(1000, first.getPlayedCacheBytes());
    assertEquals(2000, first.getPlayedPeerBytes());
    assertEquals(3000, first.getPlayedCdnBytes());
    assertEquals(400, first.getUnplayedBytes());
    assertEquals(3, first.getPlays());
    assertEquals(1, first.getStutters());
    assertEquals(List.of(1, 0, 2), first.getStartLatencyCountsList(), "trailing empty buckets left out");
    assertEquals(500, first.getUploadedBytes());
    PlaybackReports.check(first, MINUTE_NANOS);

    PlaybackReport idle = deltas.next(totals(1100, 2200, 3300, 400, 4, 1, new long[] {2, 0, 2, 0, 0, 0}, 550));
    assertEquals(PlaybackReport.newBuilder().setSequence(2).build(), idle, "nothing but its number");
    assertEquals(1, first.getSequence());
  }

  @Test
  void aRefusedReportIsCarriedIntoTheNextOneAndNothingIsCountedTwice() {
    PlaybackDeltas deltas = new PlaybackDeltas(PlaybackTotals.ZERO, 60);
    PlaybackReport first = deltas.next(totals(1000, 0, 0, 0, 2, 0, new long[] {2, 0, 0, 0, 0, 0}, 10));
    PlaybackReport second = deltas.next(totals(1500, 0, 0, 0, 3, 1, new long[] {2, 1, 0, 0, 0, 0}, 30));
    assertTrue(deltas.refused(second.getSequence()));
    assertFalse(deltas.refused(second.getSequence()), "given back once");
    PlaybackReport third = deltas.next(totals(1600, 0, 0, 0, 3, 1, new long[] {2, 1, 0, 0, 0, 0}, 30));
    assertEquals(3, third.getSequence());
    assertEquals(600, third.getPlayedCacheBytes(), "the refused 500 and the new 100");
    assertEquals(1, third.getPlays());
    assertEquals(1, third.getStutters());
    assertEquals(List.of(0, 1), third.getStartLatencyCountsList());
    assertEquals(20, third.getUploadedBytes());
    assertEquals(first.getPlayedCacheBytes() + third.getPlayedCacheBytes(), 1600, "the accepted reports add up");
    assertFalse(deltas.refused(99), "an unknown report changes nothing");
    assertEquals(PlaybackReport.newBuilder().setSequence(4).build(),
        deltas.next(totals(1600, 0, 0, 0, 3, 1, new long[] {2, 1, 0, 0, 0, 0}, 30)));
  }

  @Test
  void unplayedBytesAreTheRiseOfTheirRunningMaximum() {
    long[] none = new long[6];
    PlaybackDeltas deltas = new PlaybackDeltas(PlaybackTotals.ZERO, 60);
    assertEquals(500, deltas.next(totals(0, 0, 0, 500, 0, 0, none, 0)).getUnplayedBytes());
    // The prefetch got played: fetched-not-played went down; nothing is taken back or re-sent.
    assertEquals(0, deltas.next(totals(0, 500, 0, 100, 0, 0, none, 0)).getUnplayedBytes());
    assertEquals(0, deltas.next(totals(0, 500, 0, 400, 0, 0, none, 0)).getUnplayedBytes());
    assertEquals(200, deltas.next(totals(0, 500, 0, 700, 0, 0, none, 0)).getUnplayedBytes());
  }

  @Test
  void whatDoesNotFitOneReportCarriesOverToTheNext() throws Exception {
    long cap = PlaybackReports.MAX_PLAYED_BYTES_PER_SECOND * 60 / 3;
    PlaybackDeltas deltas = new PlaybackDeltas(PlaybackTotals.ZERO, 60);
    PlaybackTotals big = totals(0, 0, cap + 10, 0, 150, 0, new long[] {150, 0, 0, 0, 0, 0}, 0);
    PlaybackReport first = deltas.next(big);
    assertEquals(cap, first.getPlayedCdnBytes());
    assertEquals(120, first.getPlays());
    assertEquals(List.of(120), first.getStartLatencyCountsList());
    PlaybackReports.check(first, MINUTE_NANOS);
    PlaybackReport second = deltas.next(big);
    assertEquals(10, second.getPlayedCdnBytes());
    assertEquals(30, second.getPlays());
    assertEquals(List.of(30), second.getStartLatencyCountsList());
  }

  @Test
  void neverMoreLatenciesThanPlaysInAReport() throws Exception {
    PlaybackDeltas deltas = new PlaybackDeltas(PlaybackTotals.ZERO, 60);
    // Read between a play's latency and its count: the latency waits for the next report.
    PlaybackReport r = deltas.next(totals(0, 0, 0, 0, 1, 0, new long[] {1, 0, 1, 0, 0, 0}, 0));
    assertEquals(List.of(1), r.getStartLatencyCountsList());
    PlaybackReports.check(r, MINUTE_NANOS);
    assertEquals(List.of(0, 0, 1), deltas.next(totals(0, 0, 0, 0, 2, 0, new long[] {1, 0, 1, 0, 0, 0}, 0))
        .getStartLatencyCountsList());
  }
}
