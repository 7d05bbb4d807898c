package dev.chorus.node.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds a program the tests need, on PATH or in the usual system directories (daemons such as
 * nginx live in /usr/sbin, which is not on every user's PATH). Missing: with CI=true the test
 * fails (CI installs it), elsewhere it is skipped with the command to install it.
 */
public final class ExternalTool {
  private static final List<Path> SYSTEM_DIRS = List.of(Path.of("/usr/local/sbin"),
      Path.of("/usr/local/bin"), Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"),
      Path.of("/bin"));

  private ExternalTool() {}

  /** The path of {@code program}, or a failed/aborted test saying to install {@code debianPackage}. */
  public static Path require(String program, String debianPackage) {
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          dirs.add(Path.of(dir));
        }
      }
    }
    dirs.addAll(SYSTEM_DIRS);
    for (Path dir : dirs) {
      Path candidate = dir.resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String message = program + " is not installed (not on PATH nor in /usr/sbin); install it with: "
        + "apt-get install " + debianPackage;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message + " (CI=true: missing tools fail the build)");
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }
}
