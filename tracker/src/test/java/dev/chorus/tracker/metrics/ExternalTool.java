package dev.chorus.tracker.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds a program the tests need on PATH. Missing: with CI=true the test fails (CI installs it),
 * elsewhere it is skipped with the command to install it.
 */
final class ExternalTool {
  private ExternalTool() {}

  static Path require(String program, String debianPackage) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, program);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    String message = program + " is not on PATH; install it with: apt-get install " + debianPackage;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message + " (CI=true: missing tools fail the build)");
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }
}
