package dev.chorus.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Any text as a scenario file: a scenario whose effective values (defaults filled in) read back as
 * a valid scenario, or a {@link ScenarioException} that names the file; nothing else (a scenario
 * file is user input, often copied from elsewhere). Seeds: {@code ScenarioFileFuzzTestInputs/} (copies of
 * {@code simulator/scenarios/} and broken variants); for a fuzzing run see README.md (Testing).
 */
class ScenarioFileFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parsesOrRefusesWithAScenarioError(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Scenario scenario;
    try {
      scenario = ScenarioFile.parse("fuzz.scenario", text, Map.of());
    } catch (ScenarioException e) {
      assertNotNull(e.getMessage());
      assertTrue(e.getMessage().contains("fuzz.scenario"), e::getMessage);
      return;
    }
    Map<String, String> values = ScenarioFile.effectiveValues(scenario);
    Scenario again = ScenarioFile.parse("again.scenario", "", values);
    assertNotNull(again);
  }
}
