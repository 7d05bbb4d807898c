package dev.chorus.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.demo.MirrorValidation.Check;
import dev.chorus.demo.MirrorValidation.Metric;
import dev.chorus.demo.MirrorValidation.Mirror;
import dev.chorus.demo.MirrorValidation.Sample;
import dev.chorus.demo.MirrorValidation.Stat;
import dev.chorus.simulator.scenario.MarkedBlock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validation's measurement, run by {@code papers/reproduce --part validation} (not by the
 * build: its name matches none of the test patterns, and it takes about 10 minutes). For each
 * mirrored pair it runs the demo with seeds 1..{@code chorus.validation.seeds} (default 5) and the
 * simulator's {@link MirrorValidation#REPLICATIONS} replications, compares mean with mean
 * ({@link MirrorValidation#meanAgainstMean}), writes the table into the generated block
 * {@code validation-table} of {@code simulator/docs/validation.md}, and the demo's spread into
 * {@code simulator/docs/validation-spread.tsv}, which {@code DemoMirrorValidationTest} reads for
 * its tolerance. It asserts only that the simulator is deterministic: a disagreement is a result,
 * written into the table.
 */
class MirrorSpreadMeasurement {
  static final Path DOCS = Path.of(System.getProperty("user.dir"), "..", "simulator", "docs").normalize();
  static final Path SPREAD = DOCS.resolve("validation-spread.tsv");

  @Test
  void measure(@TempDir Path dir) throws Exception {
    int seeds = Integer.getInteger("chorus.validation.seeds", 5);
    String meta = System.getProperty("chorus.validation.meta", "");
    StringBuilder block = new StringBuilder();
    StringBuilder spread = new StringBuilder("# The demo's spread over seeds, written by papers/reproduce --part validation"
        + (meta.isEmpty() ? "" : " (" + meta + ")") + "; read by DemoMirrorValidationTest.\n"
        + "# mirror\tmetric\tn\tmean\tsd\n");
    List<Check> checks = new ArrayList<>();
    long began = System.nanoTime();
    for (Mirror mirror : Mirror.values()) {
      List<Sample> sim = MirrorValidation.simulate(mirror, MirrorValidation.REPLICATIONS);
      assertEquals(sim.get(0).get(Metric.PEER_SHARE),
          MirrorValidation.simulate(mirror, 1).get(0).get(Metric.PEER_SHARE), "the simulator is deterministic");
      List<Sample> demo = new ArrayList<>();
      block.append(String.format(Locale.ROOT, "%n**%s** (`simulator/scenarios/%s.scenario`)%n%n", mirror,
          mirror.scenario));
      block.append("| run | peer share | cache share | start p50 (ms) | start p90 (ms) | |\n|---|---|---|---|---|---|\n");
      for (long seed = 1; seed <= seeds; seed++) {
        Sample s = MirrorValidation.demo(mirror, seed, dir).sample();
        System.out.printf(Locale.ROOT, "%s demo seed %d: %s%n", mirror, seed, row(s));
        demo.add(s);
        block.append("| demo seed ").append(seed).append(" | ").append(row(s)).append(" | ").append(s.note()).append(" |\n");
      }
      for (int r = 0; r < sim.size(); r++) {
        block.append("| sim replication ").append(r).append(" | ").append(row(sim.get(r))).append(" | ")
            .append(sim.get(r).note()).append(" |\n");
      }
      block.append("\n| metric | demo mean (sd), n | simulator mean (sd), R | sim − demo | tolerance | agree |\n"
          + "|---|---|---|---|---|---|\n");
      for (Metric m : Metric.values()) {
        Stat d = Stat.of(demo, m);
        Stat s = Stat.of(sim, m);
        Check c = MirrorValidation.meanAgainstMean(mirror, m, d, s);
        checks.add(c);
        block.append(String.format(Locale.ROOT, "| %s | %s (%s), %d | %s (%s), %d | %+.3f | %.3f | %s |%n", m.label,
            m.format(d.mean()), m.format(d.sd()), d.n(), m.format(s.mean()), m.format(s.sd()), s.n(),
            c.difference(), c.tolerance(), c.agrees() ? "yes" : "**NO**"));
        spread.append(String.format(Locale.ROOT, "%s\t%s\t%d\t%.6f\t%.6f%n", mirror, m, d.n(), d.mean(), d.sd()));
      }
    }
    long minutes = Math.round((System.nanoTime() - began) / 60e9);
    String head = String.format(Locale.ROOT,
        "Written by `papers/reproduce --part validation`%s: %d demo seeds and %d simulator replications per "
            + "mirror, %d nodes, %d tracks, %d s at %.0fx; about %d min of wall time. Tolerance: "
            + "t(0.975, n−1) · √(s_demo²/n + s_sim²/R).%n",
        meta.isEmpty() ? "" : " (" + meta + ")", seeds, MirrorValidation.REPLICATIONS, MirrorValidation.NODES,
        MirrorValidation.TRACKS, MirrorValidation.WALL.toSeconds(), MirrorValidation.SPEED, minutes);
    Path note = DOCS.resolve("validation.md");
    String doc = Files.readString(note, StandardCharsets.UTF_8);
    Files.writeString(note, MarkedBlock.replace(doc, "validation-table", head + block), StandardCharsets.UTF_8);
    Files.writeString(SPREAD, spread, StandardCharsets.UTF_8);
    for (Check c : checks) {
      System.out.printf(Locale.ROOT, "%s %s: sim − demo %+.3f, tolerance %.3f: %s%n", c.mirror(), c.metric(),
          c.difference(), c.tolerance(), c.agrees() ? "agree" : "DISAGREE");
    }
  }

  static String row(Sample s) {
    StringBuilder b = new StringBuilder();
    for (Metric m : Metric.values()) {
      b.append(b.length() == 0 ? "" : " | ").append(m.format(s.get(m)));
    }
    return b.toString();
  }
}
