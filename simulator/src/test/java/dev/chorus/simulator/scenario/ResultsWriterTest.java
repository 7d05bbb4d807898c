package dev.chorus.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class ResultsWriterTest {
  private static final Scenario SCENARIO = Scenario.builder().name("writer").peers(20).seed(5)
      .duration(Duration.ofHours(3)).sampleInterval(Duration.ofMinutes(10)).build();
  private static final String[] PLOTS = {"sources", "peer-share", "online", "start-latency"};
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<RunResult> run(ScenarioRunner runner, int n) throws InterruptedException {
    return new Replications(runner, 2).run(SCENARIO, n, r -> SimulationProgress.NONE);
  }

  private static void write(Path dir, List<RunResult> results) throws IOException {
    ResultsWriter.prepare(dir, false);
    ResultsWriter.write(dir, SCENARIO, results, Replications.statistics(results), Instant.now());
  }

  @Test
  void writesEveryFile(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("a/b");
    write(dir, run(new FakeRunner(), 3));
    for (String f : List.of("manifest.json", "summary.json", "timeseries.csv")) {
      assertTrue(Files.size(dir.resolve(f)) > 0, f);
    }
    byte[] pngMagic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    for (String p : PLOTS) {
      byte[] png = Files.readAllBytes(dir.resolve(p + ".png"));
      assertTrue(png.length > pngMagic.length, p);
      byte[] head = new byte[pngMagic.length];
      System.arraycopy(png, 0, head, 0, head.length);
      assertArrayEquals(pngMagic, head, p + ".png is not a PNG");
      String svg = Files.readString(dir.resolve(p + ".svg"), StandardCharsets.UTF_8);
      assertTrue(svg.contains("<svg"), p + ".svg is not an SVG");
    }
  }

  @Test
  void svgPlotsAreWellFormedSvgDocumentsOfTheChartSize(@TempDir Path tmp) throws Exception {
    write(tmp, run(new FakeRunner(), 2));
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    // The DOCTYPE names the SVG 1.0 DTD; the test reads no network.
    factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    for (String p : PLOTS) {
      Document doc = factory.newDocumentBuilder().parse(tmp.resolve(p + ".svg").toFile());
      Element root = doc.getDocumentElement();
      assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI(), p);
      assertEquals("svg", root.getLocalName(), p);
      assertEquals("900", root.getAttribute("width"), p);
      assertEquals("500", root.getAttribute("height"), p);
      assertEquals("0 0 900 500", root.getAttribute("viewBox"), p);
      // Axes, grid lines, the series and XChart's text outlines are all paths.
      assertTrue(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path").getLength() > 20,
          p);
    }
  }

  @Test
  void timeseriesHasTheHeaderAndOneRowPerSamplePerReplication(@TempDir Path tmp) throws Exception {
    List<RunResult> results = run(new FakeRunner(), 2);
    write(tmp, results);
    List<String> lines = Files.readAllLines(tmp.resolve("timeseries.csv"), StandardCharsets.UTF_8);
    assertEquals("replication," + String.join(",", RunResult.SERIES_COLUMNS), lines.get(0));
    int samples = (int) (SCENARIO.duration().toMinutes() / SCENARIO.sampleInterval().toMinutes());
    assertEquals(1 + 2 * samples, lines.size());
    for (int r = 0; r < 2; r++) {
      for (int i = 0; i < samples; i++) {
        String[] cells = lines.get(1 + r * samples + i).split(",", -1);
        assertEquals(1 + RunResult.SERIES_COLUMNS.size(), cells.length);
        assertEquals(Integer.toString(r), cells[0]);
        double[] row = results.get(r).series().get(i);
        for (int c = 0; c < row.length; c++) {
          assertEquals(row[c], Double.parseDouble(cells[c + 1]), 0, "column " + c);
        }
      }
    }
    assertEquals("600", lines.get(1).split(",")[1], "whole numbers are written without a fraction");
  }

  @Test
  void summaryJsonReadsBackToTheSameValues(@TempDir Path tmp) throws Exception {
    List<RunResult> results = run(new FakeRunner(Set.of(1), Set.of()), 3);
    write(tmp, results);
    JsonNode root = JSON.readTree(tmp.resolve("summary.json").toFile());
    assertEquals("writer", root.get("scenario").asText());
    assertEquals(3, root.get("replications").asInt());
    assertFalse(root.get("invariant").get("ok").asBoolean());
    JsonNode violation = root.get("invariant").get("violations").get(0);
    assertEquals(1, violation.get("replication").asInt());
    assertEquals(results.get(1).invariantViolation(), violation.get("message").asText());

    Map<String, Replications.Stats> stats = Replications.statistics(results);
    List<String> names = new ArrayList<>();
    root.get("metrics").fieldNames().forEachRemaining(names::add);
    assertEquals(new ArrayList<>(stats.keySet()), names, "metrics keep report order");
    stats.forEach((name, s) -> {
      JsonNode m = root.get("metrics").get(name);
      assertEquals(s.mean(), m.get("mean").asDouble(), 0, name);
      assertEquals(s.stdDev(), m.get("std_dev").asDouble(), 0, name);
      assertEquals(s.ci95(), m.get("ci95").asDouble(), 0, name);
      assertEquals(3, m.get("n").asInt());
    });
    for (int r = 0; r < 3; r++) {
      JsonNode run = root.get("runs").get(r);
      assertEquals(r, run.get("replication").asInt());
      assertEquals(results.get(r).seed(), run.get("seed").asLong());
      Iterator<Map.Entry<String, JsonNode>> fields = run.get("summary").properties().iterator();
      for (Map.Entry<String, Double> e : results.get(r).summary().entrySet()) {
        Map.Entry<String, JsonNode> f = fields.next();
        assertEquals(e.getKey(), f.getKey());
        assertEquals(e.getValue(), f.getValue().asDouble(), 0, e.getKey());
      }
    }
  }

  @Test
  void oneReplicationWritesNullForTheUndefinedInterval(@TempDir Path tmp) throws Exception {
    write(tmp, run(new FakeRunner(), 1));
    JsonNode m = JSON.readTree(tmp.resolve("summary.json").toFile()).get("metrics").get("plays");
    assertTrue(m.get("ci95").isNull());
    assertTrue(m.get("std_dev").isNull());
    assertTrue(JSON.readTree(tmp.resolve("summary.json").toFile()).get("invariant").get("ok").asBoolean());
  }

  @Test
  void manifestRecordsTheRun(@TempDir Path tmp) throws Exception {
    List<RunResult> results = run(new FakeRunner(), 2);
    Instant started = Instant.parse("2024-05-01T12:00:00Z");
    ResultsWriter.write(tmp, SCENARIO, results, Replications.statistics(results), started);
    JsonNode root = JSON.readTree(tmp.resolve("manifest.json").toFile());
    assertEquals("writer", root.get("scenario").asText());
    assertEquals("2024-05-01T12:00:00Z", root.get("start_time").asText());
    assertEquals("dev", root.get("chorus_version").asText());
    assertTrue(root.get("java_version").asText().startsWith(System.getProperty("java.version")));
    assertEquals(2, root.get("replications").asInt());
    assertEquals(results.get(1).seed(), root.get("seeds").get(1).asLong());
    assertEquals(results.get(0).events(), root.get("runs").get(0).get("events").asLong());
    assertTrue(root.get("runs").get(0).get("wall_seconds").asDouble() > 0);
    JsonNode values = root.get("scenario_values");
    assertEquals(ScenarioFile.keys().size(), values.size());
    assertEquals("20", values.get("sim.peers").asText());
    assertEquals("3h", values.get("sim.duration").asText());
  }

  @Test
  void sameScenarioAndSeedGiveByteIdenticalSummaryAndSeries(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    write(a, run(new FakeRunner(), 3));
    write(b, run(new FakeRunner(), 3)); // wall times differ: the fake adds noise to them
    for (String f : List.of("summary.json", "timeseries.csv")) {
      assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    }
  }

  @Test
  void refusesANonEmptyDirectoryUnlessForced(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("old.txt"), "x");
    IOException e = assertThrows(IOException.class, () -> ResultsWriter.prepare(tmp, false));
    assertTrue(e.getMessage().contains("--force"), e.getMessage());
    ResultsWriter.prepare(tmp, true);
    Path file = tmp.resolve("old.txt");
    assertThrows(IOException.class, () -> ResultsWriter.prepare(file, true));
    ResultsWriter.prepare(tmp.resolve("new/nested"), false);
    assertTrue(Files.isDirectory(tmp.resolve("new/nested")));
  }

  @Test
  void numbersHaveOneLocaleFreeForm() {
    assertEquals("1234567", ResultsWriter.csvNumber(1234567.0));
    assertEquals("0.25", ResultsWriter.csvNumber(0.25));
    assertEquals("NaN", ResultsWriter.csvNumber(Double.NaN));
    assertEquals("-3", ResultsWriter.csvNumber(-3.0));
  }
}
