package dev.chorus.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.node.SwarmConfig;
import dev.chorus.simulator.workload.WorkloadConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioFileTest {
  private static final Path SCENARIOS = Path.of(System.getProperty("user.dir"), "scenarios");

  private static Scenario parse(String text) {
    return ScenarioFile.parse("test.scenario", text, Map.of());
  }

  private static ScenarioException error(String text) {
    return assertThrows(ScenarioException.class, () -> parse(text));
  }

  private static void assertContains(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), () -> "'" + p + "' is not in: " + message);
    }
  }

  // ---- values -----------------------------------------------------------------------------------

  @Test
  void readsEveryFamilyAndItsUnits() {
    Scenario s = parse(String.join("\n",
        "# a comment",
        "",
        "sim.name = my run   # an inline comment",
        "sim.seed = -7",
        "sim.peers = 1_000",
        "sim.duration = 1d",
        "sim.warmup = PT90M",
        "sim.sampleInterval = 1.5h",
        "sim.chunkBytes = 32KiB",
        "sim.historyDays = 1e1",
        "catalogue.tracks = 5000",
        "popularity.layout = scattered",
        "cache.minBytes = 512MiB",
        "cache.maxBytes = 5GB",
        "network.bandwidth = fixed(up=4Mbit, down=30Mbit)",
        "network.cdnUplink = 10Gbit",
        "network.latency.regions = 3",
        "network.latency.regionWeights = 3, 1, 1",
        "swarm.minRequestAge = 250ms",
        "swarm.fastPeerBytesPerSecond = 4MB",
        "swarm.uploadSlots = 6",
        "tracker.maxPeers = 25",
        "tracker.keepPerTrack = 40",
        "tracker.ttl = 1h"));
    assertEquals("my run", s.name());
    assertEquals(-7, s.seed());
    assertEquals(1000, s.peers());
    assertEquals(Duration.ofDays(1), s.duration());
    assertEquals(Duration.ofMinutes(90), s.warmup());
    assertEquals(Duration.ofMinutes(90), s.sampleInterval());
    assertEquals(32 * 1024, s.chunkBytes());
    assertEquals(10, s.historyDays());
    assertEquals(5000, s.workload().catalogueTracks());
    assertEquals(WorkloadConfig.Layout.SCATTERED, s.workload().layout());
    assertEquals(512L << 20, s.workload().cacheMinBytes());
    assertEquals(5_000_000_000L, s.workload().cacheMaxBytes());
    assertEquals(1000, s.network().peers());
    assertEquals(List.of("fixed"), s.network().bandwidth().classNames());
    assertContains(s.network().bandwidth().toString(), "4Mbit", "30Mbit");
    assertEquals(1.25e9, s.network().cdnUplink());
    assertEquals(3, s.network().latency().regions());
    assertEquals(List.of(3.0, 1.0, 1.0), boxed(s.network().latency().regionWeights()));
    assertEquals(250_000_000L, s.swarm().minRequestAgeNanos());
    assertEquals(4_000_000L, s.swarm().fastPeerBytesPerSecond());
    assertEquals(6, s.swarm().uploadSlots());
    assertEquals(25, s.trackerMaxPeers());
    assertEquals(40, s.tracker().keepPerTrack());
    assertEquals(Duration.ofHours(1), s.tracker().ttl());
  }

  private static List<Double> boxed(double[] a) {
    List<Double> l = new ArrayList<>();
    for (double d : a) {
      l.add(d);
    }
    return l;
  }

  @Test
  void absentKeysKeepTheirDefaultsAndTheNameComesFromTheFile() {
    Scenario s = ScenarioFile.parse("dir/my-run.scenario", "sim.peers = 50\n", Map.of());
    assertEquals("my-run", s.name());
    Map<String, String> expected = new LinkedHashMap<>(
        ScenarioFile.effectiveValues(Scenario.builder().peers(50).name("my-run").build()));
    assertEquals(expected, ScenarioFile.effectiveValues(s));
  }

  @Test
  void toleratesByteOrderMarkCarriageReturnsAndSpaces() {
    Scenario s = parse("\uFEFFsim.peers=40\r\n   sim.duration   =   2h  \r\n\t# indented comment\r\n");
    assertEquals(40, s.peers());
    assertEquals(Duration.ofHours(2), s.duration());
  }

  @Test
  void overridesReplaceFileValuesAndAreBlamedAsSet() {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("sim.peers", "77");
    overrides.put("sim.seed", "9");
    Scenario s = ScenarioFile.parse("t.scenario", "sim.peers = 50\n", overrides);
    assertEquals(77, s.peers());
    assertEquals(9, s.seed());

    ScenarioException e = assertThrows(ScenarioException.class,
        () -> ScenarioFile.parse("t.scenario", "sim.peers = 50\n", Map.of("sim.peers", "1")));
    assertEquals(ScenarioFile.OVERRIDE_SOURCE, e.source());
    assertEquals("sim.peers", e.key());
    assertContains(e.getMessage(), "--set", "sim.peers", "[2, 10000000]");
  }

  // ---- errors -----------------------------------------------------------------------------------

  @Test
  void unknownKeySuggestsTheClosestAndPointsToTheDocs() {
    ScenarioException e = error("sim.peers = 10\n\nsim.duraton = 1h\n");
    assertEquals(3, e.line());
    assertEquals("sim.duraton", e.key());
    assertContains(e.getMessage(), "test.scenario:3:", "unknown key 'sim.duraton'",
        "did you mean 'sim.duration'?", ScenarioFile.DOCS);

    assertContains(error("peers = 10").getMessage(), "did you mean 'sim.peers'?");
    assertContains(error("swarm.uploadslots = 3").getMessage(), "did you mean 'swarm.uploadSlots'?");
    assertContains(error("completely.different.thing = 3").getMessage(), "no key is close",
        ScenarioFile.DOCS);
  }

  @Test
  void duplicateKeyNamesBothLines() {
    ScenarioException e = error("sim.peers = 10\n# c\nsim.duration = 1h\nsim.peers = 20\n");
    assertEquals(4, e.line());
    assertEquals("sim.peers", e.key());
    assertContains(e.getMessage(), "test.scenario:4:", "duplicate key 'sim.peers'", "line 1", "line 4");
  }

  @Test
  void malformedLinesAreRefusedWithTheirLine() {
    ScenarioException e = error("sim.peers = 10\nsim.duration 1h\n");
    assertEquals(2, e.line());
    assertContains(e.getMessage(), "test.scenario:2:", "key = value", "sim.duration 1h");

    ScenarioException noKey = error("= 5\n");
    assertEquals(1, noKey.line());

    ScenarioException empty = error("sim.peers = 10\nsim.duration =   # nothing\n");
    assertEquals(2, empty.line());
    assertEquals("sim.duration", empty.key());
    assertContains(empty.getMessage(), "sim.duration has no value");
  }

  @Test
  void badValuesCarryTheValidatorsMessageWithKeyLineAndRange() {
    assertBad("sim.peers = 1", "sim.peers", "[2, 10000000]");
    assertBad("sim.duration = 24x", "sim.duration", "24h, 90m, 15s, 500ms, 1d");
    assertBad("sim.chunkBytes = 5 parsecs", "sim.chunkBytes", "KiB");
    assertBad("sim.chunkBytes = 512", "sim.chunkBytes", "[1024, 4194304]");
    assertBad("sim.seed = one", "sim.seed", "not a whole number");
    assertBad("session.skipProbability = 1.5", "session.skipProbability", "[0.0, 1.0]");
    assertBad("popularity.layout = round", "popularity.layout", "[album, scattered]");
    assertBad("catalogue.tracks = 0", "catalogue.tracks", "[1, 500000000]");
    assertBad("network.natShare = 2", "network.natShare", "[0, 1]");
    assertBad("network.bandwidth = fast(up=1)", "network.bandwidth", "allowed: fixed, classes, lognormal");
    assertBad("network.cdnUplink = 5 furlongs", "network.cdnUplink", "Mbit");
    assertBad("network.latency.accessSigma = 4", "network.latency.accessSigma", "[0, 3]");
    assertBad("network.latency.regions = 0", "network.latency.regions", "[1, 32767]");
    assertBad("swarm.uploadSlots = -1", "swarm.uploadSlots", "[0, 1024]");
    assertBad("swarm.requestStall = 0", "swarm.requestStall", "positive");
    assertBad("swarm.prefetchWindow = soon", "swarm.prefetchWindow", "not a duration");
    assertBad("tracker.keepPerTrack = 0", "tracker.keepPerTrack", "1..1000");
    assertBad("tracker.ttl = 30d", "tracker.ttl", "7 days");
    assertBad("tracker.maxPeers = 5000", "tracker.maxPeers", "[1, 1000]");
  }

  /** The bad line is line 2, after a good one, so a wrong line number shows. */
  private static void assertBad(String line, String key, String allowed) {
    ScenarioException e = error("diurnal.peakHour = 20\n" + line + "\n");
    assertEquals(2, e.line(), e.getMessage());
    assertEquals(key, e.key(), e.getMessage());
    assertContains(e.getMessage(), "test.scenario:2:", key, allowed);
  }

  @Test
  void checksAcrossKeysBlameAKeyTheFileSets() {
    ScenarioException warmup = error("sim.duration = 1h\nsim.warmup = 2h\n");
    assertEquals(2, warmup.line());
    assertEquals("sim.warmup", warmup.key());
    assertContains(warmup.getMessage(), "shorter than sim.duration");

    ScenarioException limits = error("swarm.neighbourHardLimit = 10\n");
    assertEquals(1, limits.line());
    assertContains(limits.getMessage(), "swarm.neighbourHardLimit", "[50, 100000]");

    ScenarioException weights = error(
        "network.latency.regions = 2\nnetwork.latency.regionWeights = 1, 2, 3\n");
    assertEquals("network.latency.regionWeights", weights.key());
    assertContains(weights.getMessage(), "2 entries");

    // The file only sets the soft limit; the default hard limit is then too low. The message
    // names the key at fault and says that its value is the default.
    ScenarioException defaults = error("swarm.neighbourSoftLimit = 70\n");
    assertEquals(0, defaults.line());
    assertEquals("swarm.neighbourHardLimit", defaults.key());
    assertContains(defaults.getMessage(), "test.scenario: ", "swarm.neighbourHardLimit",
        "[70, 100000]", "default");
  }

  @Test
  void missingFileIsAScenarioError(@TempDir Path dir) {
    ScenarioException e = assertThrows(ScenarioException.class,
        () -> ScenarioFile.read(dir.resolve("nope.scenario")));
    assertContains(e.getMessage(), "nope.scenario", "no such file");
  }

  @Test
  void aFileThatIsNotUtf8IsRefused(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("latin1.scenario");
    Files.write(f, new byte[] {'s', 'i', 'm', '.', 'n', 'a', 'm', 'e', '=', (byte) 0xE9});
    assertContains(assertThrows(ScenarioException.class, () -> ScenarioFile.read(f)).getMessage(),
        "UTF-8");
  }

  // ---- round trip, shipped scenarios, documentation ---------------------------------------------

  @Test
  void toTextParsesBackToTheSameEffectiveValues() throws IOException {
    List<Scenario> scenarios = new ArrayList<>();
    scenarios.add(Scenario.builder().build());
    scenarios.add(parse("sim.peers = 64\nnetwork.latency.regions = 2\n"
        + "network.latency.regionWeights = 0.25, 0.75\nnetwork.cdnUplink = 1234.5\n"
        + "cache.freeDiskMedianBytes = 1234567\nswarm.minRequestAge = 1500us\n"
        + "popularity.exponent = 1.1\nsim.duration = 3723s\n"));
    for (Path f : shippedScenarios()) {
      scenarios.add(ScenarioFile.read(f));
    }
    for (Scenario s : scenarios) {
      String text = ScenarioFile.toText(s);
      Scenario back = ScenarioFile.parse(s.name() + ".scenario", text, Map.of());
      assertEquals(ScenarioFile.effectiveValues(s), ScenarioFile.effectiveValues(back), text);
      assertEquals(ScenarioFile.keys(), new ArrayList<>(ScenarioFile.effectiveValues(s).keySet()));
    }
  }

  @Test
  void everyShippedScenarioParses() throws IOException {
    List<Path> files = shippedScenarios();
    List<String> names = new ArrayList<>();
    for (Path f : files) {
      Scenario s = ScenarioFile.read(f);
      names.add(s.name());
      assertEquals(f.getFileName().toString().replace(ScenarioFile.EXTENSION, ""), s.name());
    }
    assertTrue(names.containsAll(List.of("tiny", "demo-mirror", "spotify-like", "million")), names.toString());
    assertEquals(1_000_000, ScenarioFile.read(SCENARIOS.resolve("million.scenario")).peers());
    assertEquals(Duration.ofHours(24), ScenarioFile.read(SCENARIOS.resolve("million.scenario")).duration());
    assertEquals(12, ScenarioFile.read(SCENARIOS.resolve("demo-mirror.scenario")).peers());
    Scenario sl = ScenarioFile.read(SCENARIOS.resolve("spotify-like.scenario"));
    assertEquals(5_000, sl.peers());
    assertEquals(5_714, sl.workload().catalogueTracks(), "the catalogue scales with the peers (8/7)");
    assertEquals(16 * 1024, sl.chunkBytes());
    assertEquals(15_000_000_000L, sl.swarm().initialCdnWindowNanos());
    assertEquals(0.5, sl.workload().repeatShare(), "spotify-like plays repeats and discoveries");
    assertEquals(0, sl.workload().referenceCatalogueTracks(), "with caches of real sizes");
    for (String other : List.of("tiny", "demo-mirror", "demo-mirror-churn", "million")) {
      assertFalse(ScenarioFile.read(SCENARIOS.resolve(other + ScenarioFile.EXTENSION)).workload()
          .repeatsOn(), other + " keeps the model without repeats");
    }
  }

  private static List<Path> shippedScenarios() throws IOException {
    try (Stream<Path> s = Files.list(SCENARIOS)) {
      List<Path> files = s.filter(p -> p.toString().endsWith(ScenarioFile.EXTENSION)).sorted().toList();
      assertFalse(files.isEmpty(), "no scenarios in " + SCENARIOS);
      return files;
    }
  }

  @Test
  void everyKeyIsDocumented() throws IOException {
    String doc = Files.readString(Path.of(System.getProperty("user.dir"), "docs", "scenarios.md"),
        StandardCharsets.UTF_8);
    for (String key : ScenarioFile.keys()) {
      assertTrue(doc.contains("| `" + key + "` |"), key + " has no row in docs/scenarios.md");
    }
  }

  @Test
  void everySwarmConfigSetterHasAKey() {
    List<String> keys = ScenarioFile.keys();
    for (Method m : SwarmConfig.Builder.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 1) {
        assertTrue(keys.contains("swarm." + m.getName()), "no key swarm." + m.getName());
      }
    }
  }

  @Test
  void keysAreUnique() {
    assertEquals(ScenarioFile.keys().size(), ScenarioFile.keys().stream().distinct().count());
  }
}
