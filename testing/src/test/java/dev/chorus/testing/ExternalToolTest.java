package dev.chorus.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing program skips the test, or fails it with CI=true (whichever this JVM runs under). */
class ExternalToolTest {
  @Test
  void anInstalledProgramIsFound() {
    assertTrue(Files.isExecutable(ExternalTool.require("sh", "dash")));
  }

  @Test
  void aMissingProgramSkipsOrUnderCiFails() {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    // Under CI the failure is an AssertionFailedError (an Error), else a TestAbortedException.
    Throwable e = assertThrows(Throwable.class,
        () -> ExternalTool.require("chorus-no-such-program", "chorus-pkg"));
    Class<?> expected = ci ? AssertionFailedError.class : TestAbortedException.class;
    assertEquals(expected, e.getClass());
    assertTrue(e.getMessage().contains("install it with: apt-get install chorus-pkg"), e.getMessage());
    assertEquals(ci, e.getMessage().contains("CI=true: missing tools fail the build"), e.getMessage());
  }
}
