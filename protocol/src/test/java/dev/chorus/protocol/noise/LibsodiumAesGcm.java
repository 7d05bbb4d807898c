package dev.chorus.protocol.noise;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * libsodium's AES-GCM for tests: a test that needs it is skipped where the system has no
 * libsodium (or the CPU no AES-NI), and fails instead when the environment variable CI is
 * {@code true}. Also fails when the tests run with {@code -Dchorus.noise.aesgcm=jdk}, which
 * would leave the native path untested silently.
 */
final class LibsodiumAesGcm {
  private LibsodiumAesGcm() {}

  static void require() {
    String failure = SodiumAesGcm.loadFailure();
    if (failure == null) {
      if (!SodiumAesGcm.selected()) {
        fail("libsodium's AES-GCM loads but -D" + SodiumAesGcm.PROPERTY + " deselected it");
      }
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(failure + " (CI=true: the native AES-GCM path must be tested; .ci/run installs libsodium23)");
    }
    Assumptions.abort(failure);
  }
}
