package dev.chorus.node.internal.publish;

import dev.chorus.protocol.manifest.PublisherKeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A publisher's secret key on disk: one line {@code chorus-ed25519-sec:<64 hex digits>} (see
 * {@link PublisherKeyPair#fromText}), readable and writable by its owner only (mode 0600).
 */
public final class PublisherKeyFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private PublisherKeyFiles() {}

  /**
   * Writes {@code key} to {@code path} with mode 0600, creating parent directories.
   *
   * @param overwrite replace an existing file; otherwise an existing file is an error
   * @throws FileAlreadyExistsException if the file exists and {@code overwrite} is false
   */
  public static void write(Path path, PublisherKeyPair key, boolean overwrite) throws IOException {
    Path absolute = path.toAbsolutePath();
    Path dir = absolute.getParent();
    Files.createDirectories(dir);
    byte[] text = (key.toSecretText() + "\n").getBytes(StandardCharsets.US_ASCII);
    if (!overwrite) {
      // Created 0600 from the first byte, and never over an existing file.
      Files.write(Files.createFile(absolute, ownerOnly()), text);
      restrict(absolute);
      return;
    }
    Path tmp = dir.resolve("." + absolute.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Files.deleteIfExists(tmp);
    try {
      Files.write(Files.createFile(tmp, ownerOnly()), text);
      restrict(tmp);
      CatalogFiles.moveAtomically(tmp, absolute);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads the key pair in {@code path}.
   *
   * @throws IOException if the file is missing, unreadable or not a publisher secret key; the
   *     message never shows the file's content
   */
  public static PublisherKeyPair read(Path path) throws IOException {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString(), null,
          "no such key file; make one with: chorus keygen --out " + path);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IOException(path + " is not a publisher key file: expected one line "
          + PublisherKeyPair.TEXT_PREFIX + "<64 hex digits>", e);
    }
    try {
      return PublisherKeyPair.fromText(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(path + " is not a publisher key file: " + e.getMessage(), e);
    }
  }

  /** True if the file is readable or writable by others than its owner (POSIX only). */
  public static boolean isExposed(Path path) throws IOException {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
      for (PosixFilePermission p : perms) {
        if (!OWNER_ONLY.contains(p) && p != PosixFilePermission.OWNER_EXECUTE) {
          return true;
        }
      }
      return false;
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  private static FileAttribute<?>[] ownerOnly() {
    try {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
    } catch (UnsupportedOperationException e) {
      return new FileAttribute<?>[0];
    }
  }

  /** The umask may have taken bits away, never added: set exactly 0600 where POSIX. */
  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }
}
