package dev.chorus.protocol.noise;

/**
 * The Diffie-Hellman functions of Noise spec section 12. Each is computed by a {@link DhFunction}:
 * X25519 by libsodium where the system has it, else by Bouncy Castle; X448 by Bouncy Castle.
 */
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

  /**
   * Which code computes this function in this process: {@code libsodium} or {@code bouncycastle}
   * (X25519 uses libsodium where the system has it; the system property
   * {@code chorus.noise.x25519} forces one).
   */
  public String implementation() {
    return function().implementation();
  }

  DhFunction function() {
    return DhFunctions.of(this);
  }
}
