package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;




import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.scenario.ScenarioFile;
import dev.chorus.simulator.swarm.SwarmSimulation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validates the swarm simulator against real nodes: a small {@code ./chorus demo} (real tracker,
 * origin and nodes with RocksDB caches on loopback) and {@code simulator/scenarios/demo-mirror.scenario} at
 * the same size must agree on where the bytes came from. See {@code docs/validation.md}.
 *
 * <p>Size: 10 nodes, 10 tracks, 40 s of wall-clock listening at 8x (the speed the mirror scenario's
 * wall-clock timers are scaled for), i.e. 320 s of audio; about 45 s of wall time. The simulator
 * side is deterministic (fixed seed and replications); the demo side depends on thread timing, so
 * the tolerances cover its run-to-run spread, measured on this size with demo seeds 1..5:
 *
 * <ul>
 *   <li>network peer share: demo 0.608, 0.538, 0.618, 0.568, 0.634 (seeds 1..5) and 0.640 (seed 1
 *       again: the same seed does not give the same figures), mean 0.601, sd 0.039; simulator,
 *       mean of 10 replications, 0.558 (replications 0.51..0.65). The simulator is lower by about
 *       0.04 (model error, see docs/validation.md). Tolerance 0.16: that 0.04 plus three demo
 *       standard deviations (0.12).
 *   <li>cache share (cache bytes / (cache + peer + CDN bytes)): demo 0.200, 0.205, 0.089, 0.142,
 *       0.115, 0.199, mean 0.158, sd 0.050; simulator 0.100. The simulator is lower by about 0.06
 *       (the demo keeps partly fetched tracks; the simulator caches complete tracks only). Tolerance
 *       0.20: that 0.06 plus about three demo standard deviations; at this size it catches gross
 *       errors only. These figures predate the demo's played-bytes attribution (bytes played from
 *       the cache are now those not fetched for the play; see docs/validation.md); one run after it
 *       gave a cache share of 0.198.
 * </ul>
 *
 * <p>No assertion depends on wall-clock time.
 */
class DemoMirrorValidationTest {
  static final int NODES = 10;
  static final int TRACKS = 10;
  static final Duration WALL = Duration.ofSeconds(40);
  /** The mirror scenario's swarm.* timers are scaled for --speed 8; keep the demo at that speed. */
  static final double SPEED = 8;
  static final long DEMO_SEED = 1;
  static final long CACHE_BYTES = 200_000_000L;
  static final int REPLICATIONS = 10;
  static final double PEER_SHARE_TOLERANCE = 0.16;
  static final double CACHE_SHARE_TOLERANCE = 0.20;
  /** The module runs its tests from {@code demo/}; the scenario is the simulator module's. */
  static final Path MIRROR = Path.of(System.getProperty("user.dir"), "..", "simulator", "scenarios",
      "demo-mirror.scenario").normalize();

  /** The mirror scenario resized to the demo run: same nodes, tracks and audio time. */
  static Scenario mirror() {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("sim.peers", Integer.toString(NODES));
    overrides.put("catalogue.tracks", Integer.toString(TRACKS));
    overrides.put("catalogue.albumTracks", Integer.toString(TRACKS)); // one sequence, as Listener plays
    overrides.put("sim.duration", Math.round(WALL.toSeconds() * SPEED) + "s");
    overrides.put("sim.sampleInterval", "10s");
    overrides.put("cache.minBytes", Long.toString(CACHE_BYTES));
    overrides.put("cache.maxBytes", Long.toString(CACHE_BYTES));
    overrides.put("cache.freeDiskMedianBytes", Long.toString(CACHE_BYTES));
    return ScenarioFile.read(MIRROR, overrides);
  }

