package dev.chorus.testing.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The launcher on /bin/sh: started, ready, stopped, its directory gone; failures say why. */
class ServerProcessTest {
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final Duration START = Duration.ofSeconds(10);

  private static List<String> sh(String script) {
    return List.of(Programs.find("sh").orElseThrow().toString(), "-c", script);
  }

  @Test
  void runsUntilClosedAndCleansUp() throws Exception {
    Path dir = Files.createTempDirectory("chorus-server-test-");
    ServerProcess p = ServerProcess.start("sleeper", dir, sh("echo started; exec sleep 60"), GRACE, START,
        () -> true);
    ProcessHandle handle = ProcessHandle.of(p.pid()).orElseThrow();
    assertTrue(handle.isAlive());
    assertEquals("sleeper", p.toString());
    p.close();
    assertFalse(handle.isAlive(), "stopped");
    assertFalse(Files.exists(dir), "directory deleted");
    p.close(); // idempotent
  }

  @Test
  void aServerThatExitsFailsWithItsOutput() throws IOException {
    Path dir = Files.createTempDirectory("chorus-server-test-");
    IOException e = assertThrows(IOException.class, () -> ServerProcess.start("quitter", dir,
        sh("echo cannot bind; exit 3"), GRACE, START, () -> false));
    assertTrue(e.getMessage().contains("quitter exited with 3"), e.getMessage());
    assertTrue(e.getMessage().contains("cannot bind"), e.getMessage());
    assertFalse(Files.exists(dir));
  }

  @Test
  void aServerNeverReadyIsStopped() throws IOException {
    Path dir = Files.createTempDirectory("chorus-server-test-");
    IOException e = assertThrows(IOException.class, () -> ServerProcess.start("mute", dir,
        sh("exec sleep 60"), GRACE, Duration.ofMillis(200), () -> false));
    assertTrue(e.getMessage().contains("mute was not ready within PT0.2S"), e.getMessage());
    assertFalse(Files.exists(dir));
  }

  @Test
  void aTakenPortIsTriedAgainUpToThreeTimes() throws IOException {
    AtomicInteger attempts = new AtomicInteger();
    IOException e = assertThrows(IOException.class, () -> ServerProcess.onFreePort(port -> {
      assertTrue(port > 0);
      throw new IOException("attempt " + attempts.incrementAndGet());
    }));
    assertEquals("attempt 3", e.getMessage());

    AtomicInteger tries = new AtomicInteger();
    String started = ServerProcess.onFreePort(port -> {
      if (tries.incrementAndGet() < 2) {
        throw new IOException("taken");
      }
      return "started on " + port;
    });
    assertTrue(started.startsWith("started on "), started);
    assertEquals(2, tries.get());
  }
}
