package dev.chorus.protocol.noise;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which implementation each {@link NoiseDh} uses, chosen once per process. X25519 runs in
 * libsodium when the system has it and in Bouncy Castle otherwise; the system property
 * {@value #PROPERTY} forces one: {@code libsodium} (fails when it is missing), {@code bouncycastle},
 * or {@code auto} (the default).
 */
final class DhFunctions {
  static final String PROPERTY = "chorus.noise.x25519";
  private static final Logger LOG = LoggerFactory.getLogger(DhFunctions.class);

  private DhFunctions() {}

  /** Loaded on first use of X25519, so that an X448-only caller never loads native code. */
  private static final class X25519Holder {
    static final DhFunction SELECTED =
        selectX25519(System.getProperty(PROPERTY, "auto"), SodiumX25519.loadFailure());
  }

  static DhFunction of(NoiseDh dh) {
    return dh == NoiseDh.X25519 ? X25519Holder.SELECTED : BouncyCastleDh.X448_BC;
  }

  /**
   * The X25519 implementation for a {@value #PROPERTY} value, given why libsodium cannot be used
   * ({@code sodiumFailure}, null when it can).
   */
  static DhFunction selectX25519(String choice, String sodiumFailure) {
    switch (choice.trim().toLowerCase(Locale.ROOT)) {
      case "libsodium":
        if (sodiumFailure != null) {
          throw new IllegalStateException("-D" + PROPERTY + "=libsodium, but " + sodiumFailure
              + "; or use -D" + PROPERTY + "=auto");
        }
        return SodiumX25519.load();
      case "bouncycastle":
        return BouncyCastleDh.X25519_BC;
      case "auto":
        if (sodiumFailure == null) {
          return SodiumX25519.load();
        }
        LOG.info("X25519 in Bouncy Castle (pure Java, about half the handshakes per core): {}",
            sodiumFailure);
        return BouncyCastleDh.X25519_BC;
      default:
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + choice
            + " is not one of auto, libsodium, bouncycastle");
    }
  }
}
