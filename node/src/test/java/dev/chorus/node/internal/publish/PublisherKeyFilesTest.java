package dev.chorus.node.internal.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.PublisherKeyPair;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublisherKeyFilesTest {
  @TempDir Path dir;

  @Test
  void writtenOwnerOnlyAndReadBack() throws IOException {
    PublisherKeyPair key = PublisherKeyPair.generate(new SecureRandom());
    Path file = dir.resolve("keys/publisher.key");
    PublisherKeyFiles.write(file, key, false);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(key.toSecretText() + "\n", Files.readString(file));
    assertEquals(key.publicKey(), PublisherKeyFiles.read(file).publicKey());
    assertFalse(PublisherKeyFiles.isExposed(file));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertTrue(PublisherKeyFiles.isExposed(file));
  }

  @Test
  void existingFileIsKeptUnlessOverwriting() throws IOException {
    Path file = dir.resolve("publisher.key");
    PublisherKeyPair first = PublisherKeyPair.generate(new SecureRandom());
    PublisherKeyPair second = PublisherKeyPair.generate(new SecureRandom());
    PublisherKeyFiles.write(file, first, false);
    assertThrows(FileAlreadyExistsException.class, () -> PublisherKeyFiles.write(file, second, false));
    assertEquals(first.publicKey(), PublisherKeyFiles.read(file).publicKey());
    PublisherKeyFiles.write(file, second, true);
    assertEquals(second.publicKey(), PublisherKeyFiles.read(file).publicKey());
    assertNotEquals(first.publicKey(), second.publicKey());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left");
    }
  }

  @Test
  void badFilesAreClearErrorsThatDoNotEchoTheContent() throws IOException {
    Path missing = dir.resolve("missing.key");
    IOException e = assertThrows(IOException.class, () -> PublisherKeyFiles.read(missing));
    assertTrue(e.getMessage().contains("chorus keygen --out"), e.getMessage());
    Path wrong = Files.writeString(dir.resolve("wrong.key"), "chorus-x25519-sec:" + "ab".repeat(32) + "\n");
    e = assertThrows(IOException.class, () -> PublisherKeyFiles.read(wrong));
    assertTrue(e.getMessage().contains("is not a publisher key file"), e.getMessage());
    assertFalse(e.getMessage().contains("abab"), e.getMessage());
  }
}
