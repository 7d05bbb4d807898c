package dev.chorus.protocol.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PlaybackReport;
import org.junit.jupiter.api.Test;

class PlaybackReportsTest {
  private static final long SECOND = 1_000_000_000L;

  private static PlaybackReport.Builder typical() {
    return PlaybackReport.newBuilder().setPlayedCacheBytes(1_000_000).setPlayedPeerBytes(2_000_000)
        .setPlayedCdnBytes(500_000).setUnplayedBytes(100_000).setPlays(3).setStutters(1)
        .addStartLatencyCounts(1).addStartLatencyCounts(0).addStartLatencyCounts(2).setUploadedBytes(4_000_000);
  }

  @Test
  void aTypicalReportGivesItsFiguresWithTheMissingBucketsZero() throws ProtocolException {
    PlaybackReports.Figures f = PlaybackReports.check(typical().build(), 60 * SECOND);
    assertEquals(1_000_000, f.playedCacheBytes());
    assertEquals(2_000_000, f.playedPeerBytes());
    assertEquals(500_000, f.playedCdnBytes());
    assertEquals(3_500_000, f.playedBytes());
    assertEquals(100_000, f.unplayedBytes());
    assertEquals(3, f.plays());
    assertEquals(1, f.stutters());
    assertArrayEquals(new long[] {1, 0, 2, 0, 0, 0}, f.startLatencyCounts());
    assertEquals(4_000_000, f.uploadedBytes());
  }

  @Test
  void anEmptyReportIsFine() throws ProtocolException {
    PlaybackReports.Figures f = PlaybackReports.check(PlaybackReport.getDefaultInstance(), 0);
    assertEquals(0, f.playedBytes());
    assertArrayEquals(new long[6], f.startLatencyCounts());
  }

  @Test
  void unknownFieldsAreIgnoredButCountTowardTheSizeCap() throws Exception {
    PlaybackReport withSmallUnknown = typical().setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(99, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(new byte[16])).build())
        .build()).build();
    assertEquals(PlaybackReports.check(typical().build(), 60 * SECOND),
        PlaybackReports.check(PlaybackReport.parseFrom(withSmallUnknown.toByteString()), 60 * SECOND));

    PlaybackReport oversized = typical().setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(99, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFrom(new byte[300])).build())
        .build()).build();
    refused(oversized, 60 * SECOND, "at most 256");
  }

  @Test
  void aCounterAboveTheSignedRangeWentBackwards() {
    refused(typical().setPlayedPeerBytes(-5).build(), 60 * SECOND, "played_peer_bytes is 18446744073709551611");
    refused(typical().setUploadedBytes(Long.MIN_VALUE).build(), 60 * SECOND, "uploaded_bytes");
  }

  @Test
  void playedBytesAreBoundedByTheIntervalPlusGrace() throws ProtocolException {
    long limit = PlaybackReports.MAX_PLAYED_BYTES_PER_SECOND * (60 + PlaybackReports.GRACE_SECONDS);
    PlaybackReports.check(PlaybackReport.newBuilder().setPlayedCdnBytes(limit).build(), 60 * SECOND);
    refused(PlaybackReport.newBuilder().setPlayedCdnBytes(limit + 1).build(), 60 * SECOND, "played_cdn_bytes");
    // Each source within the bound, the sum over it.
    refused(PlaybackReport.newBuilder().setPlayedCdnBytes(limit).setPlayedPeerBytes(1).build(), 60 * SECOND,
        "all sources");
    // Near-maximal values in every field must not overflow into acceptance.
    refused(PlaybackReport.newBuilder().setPlayedCacheBytes(Long.MAX_VALUE).setPlayedPeerBytes(Long.MAX_VALUE).build(),
        60 * SECOND, "played_cache_bytes");
  }

  @Test
  void eventsAndTransfersAreBoundedByTheInterval() {
    long seconds = 1 + PlaybackReports.GRACE_SECONDS;
    refused(PlaybackReport.newBuilder().setPlays((int) (PlaybackReports.MAX_EVENTS_PER_SECOND * seconds + 1)).build(),
        SECOND, "plays");
    refused(PlaybackReport.newBuilder().setStutters(-1).build(), SECOND, "stutters");
    refused(PlaybackReport.newBuilder().setUnplayedBytes(PlaybackReports.MAX_TRANSFER_BYTES_PER_SECOND * seconds + 1)
        .build(), SECOND, "unplayed_bytes");
    refused(PlaybackReport.newBuilder().setUploadedBytes(PlaybackReports.MAX_TRANSFER_BYTES_PER_SECOND * seconds + 1)
        .build(), SECOND, "uploaded_bytes");
  }

  @Test
  void theLatencyHistogramHasAtMostSixBucketsAndNoMorePlaysThanReported() {
    PlaybackReport.Builder seven = PlaybackReport.newBuilder().setPlays(7);
    for (int i = 0; i < 7; i++) {
      seven.addStartLatencyCounts(1);
    }
    refused(seven.build(), 60 * SECOND, "7 start-latency buckets");
    refused(PlaybackReport.newBuilder().setPlays(2).addStartLatencyCounts(2).addStartLatencyCounts(1).build(),
        60 * SECOND, "count 3 plays");
  }

  @Test
  void startLatenciesFallInTheirBuckets() {
    assertEquals(0, PlaybackReports.startLatencyBucket(0));
    assertEquals(0, PlaybackReports.startLatencyBucket(250));
    assertEquals(1, PlaybackReports.startLatencyBucket(251));
    assertEquals(4, PlaybackReports.startLatencyBucket(5000));
    assertEquals(5, PlaybackReports.startLatencyBucket(5001));
  }

  private static void refused(PlaybackReport report, long elapsedNanos, String says) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> PlaybackReports.check(report, elapsedNanos));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains(says), e.getMessage());
  }
}
