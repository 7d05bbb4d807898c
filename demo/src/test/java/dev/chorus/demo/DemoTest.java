package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.NodeStats;
import dev.chorus.node.PlayedBytes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short demo in this JVM: real nodes, tracker and origin on loopback, the workload, the table. */
class DemoTest {

  @Test
  void shortDemoRunsToItsTableAndPeersServeMostNetworkBytes(@TempDir Path dir) throws Exception {
    // Small swarms are CDN-heavy while they warm up (every track's first listener, and the first
    // 15 s of a playback while no fast peer is known, come from the CDN); six listeners on two
    // tracks reach the steady state within the run.
    DemoOptions options = new DemoOptions(6, 2, Duration.ofSeconds(20), 16, 7, Optional.of(dir), false,
        100_000_000L, 0);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    DemoReport report;
    try (PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
      report = Demo.run(options, out, false, new AtomicBoolean());
    }
    String table = report.table();
    System.out.println(progress.toString(StandardCharsets.UTF_8));
    System.out.println(table);

    assertEquals(6, report.nodes().size());
    assertTrue(report.plays() >= 6, "every listener played at least one track:\n" + table);
    assertNull(report.invariantViolation(), table);
    long read = 0;
    for (DemoReport.Row row : report.nodes()) {
      NodeStats s = row.stats();
      PlayedBytes p = s.played();
      assertTrue(row.plays() > 0, "node " + row.node() + " played nothing:\n" + table);
      assertEquals(0, row.errors(), "node " + row.node() + " had failed playbacks:\n" + table);
      // The node's attribution by source adds up to what its listener read, counted separately.
      assertEquals(row.bytesRead(), p.fromCache() + p.fromPeers() + p.fromCdn(),
          "node " + row.node() + ": cache + peers + CDN is not what was played:\n" + table);
      assertEquals(row.playsStarted(), s.playbacks(), "node " + row.node() + ":\n" + table);
      assertTrue(p.fromPeers() <= s.bytesFromPeers() && p.fromCdn() <= s.bytesFromCdn(),
          "node " + row.node() + " played more from the network than it fetched:\n" + table);
      assertEquals(0, s.peersBanned(), "honest peers are never banned:\n" + table);
      read += row.bytesRead();
    }
    PlayedBytes total = report.played();
    assertEquals(read, total.fromCache() + total.fromPeers() + total.fromCdn(), "in total:\n" + table);
    assertTrue(total.fromPeers() > 0, "peers served something played:\n" + table);
    // What peers received, some peer uploaded (uploads in flight at the end are not received).
    assertTrue(report.bytesUploaded() >= report.fetchedFromPeers(), table);
    assertTrue(report.networkPeerShare() > 0.5, "peers sent most bytes fetched over the network:\n" + table);
    assertTrue(table.contains("share of bytes played, by source"), table);
    assertTrue(table.contains("network share, bytes fetched"), table);
    assertFalse(table.contains("ACCOUNTING ERROR"), table);
    // The tracker's telemetry: what the nodes reported over their tracker connections, as its
    // /metrics export it, is the table's played bytes by source, to the byte.
    assertEquals(total, report.trackerPlayed(), "the tracker's telemetry against the table:\n" + table);
    assertTrue(table.contains("the tracker's telemetry") && table.contains("the same as the table"), table);
    assertTrue(Files.isDirectory(dir.resolve("catalog").resolve("manifests")), "a named directory is kept");
    assertTrue(Files.isDirectory(dir.resolve("node-01")), "each node has its own cache directory");
  }

  @Test
  void helpShowsTheKnobs() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      code = DemoMain.run(out, "--help");
    }
    String help = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code);
    for (String knob : new String[] {"--nodes", "--tracks", "--duration", "--speed", "--seed", "--dir", "--keep",
        "--page-port", "--linger"}) {
      assertTrue(help.contains(knob), knob + " missing from:\n" + help);
    }
  }

  @Test
  void badKnobsAreRefusedWithTheirName() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      assertEquals(2, DemoMain.run(out, "--nodes", "0"));
      assertEquals(2, DemoMain.run(out, "--duration", "soon"));
      assertEquals(2, DemoMain.run(out, "--page-port", "70000"));
      assertEquals(2, DemoMain.run(out, "--linger", "a while"));
    }
    assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("listening"));
  }
}
