package dev.chorus.testing.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class ProgramsTest {
  @Test
  void findsAnInstalledProgram() {
    assertTrue(Files.isExecutable(Programs.find("sh").orElseThrow()));
  }

  @Test
  void aMissingProgramSaysHowToInstallIt() {
    assertTrue(Programs.find("chorus-no-such-program").isEmpty());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Programs.require("chorus-no-such-program", "chorus-pkg"));
    assertEquals("chorus-no-such-program is not installed (not on PATH nor in /usr/sbin); install it with: "
        + "apt-get install chorus-pkg", e.getMessage());
  }

  @Test
  void aFreePortCanBeBoundOnLoopback() throws Exception {
    int port = FreePorts.loopback();
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertEquals(port, s.getLocalPort());
    }
  }
}