  /** Mean of the simulator's shares over {@link #REPLICATIONS} replications: {peer share, cache share}. */
  static double[] simulate(Scenario scenario, StringBuilder log) {
    double peer = 0;
    double cache = 0;
    for (int r = 0; r < REPLICATIONS; r++) {
      RunResult result = SwarmSimulation.run(scenario, r, (now, duration, events) -> {});
      assertNull(result.invariantViolation(), "replication " + r);
      double fromCache = result.metric(RunResult.BYTES_FROM_CACHE);
      double peers = result.metric(RunResult.NETWORK_BYTES_PEERS);
      double cdn = result.metric(RunResult.NETWORK_BYTES_CDN);
      double cacheShare = fromCache / (fromCache + peers + cdn);
      peer += result.metric(RunResult.NETWORK_PEER_SHARE);
      cache += cacheShare;
      log.append(String.format(Locale.ROOT,
          "  sim replication %d: peer share %.3f, cache share %.3f (plays %.0f; cache %.1f MB, peers %.1f MB, CDN %.1f MB)%n",
          r, result.metric(RunResult.NETWORK_PEER_SHARE), cacheShare, result.metric(RunResult.PLAYS),
          fromCache / 1e6, peers / 1e6, cdn / 1e6));
    }
    return new double[] {peer / REPLICATIONS, cache / REPLICATIONS};
  }

  @Test
  void simulatorAgreesWithRealNodesOnWhereTheBytesComeFrom(@TempDir Path dir) throws Exception {
    // The simulator first: cheap and deterministic.
    StringBuilder log = new StringBuilder();
    double[] sim = simulate(mirror(), log);
    double[] again = simulate(mirror(), new StringBuilder());
    assertEquals(sim[0], again[0], "the simulator is deterministic");

    DemoOptions options = new DemoOptions(NODES, TRACKS, WALL, SPEED, DEMO_SEED, Optional.of(dir), false,
        CACHE_BYTES, 0);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    DemoReport demo;
    try (PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
      demo = Demo.run(options, out, false, new AtomicBoolean());
    }
    String table = demo.table();
    double demoPeerShare = demo.networkPeerShare();
    double demoCache = demo.played().fromCache();
    double demoAll = demoCache + demo.fetchedFromPeers() + demo.fetchedFromCdn();
    double demoCacheShare = demoAll == 0 ? 0 : demoCache / demoAll;

    String summary = String.format(Locale.ROOT,
        "demo vs demo-mirror: %d nodes, %d tracks, %d s at %.0fx (%d s of audio)%n"
            + "  network peer share: demo %.3f, simulator %.3f (mean of %d), |diff| %.3f, tolerance %.2f%n"
            + "  cache share:        demo %.3f, simulator %.3f, |diff| %.3f, tolerance %.2f%n",
        NODES, TRACKS, WALL.toSeconds(), SPEED, Math.round(WALL.toSeconds() * SPEED),
        demoPeerShare, sim[0], REPLICATIONS, Math.abs(sim[0] - demoPeerShare), PEER_SHARE_TOLERANCE,
        demoCacheShare, sim[1], Math.abs(sim[1] - demoCacheShare), CACHE_SHARE_TOLERANCE);
    System.out.println(table);
    System.out.print(log);
    System.out.print(summary);

    // The demo ran: every node played, nothing failed, peers took part.
    assertTrue(demo.plays() >= NODES, table);
    for (DemoReport.Row row : demo.nodes()) {
      assertTrue(row.plays() > 0, "node " + row.node() + " played nothing:\n" + table);
      assertEquals(0, row.errors(), "node " + row.node() + " had failed playbacks:\n" + table);
    }
    assertTrue(demo.fetchedFromPeers() > 0 && demo.fetchedFromCdn() > 0, table);

    assertTrue(Math.abs(sim[0] - demoPeerShare) <= PEER_SHARE_TOLERANCE,
        "network peer shares disagree:\n" + summary + table);
    assertTrue(Math.abs(sim[1] - demoCacheShare) <= CACHE_SHARE_TOLERANCE,
        "cache shares disagree:\n" + summary + table);
  }
}
