package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.NodeStats;
import dev.chorus.node.PlayedBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The demo's table on made-up numbers: its columns add up as printed, and the check catches bad data. */
class DemoReportTest {

  static NodeStats stats(long cache, long peers, long cdn, long fetchedPeers, long fetchedCdn, long playbacks) {
    return new NodeStats(new PlayedBytes(cache, peers, cdn), fetchedPeers, fetchedCdn, 5_000_000, playbacks,
        20_000_000, 90_000_000, 0, 0, 3);
  }

  /** A node whose listener read exactly what the node played, in {@code plays} plays. */
  static DemoReport.Row row(int node, long cache, long peers, long cdn, long fetchedPeers, long fetchedCdn) {
    return new DemoReport.Row(node, 4, 1, 0, cache + peers + cdn, 4,
        stats(cache, peers, cdn, fetchedPeers, fetchedCdn, 4));
  }

  static DemoReport report(DemoReport.Row... rows) {
    return new DemoReport(List.of(rows), 20_000_000, 60_000_000, 1_000_000_000L);
  }

  /** The printed table rows (nodes and total): played, cache, peers, CDN, unplayed, in tenths of MB. */
  static List<long[]> printedRows(String table) {
    List<long[]> rows = new ArrayList<>();
    Pattern p = Pattern.compile("^(\\d+|total)\\s+\\d+\\s+\\d+\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)"
        + "\\s+([\\d.]+)\\s", Pattern.MULTILINE);
    Matcher m = p.matcher(table);
    while (m.find()) {
      long[] r = new long[5];
      for (int i = 0; i < 5; i++) {
        r[i] = Math.round(Double.parseDouble(m.group(i + 2)) * 10);
      }
      rows.add(r);
    }
    return rows;
  }

  @Test
  void columnsAddUpToPlayedAsPrintedAndUnplayedIsFetchedMinusPlayedFromTheNetwork() {
    DemoReport report = report(
        // 1.049999 + 2.050001 + 3.05 = 6.15 MB: rounded one by one, 1.0 + 2.1 + 3.0 or 3.1 against 6.2.
        row(1, 1_049_999, 2_050_001, 3_050_000, 2_500_000, 4_000_000),
        row(2, 0, 10_000_000, 2_000_000, 14_000_000, 2_000_000),
        row(3, 3_333_333, 3_333_333, 3_333_334, 3_333_333, 3_333_334));
    String table = report.table();
    System.out.println(table);
    assertNull(report.invariantViolation(), table);

    List<long[]> rows = printedRows(table);
    assertEquals(4, rows.size(), table);
    for (long[] r : rows) {
      assertEquals(r[0], r[1] + r[2] + r[3], "played = cache + peers + CDN as printed:\n" + table);
    }
    assertArrayEquals(new long[] {62, 10, 21, 31, 14}, rows.get(0), table); // unplayed: 6.5 - 5.1 MB
    assertArrayEquals(new long[] {120, 0, 100, 20, 40}, rows.get(1), table);
    assertArrayEquals(new long[] {100, 33, 33, 34, 0}, rows.get(2), table);
    assertArrayEquals(new long[] {282, 44, 154, 84, 54}, rows.get(3), table);

    PlayedBytes played = report.played();
    assertEquals(new PlayedBytes(4_383_332, 15_383_334, 8_383_334), played);
    assertEquals(5_399_999, report.fetchedNotPlayed());
    assertEquals(19_833_333.0 / 29_166_667, report.networkPeerShare(), 1e-12);
    assertTrue(table.contains("share of bytes played, by source (the P2P'10 paper's measure): cache 15.6%, "
        + "peers 54.6%, CDN 29.8% of 28.2 MB"), table);
    assertTrue(table.contains("network share, bytes fetched: peers 68.0% of 29.2 MB (peers 19.8 MB, CDN 9.3 MB; "
        + "5.4 MB of it unplayed)"), table);
    assertFalse(table.contains("ACCOUNTING ERROR"), table);
  }

  @Test
  void sharesOfBytesPlayedAddUpToAHundred() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 1000; i++) {
      long[] parts = {random.nextLong(1_000_000_000), random.nextLong(1_000_000_000), random.nextLong(1_000_000)};
      long sum = parts[0] + parts[1] + parts[2];
      long[] tenths = DemoReport.apportion(parts, 1000.0 / sum);
      assertEquals(1000, tenths[0] + tenths[1] + tenths[2]);
      long[] mb = DemoReport.apportion(parts, 1e-5);
      assertEquals(Math.round(sum * 1e-5), mb[0] + mb[1] + mb[2]);
      for (int k = 0; k < 3; k++) {
        assertTrue(Math.abs(mb[k] - parts[k] * 1e-5) < 1, "each part is off by less than one unit");
      }
    }
  }

  @Test
  void theCheckCatchesAttributionThatDoesNotMatchWhatTheListenerRead() {
    // The listener read 1 000 bytes more than the node attributed.
    DemoReport.Row off = new DemoReport.Row(1, 4, 0, 0, 6_001_000, 4, stats(1_000_000, 2_000_000, 3_000_000,
        2_000_000, 3_000_000, 4));
    DemoReport report = report(off);
    String violation = report.invariantViolation();
    assertNotNull(violation);
    assertTrue(violation.contains("node 1: its listener read 6001000 bytes"), violation);
    assertTrue(report.table().contains("ACCOUNTING ERROR"), report.table());
  }

  @Test
  void aPlayerStreamingFromANodeMayAddPlayedBytesButNeverRemoveThem() {
    // Five playbacks on the node, four of them the listener's: someone played along.
    DemoReport.Row along = new DemoReport.Row(1, 4, 0, 0, 5_000_000, 4, stats(1_000_000, 2_000_000, 3_000_000,
        2_000_000, 3_000_000, 5));
    assertNull(report(along).invariantViolation());
    DemoReport.Row short1 = new DemoReport.Row(1, 4, 0, 0, 7_000_000, 4, stats(1_000_000, 2_000_000, 3_000_000,
        2_000_000, 3_000_000, 5));
    assertNotNull(report(short1).invariantViolation());
  }

  @Test
  void theCheckCatchesMorePlayedFromANetworkSourceThanFetched() {
    DemoReport report = report(row(2, 0, 2_000_001, 0, 2_000_000, 0));
    String violation = report.invariantViolation();
    assertNotNull(violation);
    assertTrue(violation.contains("node 2: played more than it fetched"), violation);
  }
}
