package dev.chorus.protocol.noise;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * libsodium's X25519 for tests: a test that needs it is skipped where the system has no
 * libsodium, and fails instead when the environment variable CI is {@code true} (CI installs
 * {@code libsodium23}, so there the native path is always tested).
 */
final class Libsodium {
  private Libsodium() {}

  static DhFunction require() {
    String failure = SodiumX25519.loadFailure();
    if (failure == null) {
      return SodiumX25519.load();
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(failure + " (CI=true: the native X25519 path must be tested; .ci/run installs libsodium23)");
    }
    Assumptions.abort(failure);
    throw new AssertionError("unreachable");
  }
}
