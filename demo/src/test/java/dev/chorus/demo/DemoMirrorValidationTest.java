package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.demo.MirrorValidation.Check;
import dev.chorus.demo.MirrorValidation.DemoRun;
import dev.chorus.demo.MirrorValidation.Metric;
import dev.chorus.demo.MirrorValidation.Mirror;
import dev.chorus.demo.MirrorValidation.Sample;
import dev.chorus.demo.MirrorValidation.Stat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validates the swarm simulator against real nodes on two mirrored swarms ({@link Mirror}): the
 * demo's (uncapped, always online) and one with upload caps in three classes and churn. The real
 * side is the demo's spread over 5 seeds, measured by {@code papers/reproduce --part validation}
 * and written to {@code simulator/docs/validation-spread.tsv} (about 10 minutes, too long for
 * every build); the statistics and the rules: {@code simulator/docs/validation.md}. Each test:
 *
 * <ol>
 *   <li>runs the simulator's 10 replications (deterministic) and checks every metric (network peer
 *       share, cache share, start latency p50 and p90) against the measured demo runs, mean against
 *       mean, both ways ({@link MirrorValidation#meanAgainstMean}). The disagreements the
 *       measurement found are listed in {@link #KNOWN_DISAGREEMENTS}, and the test checks that they
 *       still disagree: one that comes to agree (a better model, a new measurement) fails the test
 *       until it is taken off the list, so the list cannot hide a change either way;
 *   <li>runs one demo (40 s of wall time, a seed outside the measured ones) and checks that the real
 *       nodes still behave as measured: it ran and its accounting adds up, and its peer and cache
 *       shares fall within the 99.9% prediction interval of the measured spread
 *       ({@link MirrorValidation#runAgainstSpread}); if not, the measurement is stale.
 * </ol>
 *
 * <p>No assertion depends on wall-clock time.
 */
class DemoMirrorValidationTest {
  /** Not one of the measured seeds 1..5, so that this run is a new observation. */
  static final long DEMO_SEED = 11;

  /**
   * Where the simulator disagrees with the measured real runs beyond tolerance (mirror/metric), as
   * {@code simulator/docs/validation.md} reports and explains: open model errors, not accepted ones.
   */
  static final Set<String> KNOWN_DISAGREEMENTS = Set.of("PLAIN/PEER_SHARE", "PLAIN/START_P50", "PLAIN/START_P90",
      "CAPS_AND_CHURN/START_P50");

  @Test
  void plainDemoSwarm(@TempDir Path dir) throws Exception {
    validate(Mirror.PLAIN, dir);
  }

  @Test
  void heterogeneousUploadCapsAndChurn(@TempDir Path dir) throws Exception {
    validate(Mirror.CAPS_AND_CHURN, dir);
  }

  private static void validate(Mirror mirror, Path dir) throws Exception {
    Map<Metric, Stat> spread = spread(mirror);
    List<Sample> sim = MirrorValidation.simulate(mirror, MirrorValidation.REPLICATIONS);
    assertEquals(sim.get(0).get(Metric.PEER_SHARE),
        MirrorValidation.simulate(mirror, 1).get(0).get(Metric.PEER_SHARE), "the simulator is deterministic");

    List<String> problems = new ArrayList<>();
    StringBuilder summary = new StringBuilder(String.format(Locale.ROOT,
        "%s: simulator (%d replications) against the demo's %d measured runs:%n", mirror,
        MirrorValidation.REPLICATIONS, spread.get(Metric.PEER_SHARE).n()));
    for (Metric m : Metric.values()) {
      Check c = MirrorValidation.meanAgainstMean(mirror, m, spread.get(m), Stat.of(sim, m));
      boolean known = KNOWN_DISAGREEMENTS.contains(mirror + "/" + m);
      summary.append(String.format(Locale.ROOT, "  %-38s demo %s (sd %s), simulator %s (sd %s), sim − demo %+.3f, "
              + "tolerance %.3f: %s%n", m.label, m.format(c.demo().mean()), m.format(c.demo().sd()),
          m.format(c.sim().mean()), m.format(c.sim().sd()), c.difference(), c.tolerance(),
          c.agrees() ? "agree" : known ? "DISAGREE (known)" : "DISAGREE"));
      if (c.agrees() == known) {
        problems.add(known ? m + " is listed as a known disagreement but now agrees: take it off "
            + "KNOWN_DISAGREEMENTS and simulator/docs/validation.md" : "the simulator disagrees on " + m);
      }
    }

    DemoRun run = MirrorValidation.demo(mirror, DEMO_SEED, dir);
    DemoReport demo = run.report();
    String table = demo.table();
    // The demo ran: nodes played, the accounting adds up, peers took part.
    assertTrue(demo.plays() >= MirrorValidation.NODES, table);
    assertNull(demo.invariantViolation(), table);
    assertTrue(demo.fetchedFromPeers() > 0 && demo.fetchedFromCdn() > 0, table);
    for (DemoReport.Row row : demo.nodes()) {
      assertEquals(0, row.errors(), "node " + row.node() + " had failed playbacks:\n" + table);
      if (!mirror.variation.churns()) {
        assertTrue(row.plays() > 0, "node " + row.node() + " played nothing:\n" + table);
      }
    }
    summary.append(String.format(Locale.ROOT, "a new demo run, seed %d (%s), against the measured spread:%n",
        DEMO_SEED, run.sample().note()));
    // Start latencies are heavy-tailed in the demo (a p90 of 7 s in one measured run): shares only.
    for (Metric m : List.of(Metric.PEER_SHARE, Metric.CACHE_SHARE)) {
      Check c = MirrorValidation.runAgainstSpread(mirror, m, spread.get(m), run.sample().get(m));
      summary.append(String.format(Locale.ROOT, "  %-38s run %s, measured %s (sd %s), tolerance %.3f: %s%n", m.label,
          m.format(run.sample().get(m)), m.format(spread.get(m).mean()), m.format(spread.get(m).sd()),
          c.tolerance(), c.agrees() ? "as measured" : "NOT as measured"));
      if (!c.agrees()) {
        problems.add("the real nodes' " + m + " is no longer as measured: re-run papers/reproduce --part validation");
      }
    }
    System.out.println(table);
    System.out.print(summary);
    assertTrue(problems.isEmpty(), problems + ":\n" + summary + table);
  }

  /** The demo's spread per metric for {@code mirror}, from the measurement's file. */
  static Map<Metric, Stat> spread(Mirror mirror) throws IOException {
    Map<Metric, Stat> out = new EnumMap<>(Metric.class);
    for (String line : Files.readAllLines(MirrorSpreadMeasurement.SPREAD, StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      if (f[0].equals(mirror.name())) {
        out.put(Metric.valueOf(f[1]), new Stat(Integer.parseInt(f[2]), Double.parseDouble(f[3]),
            Double.parseDouble(f[4])));
      }
    }
    assertEquals(Metric.values().length, out.size(), "validation-spread.tsv lacks figures for " + mirror
        + ": run papers/reproduce --part validation");
    return out;
  }
}
