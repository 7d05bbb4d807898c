package dev.chorus.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Native code the project bundles for some platforms only (Netty's epoll library for Linux
 * x86-64): where it is bundled, not loading is a broken build and fails the test; elsewhere the
 * test is skipped with the reason.
 */
public final class NativeLibrary {
  private NativeLibrary() {}

  /**
   * Passes if {@code what} loads here ({@code loads}); fails the test if it should have
   * ({@code bundledHere}); otherwise aborts it.
   */
  public static void require(String what, boolean loads, boolean bundledHere) {
    if (loads) {
      return;
    }
    if (bundledHere) {
      fail(what + " should load here from the library the project bundles for "
          + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
    }
    Assumptions.abort(what + " does not run on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
  }
}
