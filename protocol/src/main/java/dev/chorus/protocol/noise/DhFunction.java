package dev.chorus.protocol.noise;

import java.security.SecureRandom;

/**
 * One implementation of one {@link NoiseDh}: the seam that lets X25519 run in native code where
 * the platform has it (libsodium, {@link SodiumX25519}) and in Bouncy Castle elsewhere.
 */
interface DhFunction {
  NoiseDh dh();

  /** A short name for logs and benchmark lines: {@code libsodium}, {@code bouncycastle}. */
  String implementation();

  /** Fills {@code privateKey} (DHLEN bytes) with a fresh, clamped private key. */
  void generatePrivateKey(SecureRandom random, byte[] privateKey);

  /** The public key of {@code privateKey}, in a new array. */
  byte[] publicKeyOf(byte[] privateKey);

  /**
   * DH(privateKey, publicKey) into a new array, or null when the output is all zeros, i.e. the
   * public key is a small-order point, which we reject (spec section 12.1 allows this).
   */
  byte[] agree(byte[] privateKey, byte[] publicKey);
}
