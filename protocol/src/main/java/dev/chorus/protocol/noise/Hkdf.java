package dev.chorus.protocol.noise;

import java.util.Arrays;

/**
 * HMAC-HASH (RFC 2104) and the Noise HKDF of spec section 4.3, over one {@link HashFunction}.
 * Noise keys HMAC with BLAKE2 the plain RFC 2104 way, not with BLAKE2's built-in keying.
 */
final class Hkdf {
  private static final byte IPAD = 0x36;
  private static final byte OPAD = 0x5c;

  private final HashFunction.Hasher hasher;
  private final int hashLength;
  private final byte[] block;
  private final byte[] inner;

  Hkdf(HashFunction hash) {
    this.hasher = hash.newHasher();
    this.hashLength = hash.hashLength();
    this.block = new byte[hash.blockLength()];
    this.inner = new byte[hashLength];
  }

  /** HASH(a || b); b may be null. */
  byte[] hash(byte[] a, byte[] b) {
    hasher.update(a);
    if (b != null) {
      hasher.update(b);
    }
    byte[] out = new byte[hashLength];
    hasher.finish(out, 0);
    return out;
  }

  /** HMAC-HASH(key, data1 || data2); data2 may be null. */
  byte[] hmac(byte[] key, byte[] data1, byte[] data2) {
    byte[] out = new byte[hashLength];
    padKey(key, IPAD);
    hasher.update(block);
    hasher.update(data1);
    if (data2 != null) {
      hasher.update(data2);
    }
    hasher.finish(inner, 0);
    padKey(key, OPAD);
    hasher.update(block);
    hasher.update(inner);
    hasher.finish(out, 0);
    Arrays.fill(block, (byte) 0);
    Arrays.fill(inner, (byte) 0);
    return out;
  }

  /** Fills {@link #block} with (key padded with zeros to BLOCKLEN) XOR pad. */
  private void padKey(byte[] key, byte pad) {
    Arrays.fill(block, (byte) 0);
    if (key.length > block.length) {
      hasher.update(key);
      hasher.finish(block, 0);
    } else {
      System.arraycopy(key, 0, block, 0, key.length);
    }
    for (int i = 0; i < block.length; i++) {
      block[i] ^= pad;
    }
  }

  /**
   * HKDF(chainingKey, inputKeyMaterial, outputs) for 2 or 3 outputs of HASHLEN bytes each. The
   * temporary key is wiped; the caller owns (and should wipe) the outputs.
   */
  byte[][] derive(byte[] chainingKey, byte[] inputKeyMaterial, int outputs) {
    byte[] tempKey = hmac(chainingKey, inputKeyMaterial, null);
    byte[][] out = new byte[outputs][];
    out[0] = hmac(tempKey, new byte[] {1}, null);
    for (int i = 1; i < outputs; i++) {
      out[i] = hmac(tempKey, out[i - 1], new byte[] {(byte) (i + 1)});
    }
    Arrays.fill(tempKey, (byte) 0);
    return out;
  }
}
