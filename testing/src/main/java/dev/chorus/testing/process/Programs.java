package dev.chorus.testing.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds an installed program: on PATH first, then in the usual system directories (daemons such
 * as nginx and redis-server live in /usr/sbin or /usr/bin, and /usr/sbin is not on every user's
 * PATH). Tests ask through {@link dev.chorus.testing.ExternalTool}, which skips or fails a test
 * whose program is missing.
 */
public final class Programs {
  private static final List<Path> SYSTEM_DIRS = List.of(Path.of("/usr/local/sbin"),
      Path.of("/usr/local/bin"), Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"),
      Path.of("/bin"));

  private Programs() {}

  /** The path of the executable file {@code program}, if there is one. */
  public static Optional<Path> find(String program) {
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
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The path of {@code program}.
   *
   * @throws IllegalStateException saying how to install it (Debian package {@code debianPackage})
   */
  public static Path require(String program, String debianPackage) {
    return find(program).orElseThrow(() -> new IllegalStateException(notInstalled(program, debianPackage)));
  }

  /** What to say when {@code program} is missing: where it was looked for and how to install it. */
  public static String notInstalled(String program, String debianPackage) {
    return program + " is not installed (not on PATH nor in /usr/sbin); install it with: apt-get install "
        + debianPackage;
  }
}
