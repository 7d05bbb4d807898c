package dev.chorus.protocol.noise;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * The cipher functions of Noise spec section 12.3-12.4, both from the JDK's own provider (which
 * has AES-NI/CLMUL intrinsics for GCM). The 96-bit nonce is 32 zero bits followed by the 64-bit
 * counter: big-endian for AESGCM, little-endian for ChaChaPoly.
 */
enum CipherFunction {
  AESGCM("AESGCM", "AES/GCM/NoPadding", "AES"),
  ChaChaPoly("ChaChaPoly", "ChaCha20-Poly1305", "ChaCha20");

  static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;

  private final String noiseName;
  private final String transformation;
  private final String keyAlgorithm;
  /** The provider of {@link #transformation}, once found (a benign race: any thread's is right). */
  private volatile Provider provider;

  CipherFunction(String noiseName, String transformation, String keyAlgorithm) {
    this.noiseName = noiseName;
    this.transformation = transformation;
    this.keyAlgorithm = keyAlgorithm;
  }

  String noiseName() {
    return noiseName;
  }

  String keyAlgorithm() {
    return keyAlgorithm;
  }

  static CipherFunction fromNoiseName(String name) {
    for (CipherFunction cipher : values()) {
      if (cipher.noiseName.equals(name)) {
        return cipher;
      }
    }
    return null;
  }

  /**
   * A new JCE cipher; callers keep one per CipherState and re-initialise it per message. From the
   * provider found for the first one: looking it up among all providers every time was a tenth of
   * a server's CPU time per accepted handshake (three ciphers a handshake).
   */
  Cipher newCipher() {
    try {
      Provider known = provider;
      if (known == null) {
        Cipher first = Cipher.getInstance(transformation);
        provider = first.getProvider();
        return first;
      }
      return Cipher.getInstance(transformation, known);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + transformation, e);
    }
  }

  /** Writes the 12-byte nonce for counter {@code n} into {@code nonce} (bytes 0..3 stay zero). */
  void encodeNonce(long n, byte[] nonce) {
    for (int i = 0; i < 8; i++) {
      int shift = this == AESGCM ? 56 - 8 * i : 8 * i;
      nonce[4 + i] = (byte) (n >>> shift);
    }
  }

  /**
   * The JCE parameters for one message. The JCE offers no way to change the IV without a new
   * spec object (both specs copy the array), so this is the one unavoidable per-message
   * allocation besides the provider's own.
   */
  AlgorithmParameterSpec parameters(byte[] nonce) {
    return this == AESGCM ? new GCMParameterSpec(TAG_BITS, nonce) : new IvParameterSpec(nonce);
  }
}
