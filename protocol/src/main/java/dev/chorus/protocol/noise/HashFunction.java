package dev.chorus.protocol.noise;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/** The hash functions of Noise spec section 12.5-12.8: HASHLEN and BLOCKLEN plus a factory. */
enum HashFunction {
  SHA256("SHA256", 32, 64),
  SHA512("SHA512", 64, 128),
  BLAKE2s("BLAKE2s", 32, 64),
  BLAKE2b("BLAKE2b", 64, 128);

  private final String noiseName;
  private final int hashLength;
  private final int blockLength;

  HashFunction(String noiseName, int hashLength, int blockLength) {
    this.noiseName = noiseName;
    this.hashLength = hashLength;
    this.blockLength = blockLength;
  }

  String noiseName() {
    return noiseName;
  }

  int hashLength() {
    return hashLength;
  }

  int blockLength() {
    return blockLength;
  }

  static HashFunction fromNoiseName(String name) {
    for (HashFunction hash : values()) {
      if (hash.noiseName.equals(name)) {
        return hash;
      }
    }
    return null;
  }

  /** A new, independent hasher. */
  Hasher newHasher() {
    switch (this) {
      case SHA256:
        return new JdkHasher(jdkDigest("SHA-256"));
      case SHA512:
        return new JdkHasher(jdkDigest("SHA-512"));
      case BLAKE2s:
        return new BcHasher(new Blake2sDigest(256));
      case BLAKE2b:
        return new BcHasher(new Blake2bDigest(512));
      default:
        throw new AssertionError(this);
    }
  }

  private static MessageDigest jdkDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + algorithm, e);
    }
  }

  /** Incremental hashing; {@link #finish} writes HASHLEN bytes and resets. */
  interface Hasher {
    void update(byte[] data, int offset, int length);

    void finish(byte[] out, int offset);

    default void update(byte[] data) {
      update(data, 0, data.length);
    }
  }

  private static final class JdkHasher implements Hasher {
    private final MessageDigest digest;

    JdkHasher(MessageDigest digest) {
      this.digest = digest;
    }

    @Override
    public void update(byte[] data, int offset, int length) {
      digest.update(data, offset, length);
    }

    @Override
    public void finish(byte[] out, int offset) {
      try {
        digest.digest(out, offset, digest.getDigestLength());
      } catch (DigestException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final class BcHasher implements Hasher {
    private final Digest digest;

    BcHasher(Digest digest) {
      this.digest = digest;
    }

    @Override
    public void update(byte[] data, int offset, int length) {
      digest.update(data, offset, length);
    }

    @Override
    public void finish(byte[] out, int offset) {
      digest.doFinal(out, offset);
    }
  }
}
