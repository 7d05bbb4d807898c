package dev.chorus.tracker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.noise.NoiseKeyPair;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackerMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return TrackerMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void helpListsTheOptions() {
    assertEquals(0, run("--help"));
    String help = out.toString();
    assertTrue(help.contains("Usage: chorus-tracker"), help);
    for (String option : new String[] {"--listen", "--metrics", "--key-file", "--backend", "--redis-uri",
        "--keep-per-track", "--ttl", "--lookup-rate", "--max-connections-per-ip", "--ban-duration", "--idle-timeout"}) {
      assertTrue(help.contains(option), option + " is documented");
    }
  }

  @Test
  void unknownOptionIsAnErrorWithUsage() {
    assertEquals(2, run("--no-such-thing"));
    assertTrue(err.toString().contains("Unknown option: '--no-such-thing'"), err.toString());
  }

  @Test
  void redisBackendNeedsAUri(@TempDir Path dir) {
    assertEquals(2, run("--backend", "redis", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("--backend redis needs --redis-uri"), err.toString());
  }

  @Test
  void badSettingNamesTheSetting(@TempDir Path dir) {
    assertEquals(2, run("--keep-per-track", "0", "--key-file", dir.resolve("k").toString()));
    assertTrue(err.toString().contains("keepPerTrack must be"), err.toString());
  }

  @Test
  void badDurationSaysWhatADurationLooksLike() {
    assertEquals(2, run("--ttl", "soon"));
    assertTrue(err.toString().contains("'soon' is not a duration"), err.toString());
  }

  @Test
  void durationsParse() {
    DurationConverter c = new DurationConverter();
    assertEquals(Duration.ofMillis(500), c.convert("500ms"));
    assertEquals(Duration.ofMinutes(10), c.convert("10m"));
    assertEquals(Duration.ofHours(2), c.convert("2h"));
    assertEquals(Duration.ofMinutes(10), c.convert("PT10M"));
  }

  @Test
  void keyFileIsCreatedPrivateAndReadBack(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("sub/tracker.key");
    NoiseKeyPair created = KeyFiles.loadOrCreate(file, new SecureRandom());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    NoiseKeyPair read = KeyFiles.loadOrCreate(file, new SecureRandom());
    assertEquals(java.util.HexFormat.of().formatHex(created.publicKey()), java.util.HexFormat.of().formatHex(read.publicKey()));
  }

  @Test
  void aBrokenKeyFileSaysWhatItShouldHold(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tracker.key");
    Files.writeString(file, "hello");
    IOException e = assertThrows(IOException.class, () -> KeyFiles.loadOrCreate(file, new SecureRandom()));
    assertTrue(e.getMessage().contains("is not a Chorus key file"), e.getMessage());
  }
}
