package dev.chorus.protocol.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.noise.NoiseKeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tracker's and the node's key file (--key-file). */
class NoiseKeyFileTest {
  @Test
  void keyFileIsCreatedPrivateAndReadBack(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("sub/tracker.key");
    NoiseKeyPair created = NoiseKeyFile.loadOrCreate(file, new SecureRandom());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    assertEquals(NoiseKeyFile.PREFIX + HexFormat.of().formatHex(created.privateKey()) + "\n", text);
    NoiseKeyPair read = NoiseKeyFile.loadOrCreate(file, new SecureRandom());
    assertArrayEquals(created.publicKey(), read.publicKey(), "the same identity after a restart");
    assertArrayEquals(created.publicKey(), NoiseKeyFile.read(file).publicKey());
  }

  @Test
  void aBrokenKeyFileSaysWhatItShouldHold(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tracker.key");
    Files.writeString(file, "hello");
    IOException e = assertThrows(IOException.class, () -> NoiseKeyFile.loadOrCreate(file, new SecureRandom()));
    assertTrue(e.getMessage().contains("is not a Chorus key file"), e.getMessage());
    assertEquals("hello", Files.readString(file), "left as it was");
  }

  @Test
  void aKeyThatIsNotHexIsRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("node.key");
    Files.writeString(file, NoiseKeyFile.PREFIX + "zz".repeat(32) + "\n");
    IOException e = assertThrows(IOException.class, () -> NoiseKeyFile.read(file));
    assertTrue(e.getMessage().contains("holds an invalid key"), e.getMessage());
  }
}
