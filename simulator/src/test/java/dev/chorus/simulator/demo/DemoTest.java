package dev.chorus.simulator.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.NodeStats;
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
    for (DemoReport.Row row : report.nodes()) {
      NodeStats s = row.stats();
      assertTrue(row.plays() > 0, "node " + row.node() + " played nothing:\n" + table);
      assertEquals(0, row.errors(), "node " + row.node() + " had failed playbacks:\n" + table);
      // Every byte played came from the cache or was fetched (once per chunk; prefetched and
      // skipped-over chunks are fetched but not played).
      assertTrue(s.bytesFromCache() + s.bytesFromPeers() + s.bytesFromCdn() >= row.bytesPlayed(),
          "node " + row.node() + " played more than it got:\n" + table);
      assertTrue(s.bytesFromCache() <= row.bytesPlayed(), "cache bytes are bytes played:\n" + table);
      assertEquals(0, s.peersBanned(), "honest peers are never banned:\n" + table);
    }
    // What peers received, some peer uploaded (uploads in flight at the end are not received).
    assertTrue(report.bytesUploaded() >= report.bytesFromPeers(), table);
    assertTrue(report.bytesFromPeers() > 0, "peers served something:\n" + table);
    assertTrue(report.peerShare() > 0.5, "peers served most bytes not from a node's own cache:\n" + table);
    assertTrue(table.contains("peers served "), table);
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
    for (String knob : new String[] {"--nodes", "--tracks", "--duration", "--speed", "--seed", "--dir", "--keep"}) {
      assertTrue(help.contains(knob), knob + " missing from:\n" + help);
    }
  }

  @Test
  void badKnobsAreRefusedWithTheirName() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      assertEquals(2, DemoMain.run(out, "--nodes", "0"));
      assertEquals(2, DemoMain.run(out, "--duration", "soon"));
    }
    assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("listening"));
  }
}
