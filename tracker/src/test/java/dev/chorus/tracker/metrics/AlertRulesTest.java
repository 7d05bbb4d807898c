package dev.chorus.tracker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.ExternalTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The alerting rules shipped in tracker/prometheus pass promtool's checks and their unit tests. */
class AlertRulesTest {
  static final Path RULES_DIR = Path.of("prometheus");
  static final Path RULES = RULES_DIR.resolve("chorus-alerts.yml");

  @Test
  void rulesAreValid() throws Exception {
    String output = promtool(RULES_DIR, "check", "rules", RULES.getFileName().toString());
    assertTrue(output.contains("SUCCESS: 5 rules found"), output);
  }

  @Test
  void rulesPassTheirUnitTests() throws Exception {
    String output = promtool(RULES_DIR, "test", "rules", "chorus-alerts.test.yml");
    assertTrue(output.contains("SUCCESS"), output);
  }

  private static String promtool(Path dir, String... args) throws Exception {
    assertTrue(Files.isRegularFile(RULES), "run from the tracker module: " + RULES.toAbsolutePath());
    Path promtool = ExternalTool.require("promtool", "prometheus");
    String[] command = new String[args.length + 1];
    command[0] = promtool.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool finished");
    assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + " said:\n" + output);
    return output;
  }
}
