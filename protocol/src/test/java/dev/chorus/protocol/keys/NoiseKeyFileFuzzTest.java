package dev.chorus.protocol.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.protocol.noise.NoiseKeyPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any file content as a Noise key file: a 32-byte key pair or an {@link IOException} that says
 * what a key file holds, never anything else. Seeds in {@code NoiseKeyFileFuzzTestInputs/}; for a
 * fuzzing run see README.md (Testing).
 */
class NoiseKeyFileFuzzTest {
  private static final Path FILE = tempFile();

  @FuzzTest(maxDuration = "30s")
  void readsOrRefusesWithAnIoError(byte[] content) throws IOException {
    Files.write(FILE, content);
    NoiseKeyPair key;
    try {
      key = NoiseKeyFile.read(FILE);
    } catch (IOException e) {
      assertNotNull(e.getMessage());
      return;
    }
    assertEquals(32, key.privateKey().length);
    assertEquals(32, key.publicKey().length);
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempFile("noise-key-fuzz", ".key");
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
