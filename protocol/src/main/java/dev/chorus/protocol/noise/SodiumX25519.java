package dev.chorus.protocol.noise;

import com.sun.jna.Native;
import java.security.SecureRandom;

/**
 * X25519 in libsodium (the system's {@code libsodium.so.23} on Debian, package {@code libsodium23}),
 * called through JNA's direct mapping. Its DH (variable-base) multiplication is faster than Bouncy
 * Castle's pure Java, and DH is what bounds the handshakes a core can do: about twice as many
 * handshakes per core (bench/README.md, {@code noise_xx_handshakes_*}). Private keys are still drawn in Java (from the
 * caller's SecureRandom, so tests stay deterministic) and clamped as Bouncy Castle does; libsodium
 * clamps again, which changes nothing.
 */
final class SodiumX25519 implements DhFunction {
  private static final int KEY_LENGTH = 32;

  private static final SodiumX25519 INSTANCE = new SodiumX25519();
  private static final String LOAD_FAILURE = bind(SodiumLibrary.NAMES);

  private SodiumX25519() {}

  /** The binding, or an exception saying why libsodium cannot be used here and what to install. */
  static SodiumX25519 load() {
    if (LOAD_FAILURE != null) {
      throw new UnsatisfiedLinkError(LOAD_FAILURE);
    }
    return INSTANCE;
  }

  /** Why libsodium cannot be used, or null when it can. */
  static String loadFailure() {
    return LOAD_FAILURE;
  }

  /** Binds {@link Binding} to the first of {@code names} that loads; null, or why none could be used. */
  static String bind(String... names) {
    return SodiumLibrary.register(Binding.class, Binding::sodium_init, names);
  }

  /** The C functions, bound by {@link Native#register} (direct mapping: no proxy per call). */
  @SuppressWarnings("checkstyle:MethodName")
  static final class Binding {
    private Binding() {}

    static native int sodium_init();

    static native int crypto_scalarmult_curve25519(byte[] q, byte[] n, byte[] p);

    static native int crypto_scalarmult_curve25519_base(byte[] q, byte[] n);
  }

  @Override
  public NoiseDh dh() {
    return NoiseDh.X25519;
  }

  @Override
  public String implementation() {
    return "libsodium";
  }

  @Override
  public void generatePrivateKey(SecureRandom random, byte[] privateKey) {
    BouncyCastleDh.X25519_BC.generatePrivateKey(random, privateKey);
  }

  @Override
  public byte[] publicKeyOf(byte[] privateKey) {
    requireLength(privateKey, "private key");
    byte[] publicKey = new byte[KEY_LENGTH];
    if (Binding.crypto_scalarmult_curve25519_base(publicKey, privateKey) != 0) {
      throw new IllegalStateException("libsodium refused to compute an X25519 public key");
    }
    return publicKey;
  }

  @Override
  public byte[] agree(byte[] privateKey, byte[] publicKey) {
    requireLength(privateKey, "private key");
    requireLength(publicKey, "public key");
    byte[] shared = new byte[KEY_LENGTH];
    // libsodium returns -1 exactly when the output is all zeros (a small-order public key).
    return Binding.crypto_scalarmult_curve25519(shared, privateKey, publicKey) == 0 ? shared : null;
  }

  private static void requireLength(byte[] key, String what) {
    if (key.length != KEY_LENGTH) {
      // Native code reads 32 bytes whatever the array's length: never hand it a shorter one.
      throw new IllegalArgumentException("X25519 " + what + " must be 32 bytes, was " + key.length);
    }
  }
}
