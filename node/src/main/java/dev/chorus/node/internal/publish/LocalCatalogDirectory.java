package dev.chorus.node.internal.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A catalog in a local directory. Every object is written to a temporary file in its directory
 * and renamed into place, so a server never serves half a file. Objects are always (re)written:
 * the same content gives the same bytes.
 */
final class LocalCatalogDirectory implements CatalogDestination {
  private final Path root;

  LocalCatalogDirectory(Path root) {
    this.root = root;
  }

  @Override
  public byte[] readIndex() throws IOException {
    try {
      return Files.readAllBytes(root.resolve(CatalogIndex.FILE_NAME));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public Path stagingDirectory() throws IOException {
    return Files.createDirectories(root.resolve(CatalogPublisher.AUDIO_DIR));
  }

  @Override
  public boolean putFile(String key, Path staged, String sha256Hex, ObjectType type) throws IOException {
    Path target = root.resolve(key);
    Files.createDirectories(target.getParent());
    CatalogFiles.moveAtomically(staged, target);
    return true;
  }

  @Override
  public boolean putBytes(String key, byte[] bytes, ObjectType type) throws IOException {
    CatalogFiles.writeAtomically(root.resolve(key), bytes);
    return true;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return root.toString();
  }
}
