package dev.chorus.protocol.noise;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A Diffie-Hellman key pair for one {@link NoiseDh}. Accessors return copies; {@link #toString()}
 * shows only the public key.
 */
public final class NoiseKeyPair {
  private final NoiseDh dh;
  private final byte[] privateKey;
  private final byte[] publicKey;

  private NoiseKeyPair(NoiseDh dh, byte[] privateKey, byte[] publicKey) {
    this.dh = dh;
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** A fresh random key pair. */
  public static NoiseKeyPair generate(NoiseDh dh, SecureRandom random) {
    Objects.requireNonNull(dh, "dh");
    return generate(dh.function(), random);
  }

  /** A fresh random key pair computed by {@code function}. */
  static NoiseKeyPair generate(DhFunction function, SecureRandom random) {
    Objects.requireNonNull(random, "random");
    byte[] privateKey = new byte[function.dh().keyLength()];
    function.generatePrivateKey(random, privateKey);
    return new NoiseKeyPair(function.dh(), privateKey, function.publicKeyOf(privateKey));
  }

  /** The key pair whose private key is {@code privateKey} (copied; DHLEN bytes). */
  public static NoiseKeyPair fromPrivateKey(NoiseDh dh, byte[] privateKey) {
    Objects.requireNonNull(dh, "dh");
    return fromPrivateKey(dh.function(), privateKey);
  }

  /** The key pair whose private key is {@code privateKey}, its public key computed by {@code function}. */
  static NoiseKeyPair fromPrivateKey(DhFunction function, byte[] privateKey) {
    NoiseDh dh = function.dh();
    Objects.requireNonNull(privateKey, "privateKey");
    if (privateKey.length != dh.keyLength()) {
      throw new IllegalArgumentException(
          dh + " private key must be " + dh.keyLength() + " bytes, was " + privateKey.length);
    }
    byte[] copy = privateKey.clone();
    return new NoiseKeyPair(dh, copy, function.publicKeyOf(copy));
  }

  /** A fresh random X25519 key pair. */
  public static NoiseKeyPair generateX25519(SecureRandom random) {
    return generate(NoiseDh.X25519, random);
  }

  /** The X25519 key pair whose private key is {@code privateKey} (32 bytes). */
  public static NoiseKeyPair fromPrivateKeyX25519(byte[] privateKey) {
    return fromPrivateKey(NoiseDh.X25519, privateKey);
  }

  public NoiseDh dh() {
    return dh;
  }

  /** A copy of the public key (DHLEN bytes). */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** A copy of the private key (DHLEN bytes). */
  public byte[] privateKey() {
    return privateKey.clone();
  }

  /** An independent copy the handshake owns and may {@link #wipe()}. */
  NoiseKeyPair copy() {
    return new NoiseKeyPair(dh, privateKey.clone(), publicKey.clone());
  }

  /** The private key without copying; callers must not modify or leak it. */
  byte[] privateKeyUnsafe() {
    return privateKey;
  }

  /** The public key without copying; callers must not modify it. */
  byte[] publicKeyUnsafe() {
    return publicKey;
  }

  /** Overwrites the private key with zeros. Only for copies owned by a handshake. */
  void wipe() {
    Arrays.fill(privateKey, (byte) 0);
  }

  @Override
  public String toString() {
    return "NoiseKeyPair[" + dh + ", public=" + HexFormat.of().formatHex(publicKey) + "]";
  }
}
