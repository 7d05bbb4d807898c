package dev.chorus.node.internal.publish;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/** File writes that never leave a half-written object where a server could serve it. */
final class CatalogFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private CatalogFiles() {}

  /** Writes {@code bytes} to a temporary file next to {@code target}, then renames it over it. */
  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = newTempFile(dir);
    try {
      Files.write(tmp, bytes);
      moveAtomically(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * A new empty file {@code dir/.tmp-<random>.part}, with the permissions of any new file (the
   * umask; not {@code Files.createTempFile}'s owner-only ones, which a web server could not read).
   */
  static Path newTempFile(Path dir) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve(".tmp-" + Long.toHexString(RANDOM.nextLong()) + ".part");
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  /** Renames {@code source} over {@code target} (same directory tree, same file system). */
  static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
