package dev.chorus.protocol.noise;

import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc7748.X448;

/** RFC 7748 in Bouncy Castle's pure Java: runs everywhere, the fallback for X25519. */
enum BouncyCastleDh implements DhFunction {
  X25519_BC(NoiseDh.X25519) {
    @Override
    public void generatePrivateKey(SecureRandom random, byte[] privateKey) {
      X25519.generatePrivateKey(random, privateKey);
    }

    @Override
    public byte[] publicKeyOf(byte[] privateKey) {
      byte[] publicKey = new byte[X25519.POINT_SIZE];
      X25519.generatePublicKey(privateKey, 0, publicKey, 0);
      return publicKey;
    }

    @Override
    public byte[] agree(byte[] privateKey, byte[] publicKey) {
      byte[] shared = new byte[X25519.POINT_SIZE];
      return X25519.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0) ? shared : null;
    }
  },
  X448_BC(NoiseDh.X448) {
    @Override
    public void generatePrivateKey(SecureRandom random, byte[] privateKey) {
      X448.generatePrivateKey(random, privateKey);
    }

    @Override
    public byte[] publicKeyOf(byte[] privateKey) {
      byte[] publicKey = new byte[X448.POINT_SIZE];
      X448.generatePublicKey(privateKey, 0, publicKey, 0);
      return publicKey;
    }

    @Override
    public byte[] agree(byte[] privateKey, byte[] publicKey) {
      byte[] shared = new byte[X448.POINT_SIZE];
      return X448.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0) ? shared : null;
    }
  };

  private final NoiseDh dh;

  BouncyCastleDh(NoiseDh dh) {
    this.dh = dh;
  }

  @Override
  public NoiseDh dh() {
    return dh;
  }

  @Override
  public String implementation() {
    return "bouncycastle";
  }
}
