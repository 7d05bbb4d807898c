package dev.chorus.protocol.noise;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The two transport CipherStates produced by {@link NoiseHandshake#split}: one to encrypt what we
 * send, one to decrypt what we receive. Each message is a bare Noise transport message of at most
 * {@value #MAX_MESSAGE_LENGTH} bytes (plaintext plus a {@value #TAG_LENGTH}-byte tag), with empty
 * associated data; messages must be decrypted in the order they were encrypted, exactly once,
 * since the nonce is implicit: a tampered, replayed, reordered or dropped message fails with
 * {@code DECRYPT_FAILED}.
 *
 * <p><b>Rekeying.</b> {@link #rekeySend()} / {@link #rekeyReceive()} apply the spec's Rekey()
 * to one direction; the peer must call the opposite one at the same point in the message
 * stream. With a rekey interval N &gt; 0 each direction rekeys automatically after every N
 * messages (precisely: whenever its nonce becomes a multiple of N), so two sides configured with
 * the same N stay in lockstep without any signal on the wire; sides configured differently fail
 * with {@code DECRYPT_FAILED} at the first message past the earlier rekey. Rekeying never resets
 * the nonce.
 *
 * <p><b>Nonce exhaustion.</b> Once a direction's nonce reaches 2^64-1 it refuses to encrypt or
 * decrypt ({@code NONCE_EXHAUSTED}); the session must end and a new handshake be made.
 *
 * <p><b>Threads.</b> Not thread-safe, but the two directions share no state: one thread may
 * encrypt while another decrypts.
 *
 * <p>For one-way patterns only the initiator sends: the responder's transport cannot encrypt and
 * the initiator's cannot decrypt ({@link IllegalStateException}).
 */
public final class NoiseTransport {
  /** The largest Noise message, in bytes. */
  public static final int MAX_MESSAGE_LENGTH = CipherState.MAX_MESSAGE_LENGTH;
  /** The authentication tag added to every message, in bytes. */
  public static final int TAG_LENGTH = CipherState.TAG_LENGTH;
  /** The largest plaintext one message can carry, in bytes. */
  public static final int MAX_PLAINTEXT_LENGTH = CipherState.MAX_PLAINTEXT_LENGTH;

  private final CipherState send;
  private final CipherState receive;
  private final byte[] handshakeHash;
  private final byte[] remoteStatic;
  private final long rekeyInterval;

  NoiseTransport(CipherState send, CipherState receive, byte[] handshakeHash, byte[] remoteStatic,
      long rekeyInterval) {
    this.send = send;
    this.receive = receive;
    this.handshakeHash = handshakeHash.clone();
    this.remoteStatic = remoteStatic == null ? null : remoteStatic.clone();
    this.rekeyInterval = rekeyInterval;
  }

  /**
   * Encrypts all of {@code plaintext}'s remaining bytes (at most {@value #MAX_PLAINTEXT_LENGTH})
   * into {@code ciphertextOut}, which must have room for them plus the tag. Heap or direct
   * buffers; they may share memory. Advances both positions.
   *
   * @return the bytes written: {@code plaintext length + 16}
   * @throws NoiseException FRAME_TOO_LARGE for an oversized plaintext, NONCE_EXHAUSTED
   * @throws IllegalArgumentException if {@code ciphertextOut} is too small (nothing consumed)
   */
  public int encrypt(ByteBuffer plaintext, ByteBuffer ciphertextOut) throws NoiseException {
    CipherState state = sender();
    int written = state.encrypt(plaintext, ciphertextOut);
    afterMessage(state);
    return written;
  }

  /**
   * As {@link #encrypt(ByteBuffer, ByteBuffer)} with the plaintext in parts: one message of all
   * their remaining bytes, in order, each part read where it is. Heap buffers; none may share
   * memory with {@code ciphertextOut} (the JDK's AES-GCM would copy it first).
   */
  public int encrypt(ByteBuffer[] plaintext, ByteBuffer ciphertextOut) throws NoiseException {
    CipherState state = sender();
    int written = state.encrypt(plaintext, ciphertextOut);
    afterMessage(state);
    return written;
  }

  /**
   * Decrypts all of {@code ciphertext}'s remaining bytes (one whole message) into
   * {@code plaintextOut}, which must have room for the message minus the tag. On failure neither
   * position moves and the nonce does not advance.
   *
   * @return the plaintext bytes written
   * @throws NoiseException DECRYPT_FAILED for a bad tag or a message shorter than the tag,
   *     FRAME_TOO_LARGE above {@value #MAX_MESSAGE_LENGTH} bytes, NONCE_EXHAUSTED
   * @throws IllegalArgumentException if {@code plaintextOut} is too small (nothing consumed)
   */
  public int decrypt(ByteBuffer ciphertext, ByteBuffer plaintextOut) throws NoiseException {
    CipherState state = receiver();
    int written = state.decrypt(ciphertext, plaintextOut);
    afterMessage(state);
    return written;
  }

  /**
   * Whether {@link #encryptNative} and {@link #decryptNative} may be used: true for AESGCM where
   * libsodium runs it ({@code -Dchorus.noise.aesgcm}, protocol/README.md). They allocate nothing
   * per message; the ByteBuffer methods work everywhere and give the same bytes.
   */
  public boolean usesNativeMemory() {
    return (send == null || send.usesNativeMemory()) && (receive == null || receive.usesNativeMemory());
  }

  /**
   * As {@link #encrypt(ByteBuffer, ByteBuffer)} on native memory (e.g. a direct Netty buffer's
   * {@code memoryAddress()}): {@code length} plaintext bytes at address {@code plaintext} to
   * {@code length + 16} bytes at address {@code ciphertextOut}, which may be the same address
   * (in place) but must not otherwise overlap. The caller guarantees both ranges are memory it
   * owns: native code writes there unchecked. Only when {@link #usesNativeMemory()}.
   *
   * @return the bytes written: {@code length + 16}
   * @throws NoiseException FRAME_TOO_LARGE for an oversized plaintext, NONCE_EXHAUSTED
   */
  public int encryptNative(long plaintext, int length, long ciphertextOut) throws NoiseException {
    CipherState state = sender();
    int written = state.encryptNative(plaintext, length, ciphertextOut);
    afterMessage(state);
    return written;
  }

  /**
   * As {@link #decrypt(ByteBuffer, ByteBuffer)} on native memory: one whole message of
   * {@code length} bytes at address {@code ciphertext} to {@code length - 16} bytes at address
   * {@code plaintextOut}, which must not overlap it; on failure the nonce does not advance and
   * the output bytes are unspecified. Only when {@link #usesNativeMemory()}.
   *
   * @return the plaintext bytes written
   * @throws NoiseException DECRYPT_FAILED for a bad tag or a message shorter than the tag,
   *     FRAME_TOO_LARGE above {@value #MAX_MESSAGE_LENGTH} bytes, NONCE_EXHAUSTED
   */
  public int decryptNative(long ciphertext, int length, long plaintextOut) throws NoiseException {
    CipherState state = receiver();
    int written = state.decryptNative(ciphertext, length, plaintextOut);
    afterMessage(state);
    return written;
  }

  /** Convenience: encrypts {@code plaintext} into a new array. */
  public byte[] encrypt(byte[] plaintext) throws NoiseException {
    Objects.requireNonNull(plaintext, "plaintext");
    byte[] out = new byte[plaintext.length + TAG_LENGTH];
    encrypt(ByteBuffer.wrap(plaintext), ByteBuffer.wrap(out));
    return out;
  }

  /** Convenience: decrypts one whole message into a new array. */
  public byte[] decrypt(byte[] ciphertext) throws NoiseException {
    Objects.requireNonNull(ciphertext, "ciphertext");
    // Oversized input is refused before the output is touched; never allocate more than 64 KiB.
    byte[] out = new byte[Math.max(0, Math.min(ciphertext.length, MAX_MESSAGE_LENGTH) - TAG_LENGTH)];
    decrypt(ByteBuffer.wrap(ciphertext), ByteBuffer.wrap(out));
    return out;
  }

  /** The handshake hash h (copy), for channel binding. */
  public byte[] handshakeHash() {
    return handshakeHash.clone();
  }

  /** The remote static public key (copy), or null if the pattern never provided one. */
  public byte[] remoteStaticKey() {
    return remoteStatic == null ? null : remoteStatic.clone();
  }

  /** Rekey() on the sending direction; the peer must call {@link #rekeyReceive()} in step. */
  public void rekeySend() {
    sender().rekey();
  }

  /** Rekey() on the receiving direction; the peer must call {@link #rekeySend()} in step. */
  public void rekeyReceive() {
    receiver().rekey();
  }

  /** The nonce of the next message sent (unsigned), for tests and metrics. */
  public long sendNonce() {
    return sender().nonce();
  }

  /** The nonce of the next message received (unsigned), for tests and metrics. */
  public long receiveNonce() {
    return receiver().nonce();
  }

  /** Automatic rekey interval in messages per direction; 0 for none. */
  public long rekeyIntervalMessages() {
    return rekeyInterval;
  }

  /** Test hook: sets the sending nonce, e.g. near 2^64-1 to test exhaustion. */
  void setSendNonceForTesting(long nonce) {
    sender().setNonce(nonce);
  }

  /** Test hook: sets the receiving nonce. */
  void setReceiveNonceForTesting(long nonce) {
    receiver().setNonce(nonce);
  }

  @Override
  public String toString() {
    return "NoiseTransport[sendNonce=" + (send == null ? "-" : Long.toUnsignedString(send.nonce()))
        + ", receiveNonce=" + (receive == null ? "-" : Long.toUnsignedString(receive.nonce()))
        + ", rekeyInterval=" + rekeyInterval + "]";
  }

  private void afterMessage(CipherState state) {
    if (rekeyInterval > 0 && Long.remainderUnsigned(state.nonce(), rekeyInterval) == 0) {
      state.rekey();
    }
  }

  private CipherState sender() {
    if (send == null) {
      throw new IllegalStateException("one-way pattern: the responder cannot send");
    }
    return send;
  }

  private CipherState receiver() {
    if (receive == null) {
      throw new IllegalStateException("one-way pattern: the initiator cannot receive");
    }
    return receive;
  }
}
