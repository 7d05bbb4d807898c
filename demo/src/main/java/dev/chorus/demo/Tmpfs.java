package dev.chorus.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited tmpfs ({@code mount -t tmpfs -o size=…}), a real small filesystem that fills up.
 * Mounting needs root; without it {@link #mount} returns null after saying so, or fails under
 * {@code CI=true}, where the soak must measure the full disk.
 */
final class Tmpfs implements AutoCloseable {
  private final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  static Tmpfs mount(Path dir, long bytes, PrintStream out) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    String error = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs", dir.toString()));
    if (error != null) {
      String why = "cannot mount a " + bytes / (1 << 20) + " MiB tmpfs at " + dir + " (" + error
          + "); the soak needs root for its full-disk node";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(why + " (CI=true: failing, not skipping)");
      }
      out.println("tmpfs: " + why + "; running without it");
      return null;
    }
    out.println("tmpfs: " + bytes / (1 << 20) + " MiB at " + dir + " holds node 1's cache");
    return new Tmpfs(dir);
  }

  Path dir() {
    return dir;
  }

  /** Unmounts (lazily if something still holds a file open). */
  @Override
  public void close() {
    try {
      if (run(List.of("umount", dir.toString())) != null) {
        run(List.of("umount", "-l", dir.toString()));
      }
    } catch (IOException e) {
      // nothing more to try
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a command; null if it succeeded, else its output. */
  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "timed out";
    }
    return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + output;
  }
}
