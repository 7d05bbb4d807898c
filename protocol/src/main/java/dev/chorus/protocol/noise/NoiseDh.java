package dev.chorus.protocol.noise;

import java.security.SecureRandom;

/** The Diffie-Hellman functions of Noise spec section 12 (Bouncy Castle's RFC 7748 code). */
public enum NoiseDh {
  /** Curve25519, DHLEN = 32. */
  X25519("25519", 32),
  /** Curve448, DHLEN = 56. */
  X448("448", 56);

  private final String noiseName;
  private final int keyLength;

  NoiseDh(String noiseName, int keyLength) {
    this.noiseName = noiseName;
    this.keyLength = keyLength;
  }

  /** The name used in Noise protocol names: {@code 25519} or {@code 448}. */
  public String noiseName() {
    return noiseName;
  }

  /** DHLEN: the length of public keys, private keys and DH outputs, in bytes. */
  public int keyLength() {
    return keyLength;
  }

  static NoiseDh fromNoiseName(String name) {
    for (NoiseDh dh : values()) {
      if (dh.noiseName.equals(name)) {
        return dh;
      }
    }
    return null;
  }

  void generatePrivateKey(SecureRandom random, byte[] privateKey) {
    if (this == X25519) {
      org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(random, privateKey);
    } else {
      org.bouncycastle.math.ec.rfc7748.X448.generatePrivateKey(random, privateKey);
    }
  }

  byte[] publicKeyOf(byte[] privateKey) {
    byte[] publicKey = new byte[keyLength];
    if (this == X25519) {
      org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(privateKey, 0, publicKey, 0);
    } else {
      org.bouncycastle.math.ec.rfc7748.X448.generatePublicKey(privateKey, 0, publicKey, 0);
    }
    return publicKey;
  }

  /**
   * DH(privateKey, publicKey) into a new array, or null when the output is all zeros, i.e. the
   * public key is a small-order point, which we reject (spec section 12.1 allows this).
   */
  byte[] agree(byte[] privateKey, byte[] publicKey) {
    byte[] shared = new byte[keyLength];
    boolean ok = this == X25519
        ? org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0)
        : org.bouncycastle.math.ec.rfc7748.X448.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0);
    return ok ? shared : null;
  }
}
