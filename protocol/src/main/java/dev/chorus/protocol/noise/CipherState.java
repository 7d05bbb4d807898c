package dev.chorus.protocol.noise;

import dev.chorus.protocol.wire.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Noise spec section 5.1: a key k (or none), a 64-bit nonce n, and one reusable JCE cipher.
 * Nonces are unsigned; n = 2^64-1 (-1L) is reserved, so a state whose nonce reaches it refuses
 * to encrypt or decrypt ({@link ErrorCode#NONCE_EXHAUSTED}). A failed decryption leaves n
 * unchanged. Not thread-safe.
 */
final class CipherState {
  static final int KEY_LENGTH = 32;
  static final int TAG_LENGTH = 16;
  static final int MAX_MESSAGE_LENGTH = 65535;
  static final int MAX_PLAINTEXT_LENGTH = MAX_MESSAGE_LENGTH - TAG_LENGTH;
  /** 2^64-1 as an unsigned long: reserved, never used for a message. */
  static final long MAX_NONCE = -1L;

  private static final byte[] THROWAWAY_KEY = "Noise: not a key, only a reset..".getBytes(StandardCharsets.US_ASCII);

  private final CipherFunction function;
  private final Cipher cipher;
  private final byte[] nonceBytes = new byte[CipherFunction.NONCE_LENGTH];
  private byte[] key;
  private SecretKeySpec keySpec;
  /** k expanded for libsodium, made on the first native-memory message after a key change. */
  private SodiumAesGcm.Key nativeKey;
  private long nonce;

  CipherState(CipherFunction function) {
    this.function = function;
    this.cipher = function.newCipher();
  }

  /** InitializeKey: the first 32 bytes of {@code newKey} (copied) become k; n = 0. */
  void initializeKey(byte[] newKey) {
    setKey(Arrays.copyOf(newKey, KEY_LENGTH));
    nonce = 0;
  }

  boolean hasKey() {
    return key != null;
  }

  long nonce() {
    return nonce;
  }

  /** SetNonce; also the test hook for nonce exhaustion. */
  void setNonce(long n) {
    nonce = n;
  }

  /** EncryptWithAd for handshake messages: returns plaintext unchanged (copied) without a key. */
  byte[] encryptWithAd(byte[] ad, byte[] plaintext) throws NoiseException {
    if (!hasKey()) {
      return plaintext.clone();
    }
    checkNonce();
    init(Cipher.ENCRYPT_MODE, nonce, ad);
    byte[] ciphertext = doFinal(plaintext);
    nonce++;
    return ciphertext;
  }

  /** DecryptWithAd for handshake messages; {@link ErrorCode#DECRYPT_FAILED} on a bad tag. */
  byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws NoiseException {
    if (!hasKey()) {
      return ciphertext.clone();
    }
    checkNonce();
    if (ciphertext.length < TAG_LENGTH) {
      throw new NoiseException(ErrorCode.DECRYPT_FAILED, "ciphertext shorter than the tag");
    }
    init(Cipher.DECRYPT_MODE, nonce, ad);
    byte[] plaintext = doFinal(ciphertext);
    nonce++;
    return plaintext;
  }

  /** Transport encryption with empty associated data; see {@link NoiseTransport#encrypt}. */
  int encrypt(ByteBuffer plaintext, ByteBuffer ciphertextOut) throws NoiseException {
    int length = plaintext.remaining();
    if (length > MAX_PLAINTEXT_LENGTH) {
      throw new NoiseException(ErrorCode.FRAME_TOO_LARGE,
          "plaintext of " + length + " bytes exceeds " + MAX_PLAINTEXT_LENGTH);
    }
    requireRoom(ciphertextOut, length + TAG_LENGTH);
    checkNonce();
    init(Cipher.ENCRYPT_MODE, nonce, null);
    int written;
    try {
      written = cipher.doFinal(plaintext, ciphertextOut);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
    nonce++;
    return written;
  }

  /**
   * As {@link #encrypt(ByteBuffer, ByteBuffer)} with the plaintext in parts, encrypted in order as
   * one message, each read where it is (no copy into one buffer first).
   */
  int encrypt(ByteBuffer[] plaintext, ByteBuffer ciphertextOut) throws NoiseException {
    long length = 0;
    for (ByteBuffer part : plaintext) {
      length += part.remaining();
    }
    if (length > MAX_PLAINTEXT_LENGTH) {
      throw new NoiseException(ErrorCode.FRAME_TOO_LARGE,
          "plaintext of " + length + " bytes exceeds " + MAX_PLAINTEXT_LENGTH);
    }
    requireRoom(ciphertextOut, (int) length + TAG_LENGTH);
    checkNonce();
    init(Cipher.ENCRYPT_MODE, nonce, null);
    int written = 0;
    try {
      for (ByteBuffer part : plaintext) {
        written += cipher.update(part, ciphertextOut);
      }
      written += cipher.doFinal(EMPTY, ciphertextOut);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
    nonce++;
    return written;
  }

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  /**
   * Transport decryption with empty associated data. On failure both buffers' positions are
   * restored and n is unchanged; the bytes of {@code plaintextOut} past its position are
   * unspecified.
   */
  int decrypt(ByteBuffer ciphertext, ByteBuffer plaintextOut) throws NoiseException {
    int length = ciphertext.remaining();
    checkCiphertextLength(length);
    requireRoom(plaintextOut, length - TAG_LENGTH);
    checkNonce();
    int inPosition = ciphertext.position();
    int outPosition = plaintextOut.position();
    init(Cipher.DECRYPT_MODE, nonce, null);
    int written;
    try {
      written = cipher.doFinal(ciphertext, plaintextOut);
    } catch (AEADBadTagException e) {
      ciphertext.position(inPosition);
      plaintextOut.position(outPosition);
      throw badTag(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("decryption failed", e);
    }
    nonce++;
    return written;
  }

  /**
   * Whether {@link #encryptNative}/{@link #decryptNative} are available: AESGCM with libsodium
   * selected ({@link SodiumAesGcm}).
   */
  boolean usesNativeMemory() {
    return function == CipherFunction.AESGCM && SodiumAesGcm.selected();
  }

  /**
   * As {@link #encrypt(ByteBuffer, ByteBuffer)} on native memory: {@code length} plaintext bytes at
   * address {@code in} to {@code length + 16} bytes at {@code out}, which may equal {@code in}
   * (in place). Only when {@link #usesNativeMemory()}.
   */
  int encryptNative(long in, int length, long out) throws NoiseException {
    if (length > MAX_PLAINTEXT_LENGTH) {
      throw new NoiseException(ErrorCode.FRAME_TOO_LARGE,
          "plaintext of " + length + " bytes exceeds " + MAX_PLAINTEXT_LENGTH);
    }
    checkNonce();
    nativeKey().encrypt(nonce, in, length, out);
    nonce++;
    return length + TAG_LENGTH;
  }

  /**
   * As {@link #decrypt(ByteBuffer, ByteBuffer)} on native memory: one whole message of
   * {@code length} bytes at {@code in} to {@code length - 16} bytes at {@code out}, which must not
   * overlap it. On failure n is unchanged. Only when {@link #usesNativeMemory()}.
   */
  int decryptNative(long in, int length, long out) throws NoiseException {
    checkCiphertextLength(length);
    checkNonce();
    if (!nativeKey().decrypt(nonce, in, length, out)) {
      throw new NoiseException(ErrorCode.DECRYPT_FAILED,
          "authentication tag mismatch (tampered, replayed, reordered or wrongly keyed message)");
    }
    nonce++;
    return length - TAG_LENGTH;
  }

  private SodiumAesGcm.Key nativeKey() {
    if (!usesNativeMemory()) {
      throw new IllegalStateException(function.noiseName() + " in this process does not work on native memory");
    }
    if (!hasKey()) {
      throw new IllegalStateException("no key");
    }
    if (nativeKey == null) {
      nativeKey = new SodiumAesGcm.Key(key);
    }
    return nativeKey;
  }

  /** Rekey: k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zeros); n is unchanged. */
  void rekey() {
    if (!hasKey()) {
      throw new IllegalStateException("no key to rekey");
    }
    init(Cipher.ENCRYPT_MODE, MAX_NONCE, null);
    byte[] output;
    try {
      output = cipher.doFinal(new byte[KEY_LENGTH]);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("rekey failed", e);
    }
    setKey(Arrays.copyOf(output, KEY_LENGTH));
    Arrays.fill(output, (byte) 0);
  }

  /** Wipes k (the JCE keeps its own copies, which we cannot reach). */
  void destroy() {
    if (key != null) {
      Arrays.fill(key, (byte) 0);
    }
    key = null;
    keySpec = null;
    if (nativeKey != null) {
      nativeKey.destroy();
      nativeKey = null;
    }
  }

  private void setKey(byte[] newKey) {
    destroy();
    key = newKey;
    keySpec = new SecretKeySpec(newKey, function.keyAlgorithm());
  }

  private static void checkCiphertextLength(int length) throws NoiseException {
    if (length > MAX_MESSAGE_LENGTH) {
      throw new NoiseException(ErrorCode.FRAME_TOO_LARGE,
          "message of " + length + " bytes exceeds " + MAX_MESSAGE_LENGTH);
    }
    if (length < TAG_LENGTH) {
      throw new NoiseException(ErrorCode.DECRYPT_FAILED,
          "message of " + length + " bytes is shorter than the " + TAG_LENGTH + "-byte tag");
    }
  }

  private void checkNonce() throws NoiseException {
    if (nonce == MAX_NONCE) {
      throw new NoiseException(ErrorCode.NONCE_EXHAUSTED,
          "nonce 2^64-1 reached: this key may not be used again; the session must end");
    }
  }

  private void init(int mode, long n, byte[] ad) {
    function.encodeNonce(n, nonceBytes);
    try {
      cipher.init(mode, keySpec, function.parameters(nonceBytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise " + function.noiseName(), e);
    }
    if (ad != null && ad.length > 0) {
      cipher.updateAAD(ad);
    }
  }

  private byte[] doFinal(byte[] input) throws NoiseException {
    try {
      return cipher.doFinal(input);
    } catch (AEADBadTagException e) {
      throw badTag(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(function.noiseName() + " failed", e);
    }
  }

  /**
   * After a failed decryption the nonce stays the same, but the JDK's ChaCha20-Poly1305 refuses
   * to be initialised twice in a row with the same key and nonce, even to decrypt. Initialising
   * once with a throwaway key lets a retry at the same nonce proceed (and costs nothing on the
   * success path).
   */
  private NoiseException badTag(AEADBadTagException cause) {
    try {
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(THROWAWAY_KEY, function.keyAlgorithm()),
          function.parameters(nonceBytes));
    } catch (GeneralSecurityException e) {
      cause.addSuppressed(e);
    }
    return new NoiseException(ErrorCode.DECRYPT_FAILED,
        "authentication tag mismatch (tampered, replayed, reordered or wrongly keyed message)", cause);
  }

  private static void requireRoom(ByteBuffer out, int needed) {
    if (out.remaining() < needed) {
      throw new IllegalArgumentException(
          "output buffer has " + out.remaining() + " bytes remaining, needs " + needed);
    }
  }
}
