package dev.chorus.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadConfigTest {
  private static String error(Map<String, String> values) {
    return assertThrows(IllegalArgumentException.class, () -> WorkloadConfig.fromMap(values))
        .getMessage();
  }

  @Test
  void defaultsAreValidAndRoundTrip() {
    WorkloadConfig d = WorkloadConfig.defaults();
    assertEquals(1_000_000, d.catalogueTracks());
    assertTrue(Double.isNaN(d.popularityExponent()));
    assertEquals(d, WorkloadConfig.fromMap(d.toMap()));
    assertEquals(WorkloadConfig.KEYS, java.util.List.copyOf(d.toMap().keySet()));
    WorkloadConfig custom = WorkloadConfig.fromMap(Map.of(
        "catalogue.tracks", "2_000", "popularity.exponent", "0.9", "popularity.layout", "SCATTERED",
        "churn.online.distribution", "exponential", "churn.online.meanSeconds", "600"));
    assertEquals(2000, custom.catalogueTracks());
    assertEquals(0.9, custom.popularityExponentOrFit());
    assertEquals(WorkloadConfig.Layout.SCATTERED, custom.layout());
    assertEquals(Distribution.exponential(600), custom.online());
    assertEquals(custom, WorkloadConfig.fromMap(custom.toMap()));
  }

  @Test
  void errorsNameTheKeyAndTheAllowedRange() {
    assertEquals("workload: catalogue.tracks must be in [1, 500000000], was 0",
        error(Map.of("catalogue.tracks", "0")));
    assertEquals("workload: session.skipProbability must be in [0.0, 1.0], was 1.5",
        error(Map.of("session.skipProbability", "1.5")));
    assertEquals("workload: popularity.exponent must be in (0, 20] or \"fit\", was -1.0",
        error(Map.of("popularity.exponent", "-1")));
    assertEquals("workload: popularity.playShare must be in (0.5, 1.0), was 0.4",
        error(Map.of("popularity.topShare", "0.5", "popularity.playShare", "0.4")));
    assertEquals("workload: diurnal.peakHour must be in [0, 24), was 24.0",
        error(Map.of("diurnal.peakHour", "24")));
    assertEquals("workload: catalogue.durationMaxSeconds must be in [60.0, 7200.0], was 40.0",
        error(Map.of("catalogue.durationMinSeconds", "60", "catalogue.durationMaxSeconds", "40")));
    String seq = error(Map.of("session.meanPlays", "2", "session.sequentialShare", "0.61"));
    assertTrue(seq.startsWith("workload: session.sequentialShare must be in [0, 0.5]"), seq);
    assertTrue(seq.contains("session.meanPlays"), seq);
    assertEquals("workload: catalogue.albumTracks must be an integer, was \"twelve\"",
        error(Map.of("catalogue.albumTracks", "twelve")));
    assertEquals("workload: popularity.layout must be one of [album, scattered], was \"random\"",
        error(Map.of("popularity.layout", "random")));
    String unknown = error(Map.of("catalog.tracks", "10"));
    assertTrue(unknown.startsWith("workload: unknown key catalog.tracks; known keys: catalogue.tracks"),
        unknown);
    assertEquals("workload: churn.offline.sigma must be in [0.0, 5.0], was -1.0",
        error(Map.of("churn.offline.sigma", "-1")));
    assertEquals("workload: cache.maxBytes must be in [50000000, 1125899906842624], was 1000",
        error(Map.of("cache.maxBytes", "1000")));
  }

  @Test
  void everyKeyIsDocumented() throws Exception {
    Path doc = Path.of(System.getProperty("user.dir"), "docs", "workload.md");
    String text = Files.readString(doc);
    for (String key : WorkloadConfig.KEYS) {
      assertTrue(text.contains("`" + key + "`"), key + " is not in docs/workload.md");
    }
  }
}
