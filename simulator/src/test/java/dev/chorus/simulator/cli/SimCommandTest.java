package dev.chorus.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.simulator.scenario.FakeRunner;
import dev.chorus.simulator.scenario.RunResult;
import dev.chorus.simulator.scenario.ScenarioRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimCommandTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path tmp;

  private Path scenario;
  private String out;
  private String err;

  @BeforeEach
  void writeScenario() throws IOException {
    scenario = tmp.resolve("small.scenario");
    Files.writeString(scenario, String.join("\n",
        "# a small scenario for the command's tests",
        "sim.peers = 50",
        "sim.duration = 2h",
        "sim.sampleInterval = 15m",
        ""), StandardCharsets.UTF_8);
  }

  private int sim(ScenarioRunner runner, String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = SimCommand.execute(runner, new PrintWriter(o, true), new PrintWriter(e, true), CLOCK,
        false, args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  private static void assertContains(String text, String... parts) {
    for (String p : parts) {
      assertTrue(text.contains(p), () -> "'" + p + "' is not in:\n" + text);
    }
  }

  @Test
  void helpAndVersionAtEveryLevel() {
    assertEquals(0, sim(new FakeRunner(), "--help"));
    assertContains(out, "chorus sim", "run");
    assertEquals(0, sim(new FakeRunner(), "run", "--help"));
    assertContains(out, "SCENARIO", "--replications", "--threads", "--out", "--seed", "--set",
        "--force", "--quiet", "Exit codes");
    assertEquals(0, sim(new FakeRunner(), "--version"));
    assertContains(out, "chorus sim dev");
    assertEquals(0, sim(new FakeRunner(), "run", "--version"));
    assertContains(out, "chorus sim dev");
  }

  @Test
  void okRunWritesResultsAndPrintsTheTable() throws IOException {
    Path dir = tmp.resolve("out");
    assertEquals(0, sim(new FakeRunner(), "run", scenario.toString(), "-n", "3", "--threads", "2",
        "--out", dir.toString()));
    assertContains(out, "metric", "mean", "± 95% CI (3 replications)", RunResult.BYTES_PLAYED,
        RunResult.SHARE_PEERS, RunResult.PEAK_ONLINE_PEERS, "results: " + dir);
    for (String f : new String[] {"manifest.json", "summary.json", "timeseries.csv", "sources.png",
        "peer-share.svg", "online.png", "start-latency.svg"}) {
      assertTrue(Files.exists(dir.resolve(f)), f);
    }
    // Not a terminal: plain progress lines, the last at 100%.
    assertContains(err, "100.0%", "sim 02:00 / 02:00", "replications done 3/3");
    assertFalse(err.contains("\r"));
  }

  @Test
  void oneReplicationSaysTheIntervalIsUndefined() {
    assertEquals(0, sim(new FakeRunner(), "run", scenario.toString(), "--out",
        tmp.resolve("one").toString(), "--quiet"));
    assertContains(out, "± n/a", "one replication");
    assertEquals("", err);
  }

  @Test
  void seedAndSetOverrideTheFile() throws IOException {
    Path dir = tmp.resolve("over");
    assertEquals(0, sim(new FakeRunner(), "run", scenario.toString(), "--out", dir.toString(), "-q",
        "--seed", "99", "--set", "sim.peers=70", "--set", "catalogue.tracks = 500"));
    JsonNode values = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile())
        .get("scenario_values");
    assertEquals("99", values.get("sim.seed").asText());
    assertEquals("70", values.get("sim.peers").asText());
    assertEquals("500", values.get("catalogue.tracks").asText());
  }

  @Test
  void badKeyExitsWith2NamingTheKey() throws IOException {
    Files.writeString(scenario, "sim.peers = 50\nsim.peer = 60\n");
    assertEquals(2, sim(new FakeRunner(), "run", scenario.toString(), "--out", tmp.resolve("x").toString()));
    assertContains(err, "small.scenario:2:", "sim.peer", "did you mean 'sim.peers'?");
    assertFalse(Files.exists(tmp.resolve("x")), "nothing is written for a bad scenario");
  }

  @Test
  void badValueAndBadSetExitWith2() {
    assertEquals(2, sim(new FakeRunner(), "run", scenario.toString(), "--set", "sim.peers=1"));
    assertContains(err, "--set", "sim.peers", "[2, 10000000]");
    assertEquals(2, sim(new FakeRunner(), "run", scenario.toString(), "--set", "sim.peers"));
    assertContains(err, "KEY=VALUE");
    assertEquals(2, sim(new FakeRunner(), "run", tmp.resolve("missing.scenario").toString()));
    assertContains(err, "missing.scenario", "no such file");
  }

  @Test
  void badUsageExitsWith2() {
    assertEquals(2, sim(new FakeRunner(), "run"));
    assertContains(err, "SCENARIO");
    assertEquals(2, sim(new FakeRunner(), "run", scenario.toString(), "--replications", "0"));
    assertContains(err, "--replications must be at least 1");
    assertEquals(2, sim(new FakeRunner(), "run", scenario.toString(), "--threads", "0"));
    assertEquals(2, sim(new FakeRunner(), "run", scenario.toString(), "--bogus"));
    assertEquals(2, sim(new FakeRunner()));
    assertContains(err, "run");
  }

  @Test
  void nonEmptyResultsDirectoryNeedsForce() throws IOException {
    Path dir = tmp.resolve("full");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("keep.txt"), "x");
    assertEquals(2, sim(new FakeRunner(), "run", scenario.toString(), "--out", dir.toString(), "-q"));
    assertContains(err, "not empty", "--force");
    assertEquals(0, sim(new FakeRunner(), "run", scenario.toString(), "--out", dir.toString(), "-q",
        "--force"));
    assertTrue(Files.exists(dir.resolve("keep.txt")));
    assertTrue(Files.exists(dir.resolve("summary.json")));
  }

  @Test
  void invariantViolationExitsWith3AndStillWritesTheResults() throws IOException {
    Path dir = tmp.resolve("bad");
    assertEquals(3, sim(new FakeRunner(Set.of(1), Set.of()), "run", scenario.toString(), "-n", "2",
        "--out", dir.toString(), "-q"));
    assertContains(err, "invariant violated in replication 1", "cache + peers + CDN", "played",
        dir.toString());
    assertFalse(err.contains("replication 0"), err);
    for (String f : new String[] {"manifest.json", "summary.json", "timeseries.csv", "sources.png"}) {
      assertTrue(Files.exists(dir.resolve(f)), f);
    }
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
    assertFalse(summary.get("invariant").get("ok").asBoolean());
    assertContains(out, RunResult.BYTES_PLAYED);
  }

  @Test
  void failingReplicationExitsWith1NamingIt() {
    assertEquals(1, sim(new FakeRunner(Set.of(), Set.of(1)), "run", scenario.toString(), "-n", "3",
        "--out", tmp.resolve("fail").toString(), "-q"));
    assertContains(err, "replication 1 failed", "scripted failure");
    assertFalse(Files.exists(tmp.resolve("fail")), "a failed run leaves no empty directory");
  }

  @Test
  void terminalProgressRedrawsOneLine() {
    StringWriter e = new StringWriter();
    long[] now = {0};
    ProgressBar bar = new ProgressBar(new PrintWriter(e, true), 2, true, false, () -> now[0]);
    long hour = 3_600_000_000_000L;
    for (int step = 1; step <= 4; step++) {
      now[0] += 1_000_000_000L;
      bar.forReplication(0).progress(step * hour / 4, hour, step * 1000L);
      bar.forReplication(1).progress(step * hour / 8, hour, step * 500L);
    }
    bar.finish();
    String text = e.toString();
    assertTrue(text.startsWith("\r"), text);
    assertTrue(text.endsWith(System.lineSeparator()), text);
    assertContains(text, "75.0%", "sim 00:45 / 01:00", "events 6,000", "ETA", "ev/s",
        "replications done 1/2");
  }

  @Test
  void etaAndClockFormats() {
    assertEquals("05:30", ProgressBar.hhmm(330L * 60_000_000_000L));
    assertEquals("30:00", ProgressBar.hhmm(30L * 3_600_000_000_000L));
    assertEquals("42s", ProgressBar.seconds(42));
    assertEquals("3m07s", ProgressBar.seconds(187));
    assertEquals("2h05m", ProgressBar.seconds(7500));
  }
}
