package dev.chorus.simulator.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.simulator.cli.SimCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Spotify-like scenario, run for real through {@code chorus sim run} at a size a test
 * affords (its full size is in the closing note and docs/driver.md): it produces the summary and
 * the plots, keeps the byte-accounting invariant, and gives the same summary twice.
 */
class ShippedScenarioRunTest {
  private static final Path SPOTIFY = Path.of("scenarios", "spotify-like.scenario");

  @Test
  void spotifyLikeProducesItsSummaryAndPlotsAndIsDeterministic(@TempDir Path tmp) throws IOException {
    String[] small = {"--set", "sim.peers=400", "--set", "catalogue.tracks=457", "--set",
        "sim.duration=3h", "--set", "sim.warmup=1h", "--set", "sim.historyDays=2", "--quiet"};
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    assertEquals(0, SimCommand.execute(SwarmSimulation::run, concat("run", SPOTIFY.toString(),
        "--out", a.toString(), small)));
    assertEquals(0, SimCommand.execute(SwarmSimulation::run, concat("run", SPOTIFY.toString(),
        "--out", b.toString(), small)));
    for (String f : new String[] {"manifest.json", "summary.json", "timeseries.csv", "sources.png",
        "sources.svg", "peer-share.png", "peer-share.svg", "online.png", "online.svg",
        "start-latency.png", "start-latency.svg"}) {
      assertTrue(Files.size(a.resolve(f)) > 0, f);
    }
    assertEquals(Files.readString(a.resolve("summary.json")), Files.readString(b.resolve("summary.json")));
    assertEquals(Files.readString(a.resolve("timeseries.csv")), Files.readString(b.resolve("timeseries.csv")));

    JsonNode summary = new ObjectMapper().readTree(a.resolve("summary.json").toFile());
    assertTrue(summary.get("invariant").get("ok").asBoolean(), summary.toString());
    String json = summary.toString();
    assertTrue(json.contains("share_peers") && json.contains("start_latency_p50_ms")
        && json.contains("stutter_rate") && json.contains("tracker_lookups_per_second"), json);
  }

  private static String[] concat(String a, String b, String c, String d, String[] rest) {
    String[] all = new String[4 + rest.length];
    all[0] = a;
    all[1] = b;
    all[2] = c;
    all[3] = d;
    System.arraycopy(rest, 0, all, 4, rest.length);
    return all;
  }
}
