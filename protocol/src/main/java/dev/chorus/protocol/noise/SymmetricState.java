package dev.chorus.protocol.noise;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Noise spec section 5.2: the chaining key ck, the handshake hash h and the handshake's
 * CipherState. Every method is a line-for-line transcription of the spec.
 */
final class SymmetricState {
  private final NoiseProtocolName protocol;
  private final Hkdf hkdf;
  private final CipherState cipherState;
  private byte[] chainingKey;
  private byte[] handshakeHash;

  /** InitializeSymmetric(protocol_name). */
  SymmetricState(NoiseProtocolName protocol) {
    this.protocol = protocol;
    HashFunction hash = protocol.hashFunction();
    this.hkdf = new Hkdf(hash);
    this.cipherState = new CipherState(protocol.cipherFunction());
    byte[] name = protocol.name().getBytes(StandardCharsets.US_ASCII);
    this.handshakeHash = name.length <= hash.hashLength()
        ? Arrays.copyOf(name, hash.hashLength())
        : hkdf.hash(name, null);
    this.chainingKey = handshakeHash.clone();
  }

  boolean hasKey() {
    return cipherState.hasKey();
  }

  /** MixKey(input_key_material): ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k[:32]). */
  void mixKey(byte[] inputKeyMaterial) {
    byte[][] out = hkdf.derive(chainingKey, inputKeyMaterial, 2);
    replaceChainingKey(out[0]);
    cipherState.initializeKey(out[1]);
    Arrays.fill(out[1], (byte) 0);
  }

  /** MixHash(data): h = HASH(h || data). */
  void mixHash(byte[] data) {
    handshakeHash = hkdf.hash(handshakeHash, data);
  }

  /** MixKeyAndHash(input_key_material), used for psk tokens. */
  void mixKeyAndHash(byte[] inputKeyMaterial) {
    byte[][] out = hkdf.derive(chainingKey, inputKeyMaterial, 3);
    replaceChainingKey(out[0]);
    mixHash(out[1]);
    cipherState.initializeKey(out[2]);
    Arrays.fill(out[1], (byte) 0);
    Arrays.fill(out[2], (byte) 0);
  }

  /** GetHandshakeHash (a copy). */
  byte[] handshakeHash() {
    return handshakeHash.clone();
  }

  /** EncryptAndHash(plaintext): ciphertext = EncryptWithAd(h, plaintext); MixHash(ciphertext). */
  byte[] encryptAndHash(byte[] plaintext) throws NoiseException {
    byte[] ciphertext = cipherState.encryptWithAd(handshakeHash, plaintext);
    mixHash(ciphertext);
    return ciphertext;
  }

  /** DecryptAndHash(ciphertext): plaintext = DecryptWithAd(h, ciphertext); MixHash(ciphertext). */
  byte[] decryptAndHash(byte[] ciphertext) throws NoiseException {
    byte[] plaintext = cipherState.decryptWithAd(handshakeHash, ciphertext);
    mixHash(ciphertext);
    return plaintext;
  }

  /**
   * Split(): two CipherStates keyed from HKDF(ck, empty, 2), initiator-to-responder first. Wipes
   * ck; the handshake's CipherState becomes the first (its key replaced, so the handshake key is
   * wiped too: one JCE cipher fewer per handshake); h stays readable. Nothing but {@link
   * #handshakeHash()} may be called afterwards.
   */
  CipherState[] split() {
    byte[][] out = hkdf.derive(chainingKey, new byte[0], 2);
    CipherState first = cipherState;
    CipherState second = new CipherState(protocol.cipherFunction());
    first.initializeKey(out[0]);
    second.initializeKey(out[1]);
    Arrays.fill(out[0], (byte) 0);
    Arrays.fill(out[1], (byte) 0);
    Arrays.fill(chainingKey, (byte) 0);
    return new CipherState[] {first, second};
  }

  /** Wipes ck and the handshake key. */
  void destroy() {
    Arrays.fill(chainingKey, (byte) 0);
    cipherState.destroy();
  }

  private void replaceChainingKey(byte[] newChainingKey) {
    Arrays.fill(chainingKey, (byte) 0);
    chainingKey = newChainingKey;
  }
}
