package dev.chorus.protocol.noise;

import dev.chorus.protocol.noise.HandshakePattern.Token;
import dev.chorus.protocol.wire.ErrorCode;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One side of a Noise handshake (spec revision 34, section 5.3), sans I/O: feed it the bytes of
 * each handshake message the peer sent ({@link #readMessage}) and send what {@link #writeMessage}
 * returns, taking turns as {@link #isMyTurnToWrite()} says; once {@link #isComplete()},
 * {@link #split()} gives the {@link NoiseTransport}. Messages are bare Noise messages (at most
 * 65535 bytes); framing them is the caller's business. Not thread-safe.
 *
 * <p>Any failure ({@link NoiseException} from {@code readMessage} or {@code writeMessage}, except
 * an oversized payload refused before anything happened) leaves the handshake failed: every
 * further call throws {@link IllegalStateException}, and its secrets are wiped.
 */
public final class NoiseHandshake {
  /*
   * Design rationale.
   *
   * - Table-driven: a pattern is data (HandshakePattern, written in the spec's own arrow
   *   notation), and this one engine interprets any of them, so the 59 base patterns and every
   *   psk combination share a single, spec-shaped code path for each token. Supporting a pattern
   *   is a table row, not code; the cacophony vectors check every row.
   * - Sans I/O and deterministic: no sockets, threads or clocks; randomness only for ephemeral
   *   keys, from the injected SecureRandom, and only when no ephemeral was preset. That keeps it
   *   testable against fixed vectors and usable from Netty, a simulator or a test alike.
   * - Layering mirrors the spec (CipherState -> SymmetricState -> HandshakeState) so each method
   *   can be compared with its pseudo-code; the spec's names are kept.
   * - Fail closed: the exact message length is computed from the tokens before any state changes,
   *   so a malformed message is rejected up front; any later failure (bad tag, low-order point,
   *   pinned-key mismatch) poisons the handshake, because its hash and chaining key have already
   *   moved on and cannot be rolled back.
   * - Misuse is an IllegalStateException (wrong turn, missing keys, split before completion);
   *   anything the remote party can cause is a NoiseException carrying the wire ErrorCode.
   * - Secrets: the handshake owns copies of the key pairs and PSKs and wipes them once complete or
   *   failed; DH outputs and HKDF intermediates are wiped as soon as mixed. The JCE keeps copies
   *   of AEAD keys that we cannot reach; that is the limit of what Java allows here.
   */

  private enum Phase {
    IN_PROGRESS, COMPLETE, SPLIT, FAILED
  }

  private final NoiseProtocolName protocol;
  private final HandshakePattern pattern;
  private final boolean initiator;
  private final NoiseDh dh;
  private final DhFunction dhFunction;
  private final SecureRandom random;
  private final SymmetricState symmetric;
  private final List<byte[]> psks;
  private final byte[] pinnedRemoteStatic;
  private final boolean pskHandshake;
  private NoiseKeyPair localStatic;
  private NoiseKeyPair localEphemeral;
  private byte[] remoteStatic;
  private byte[] remoteEphemeral;
  private int messageIndex;
  private int pskIndex;
  private Phase phase = Phase.IN_PROGRESS;

  private NoiseHandshake(Builder builder, boolean remoteStaticIsPremessage) {
    this.protocol = builder.protocol;
    this.pattern = protocol.pattern();
    this.initiator = builder.initiator;
    this.dh = protocol.dh();
    this.dhFunction = builder.dhFunction != null ? builder.dhFunction : dh.function();
    this.random = builder.random != null ? builder.random : new SecureRandom();
    this.psks = new ArrayList<>();
    for (byte[] psk : builder.psks) {
      psks.add(psk.clone());
    }
    this.pskHandshake = pattern.pskCount() > 0;
    this.localStatic = builder.localStatic != null ? builder.localStatic.copy() : null;
    this.localEphemeral = builder.localEphemeral != null ? builder.localEphemeral.copy() : null;
    byte[] rs = builder.remoteStatic != null ? builder.remoteStatic.clone() : null;
    this.remoteStatic = remoteStaticIsPremessage ? rs : null;
    this.pinnedRemoteStatic = remoteStaticIsPremessage ? null : rs;
    this.symmetric = new SymmetricState(protocol);
    symmetric.mixHash(builder.prologue);
    mixPremessage(true);
    mixPremessage(false);
  }

  /**
   * Starts building a handshake for {@code protocolName}.
   *
   * @throws IllegalArgumentException if the name is malformed or unsupported
   */
  public static Builder builder(String protocolName, boolean initiator) {
    return new Builder(NoiseProtocolName.parse(protocolName), initiator);
  }

  /** Starts building a handshake for an already parsed protocol name. */
  public static Builder builder(NoiseProtocolName protocolName, boolean initiator) {
    return new Builder(Objects.requireNonNull(protocolName, "protocolName"), initiator);
  }

  public NoiseProtocolName protocolName() {
    return protocol;
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** True while the handshake is in progress and the next message is ours to write. */
  public boolean isMyTurnToWrite() {
    return phase == Phase.IN_PROGRESS && HandshakePattern.sentByInitiator(messageIndex) == initiator;
  }

  /** True once the last handshake message has been written or read. */
  public boolean isComplete() {
    return phase == Phase.COMPLETE || phase == Phase.SPLIT;
  }

  /**
   * WriteMessage: the next handshake message, carrying {@code payload} (encrypted once a key
   * exists). Payloads in early messages have weaker guarantees; see spec section 7.7.
   *
   * @throws IllegalStateException if it is not our turn, or the handshake is over or failed
   * @throws NoiseException FRAME_TOO_LARGE if the message would exceed 65535 bytes (nothing
   *     changes), HANDSHAKE_FAILED if a DH fails on a low-order remote key
   */
  public byte[] writeMessage(byte[] payload) throws NoiseException {
    Objects.requireNonNull(payload, "payload");
    requireInProgress("write");
    if (!isMyTurnToWrite()) {
      throw new IllegalStateException(turnDescription() + ": cannot write");
    }
    List<Token> tokens = pattern.message(messageIndex);
    int length = minimumLength(tokens) + payload.length;
    if (length > CipherState.MAX_MESSAGE_LENGTH) {
      throw new NoiseException(ErrorCode.FRAME_TOO_LARGE, "handshake message would be " + length
          + " bytes, more than " + CipherState.MAX_MESSAGE_LENGTH + "; payload too large");
    }
    byte[] message = new byte[length];
    try {
      int position = 0;
      for (Token token : tokens) {
        position = writeToken(token, message, position);
      }
      byte[] ciphertext = symmetric.encryptAndHash(payload);
      System.arraycopy(ciphertext, 0, message, position, ciphertext.length);
    } catch (NoiseException | RuntimeException e) {
      fail();
      throw e;
    }
    advance();
    return message;
  }

  /**
   * ReadMessage: processes the peer's next handshake message and returns its payload.
   *
   * @throws IllegalStateException if it is our turn to write, or the handshake is over or failed
   * @throws NoiseException HANDSHAKE_FAILED for an oversized, truncated or unauthentic message
   *     or a low-order remote key; AUTHENTICATION_FAILED if the remote static key differs from
   *     the pinned one. Either way the handshake is failed.
   */
  public byte[] readMessage(byte[] message) throws NoiseException {
    Objects.requireNonNull(message, "message");
    requireInProgress("read");
    if (isMyTurnToWrite()) {
      throw new IllegalStateException(turnDescription() + ": cannot read");
    }
    try {
      byte[] payload = processMessage(message);
      advance();
      return payload;
    } catch (NoiseException | RuntimeException e) {
      fail();
      if (e instanceof NoiseException && ((NoiseException) e).code() == ErrorCode.DECRYPT_FAILED) {
        throw new NoiseException(ErrorCode.HANDSHAKE_FAILED,
            "handshake message " + (messageIndex + 1) + " failed authentication", e);
      }
      throw e;
    }
  }

  /**
   * The final handshake hash h, for channel binding (spec section 11.2).
   *
   * @throws IllegalStateException before the handshake is complete
   */
  public byte[] handshakeHash() {
    if (!isComplete()) {
      throw new IllegalStateException("the handshake hash is final only once the handshake is complete");
    }
    return symmetric.handshakeHash();
  }

  /** The remote party's static public key (copy), or null while it is not known. */
  public byte[] remoteStaticKey() {
    return remoteStatic == null ? null : remoteStatic.clone();
  }

  /** Split() without automatic rekeying. */
  public NoiseTransport split() {
    return split(0);
  }

  /**
   * Split(): the transport CipherStates, once the handshake is complete. Can be called once.
   *
   * @param rekeyIntervalMessages if positive, each direction rekeys after every that many
   *     messages; both sides must use the same value (see {@link NoiseTransport})
   * @throws IllegalStateException if the handshake is not complete or was already split
   */
  public NoiseTransport split(long rekeyIntervalMessages) {
    if (rekeyIntervalMessages < 0) {
      throw new IllegalArgumentException("rekeyIntervalMessages must be >= 0, was " + rekeyIntervalMessages);
    }
    if (phase != Phase.COMPLETE) {
      throw new IllegalStateException(phase == Phase.SPLIT
          ? "the handshake was already split" : "the handshake is not complete (" + phase + ")");
    }
    CipherState[] states = symmetric.split();
    phase = Phase.SPLIT;
    CipherState send;
    CipherState receive;
    if (pattern.isOneWay()) {
      // Spec 5.3: for one-way patterns the second CipherState is discarded.
      states[1].destroy();
      send = initiator ? states[0] : null;
      receive = initiator ? null : states[0];
    } else {
      send = initiator ? states[0] : states[1];
      receive = initiator ? states[1] : states[0];
    }
    return new NoiseTransport(send, receive, symmetric.handshakeHash(), remoteStatic,
        rekeyIntervalMessages);
  }

  @Override
  public String toString() {
    return "NoiseHandshake[" + protocol + ", " + (initiator ? "initiator" : "responder") + ", "
        + phase + ", message " + (messageIndex + 1) + "/" + pattern.messageCount() + "]";
  }

  // ---- message processing -------------------------------------------------------------------

  private byte[] processMessage(byte[] message) throws NoiseException {
    if (message.length > CipherState.MAX_MESSAGE_LENGTH) {
      throw handshakeFailed("handshake message of " + message.length + " bytes exceeds "
          + CipherState.MAX_MESSAGE_LENGTH);
    }
    List<Token> tokens = pattern.message(messageIndex);
    int minimum = minimumLength(tokens);
    if (message.length < minimum) {
      throw handshakeFailed("handshake message " + (messageIndex + 1) + " of " + message.length
          + " bytes is shorter than the " + minimum + " bytes its tokens need");
    }
    int position = 0;
    for (Token token : tokens) {
      position = readToken(token, message, position);
    }
    return symmetric.decryptAndHash(Arrays.copyOfRange(message, position, message.length));
  }

  /**
   * The length of this message with an empty payload: simulates when a key first exists (after
   * a DH or psk token, or an {@code e} token in a psk handshake) to know which parts carry tags.
   */
  private int minimumLength(List<Token> tokens) {
    boolean keyed = symmetric.hasKey();
    int length = 0;
    for (Token token : tokens) {
      if (token == Token.E) {
        length += dh.keyLength();
        keyed |= pskHandshake;
      } else if (token == Token.S) {
        length += dh.keyLength() + (keyed ? CipherState.TAG_LENGTH : 0);
      } else {
        keyed = true;
      }
    }
    return length + (keyed ? CipherState.TAG_LENGTH : 0);
  }

  private int writeToken(Token token, byte[] message, int position) throws NoiseException {
    switch (token) {
      case E:
        if (localEphemeral == null) {
          localEphemeral = NoiseKeyPair.generate(dhFunction, random);
        }
        byte[] ephemeralPublic = localEphemeral.publicKeyUnsafe();
        System.arraycopy(ephemeralPublic, 0, message, position, ephemeralPublic.length);
        mixEphemeral(ephemeralPublic);
        return position + ephemeralPublic.length;
      case S:
        byte[] encrypted = symmetric.encryptAndHash(localStatic.publicKeyUnsafe());
        System.arraycopy(encrypted, 0, message, position, encrypted.length);
        return position + encrypted.length;
      default:
        mixNonTransmittedToken(token);
        return position;
    }
  }

  private int readToken(Token token, byte[] message, int position) throws NoiseException {
    switch (token) {
      case E:
        remoteEphemeral = Arrays.copyOfRange(message, position, position + dh.keyLength());
        mixEphemeral(remoteEphemeral);
        return position + dh.keyLength();
      case S:
        int length = dh.keyLength() + (symmetric.hasKey() ? CipherState.TAG_LENGTH : 0);
        byte[] key = symmetric.decryptAndHash(Arrays.copyOfRange(message, position, position + length));
        checkPin(key);
        remoteStatic = key;
        return position + length;
      default:
        mixNonTransmittedToken(token);
        return position;
    }
  }

  /** e: MixHash(e), plus MixKey(e) in a psk handshake (spec 9.2). */
  private void mixEphemeral(byte[] ephemeralPublic) {
    symmetric.mixHash(ephemeralPublic);
    if (pskHandshake) {
      symmetric.mixKey(ephemeralPublic);
    }
  }

  /** ee, es, se, ss and psk: identical for writer and reader. */
  private void mixNonTransmittedToken(Token token) throws NoiseException {
    switch (token) {
      case EE:
        mixDh(localEphemeral, remoteEphemeral);
        break;
      case ES:
        mixDh(initiator ? localEphemeral : localStatic, initiator ? remoteStatic : remoteEphemeral);
        break;
      case SE:
        mixDh(initiator ? localStatic : localEphemeral, initiator ? remoteEphemeral : remoteStatic);
        break;
      case SS:
        mixDh(localStatic, remoteStatic);
        break;
      case PSK:
        symmetric.mixKeyAndHash(psks.get(pskIndex++));
        break;
      default:
        throw new AssertionError(token);
    }
  }

  private void mixDh(NoiseKeyPair local, byte[] remotePublic) throws NoiseException {
    byte[] shared = dhFunction.agree(local.privateKeyUnsafe(), remotePublic);
    if (shared == null) {
      throw handshakeFailed("DH with the remote key gave zero: the remote key is a low-order point");
    }
    symmetric.mixKey(shared);
    Arrays.fill(shared, (byte) 0);
  }

  private void checkPin(byte[] remoteStaticKey) throws NoiseException {
    if (pinnedRemoteStatic != null && !MessageDigest.isEqual(pinnedRemoteStatic, remoteStaticKey)) {
      throw new NoiseException(ErrorCode.AUTHENTICATION_FAILED,
          "the remote static key " + java.util.HexFormat.of().formatHex(remoteStaticKey)
              + " is not the pinned one");
    }
  }

  private void mixPremessage(boolean ofInitiator) {
    for (Token token : pattern.premessage(ofInitiator)) {
      if (token != Token.S) {
        throw new AssertionError("pre-message token " + token + " not supported");
      }
      symmetric.mixHash(ofInitiator == initiator ? localStatic.publicKeyUnsafe() : remoteStatic);
    }
  }

  // ---- phases and secrets -------------------------------------------------------------------

  private void advance() {
    messageIndex++;
    if (messageIndex == pattern.messageCount()) {
      phase = Phase.COMPLETE;
      wipeKeys();
    }
  }

  private void fail() {
    phase = Phase.FAILED;
    wipeKeys();
    symmetric.destroy();
  }

  private void wipeKeys() {
    if (localStatic != null) {
      localStatic.wipe();
    }
    if (localEphemeral != null) {
      localEphemeral.wipe();
    }
    for (byte[] psk : psks) {
      Arrays.fill(psk, (byte) 0);
    }
  }

  private void requireInProgress(String action) {
    if (phase != Phase.IN_PROGRESS) {
      throw new IllegalStateException("cannot " + action + " a handshake message: the handshake is "
          + (phase == Phase.FAILED ? "failed" : "complete"));
    }
  }

  private String turnDescription() {
    boolean initiatorWrites = HandshakePattern.sentByInitiator(messageIndex);
    return "handshake message " + (messageIndex + 1) + " of " + pattern + " is written by the "
        + (initiatorWrites ? "initiator" : "responder") + " and this side is the "
        + (initiator ? "initiator" : "responder");
  }

  private static NoiseException handshakeFailed(String message) {
    return new NoiseException(ErrorCode.HANDSHAKE_FAILED, message);
  }

  /** Collects keys and settings; {@link #build()} checks the pattern's needs. Not thread-safe. */
  public static final class Builder {
    private final NoiseProtocolName protocol;
    private final boolean initiator;
    private NoiseKeyPair localStatic;
    private NoiseKeyPair localEphemeral;
    private byte[] remoteStatic;
    private byte[] prologue = new byte[0];
    private List<byte[]> psks = List.of();
    private SecureRandom random;
    private DhFunction dhFunction;

    private Builder(NoiseProtocolName protocol, boolean initiator) {
      this.protocol = protocol;
      this.initiator = initiator;
    }

    /** Our static key pair; needed when the pattern sends or pre-shares it, ignored otherwise. */
    public Builder localStatic(NoiseKeyPair keyPair) {
      this.localStatic = requireDh(keyPair, "localStatic");
      return this;
    }

    /** A fixed ephemeral key pair: for test vectors only; by default one is drawn from the rng. */
    public Builder localEphemeral(NoiseKeyPair keyPair) {
      this.localEphemeral = requireDh(keyPair, "localEphemeral");
      return this;
    }

    /**
     * The remote static public key. If the pattern pre-shares it (the K, I... patterns' "<- s"
     * or "-> s" pre-message) it is used as such; if the pattern transmits it, it is a pin: the
     * handshake fails with AUTHENTICATION_FAILED when the peer presents another key.
     */
    public Builder remoteStatic(byte[] publicKey) {
      Objects.requireNonNull(publicKey, "remoteStatic");
      if (publicKey.length != protocol.dh().keyLength()) {
        throw new IllegalArgumentException("remoteStatic must be a " + protocol.dh().keyLength()
            + "-byte " + protocol.dh() + " public key, was " + publicKey.length + " bytes");
      }
      this.remoteStatic = publicKey.clone();
      return this;
    }

    /** Data both sides must agree on, mixed into the handshake hash (default empty). */
    public Builder prologue(byte[] prologue) {
      this.prologue = Objects.requireNonNull(prologue, "prologue").clone();
      return this;
    }

    /** The pre-shared keys (32 bytes each), in the order the pattern's psk tokens use them. */
    public Builder psks(List<byte[]> psks) {
      List<byte[]> copies = new ArrayList<>();
      for (byte[] psk : Objects.requireNonNull(psks, "psks")) {
        if (Objects.requireNonNull(psk, "psk").length != CipherState.KEY_LENGTH) {
          throw new IllegalArgumentException("a PSK must be 32 bytes, was " + psk.length);
        }
        copies.add(psk.clone());
      }
      this.psks = copies;
      return this;
    }

    /** The source of ephemeral keys (default {@code new SecureRandom()}). */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The implementation of the protocol's DH function, instead of the one this process chose
     * ({@link NoiseDh#implementation()}): lets the tests run the vectors on every implementation.
     */
    Builder dhFunction(DhFunction function) {
      if (function.dh() != protocol.dh()) {
        throw new IllegalArgumentException(function.dh() + " function given for " + protocol);
      }
      this.dhFunction = function;
      return this;
    }

    /**
     * The handshake, its prologue and pre-messages already mixed in.
     *
     * @throws IllegalStateException naming what the pattern needs but was not given (or was
     *     given but cannot be used)
     */
    public NoiseHandshake build() {
      HandshakePattern pattern = protocol.pattern();
      boolean remotePremessage = pattern.premessage(!initiator).contains(Token.S);
      List<String> missing = missing(pattern, remotePremessage);
      if (!missing.isEmpty()) {
        throw new IllegalStateException(protocol + " " + role(initiator) + " is missing: "
            + String.join("; ", missing));
      }
      if (psks.size() > pattern.pskCount()) {
        throw new IllegalStateException(protocol + " uses " + pattern.pskCount() + " PSK(s), but "
            + psks.size() + " were given");
      }
      if (remoteStatic != null && !remotePremessage && !pattern.sends(!initiator, Token.S)) {
        throw new IllegalStateException("remoteStatic was given, but in " + pattern + " the "
            + role(!initiator) + " never presents a static key, so it could not be checked");
      }
      return new NoiseHandshake(this, remotePremessage);
    }

    private List<String> missing(HandshakePattern pattern, boolean remotePremessage) {
      List<String> missing = new ArrayList<>();
      if (localStatic == null
          && (pattern.premessage(initiator).contains(Token.S) || pattern.sends(initiator, Token.S))) {
        missing.add("localStatic (" + pattern + " sends or pre-shares the " + role(initiator)
            + "'s static key)");
      }
      if (remoteStatic == null && remotePremessage) {
        missing.add("remoteStatic (" + pattern + " needs the " + role(!initiator)
            + "'s static key in advance)");
      }
      if (psks.size() < pattern.pskCount()) {
        missing.add(pattern.pskCount() + " PSK(s) (got " + psks.size() + ")");
      }
      return missing;
    }

    private NoiseKeyPair requireDh(NoiseKeyPair keyPair, String what) {
      Objects.requireNonNull(keyPair, what);
      if (keyPair.dh() != protocol.dh()) {
        throw new IllegalArgumentException(what + " is a " + keyPair.dh() + " key pair but "
            + protocol + " uses " + protocol.dh());
      }
      return keyPair;
    }

    private static String role(boolean isInitiator) {
      return isInitiator ? "initiator" : "responder";
    }
  }
}
