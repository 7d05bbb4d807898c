package dev.chorus.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.chorus.testing.process.Programs;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The programs tests need (redis-server, nginx, ffmpeg, promtool…), found by {@link Programs}: on
 * PATH or in the usual system directories. A missing one skips the test with the command that
 * installs it; when the environment variable CI is {@code true} (CI installs them all) it fails the
 * test instead.
 */
public final class ExternalTool {
  private ExternalTool() {}

  /** The path of {@code program}, or a failed/aborted test saying to install {@code debianPackage}. */
  public static Path require(String program, String debianPackage) {
    Optional<Path> found = Programs.find(program);
    if (found.isPresent()) {
      return found.get();
    }
    String message = Programs.notInstalled(program, debianPackage);
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message + " (CI=true: missing tools fail the build)");
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }
}
