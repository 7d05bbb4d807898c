package dev.chorus.protocol.manifest;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A publisher's Ed25519 key pair: the 32-byte RFC 8032 private key (the seed) and its public key.
 *
 * <p>Text form of the private key: {@code chorus-ed25519-sec:} followed by 64 lowercase hex digits
 * of the seed; the public key follows from it. Keep it in a file only its owner can read. {@link
 * #toString()} shows only the public key. Immutable.
 */
public final class PublisherKeyPair {
  public static final int PRIVATE_KEY_BYTES = Ed25519.SECRET_KEY_SIZE;
  /** Prefix of the text form of a private key. */
  public static final String TEXT_PREFIX = "chorus-ed25519-sec:";

  private final byte[] privateKey;
  private final byte[] publicKeyBytes;
  private final PublisherKey publicKey;

  private PublisherKeyPair(byte[] privateKey) {
    this.privateKey = privateKey;
    this.publicKeyBytes = new byte[PublisherKey.BYTES];
    Ed25519.generatePublicKey(privateKey, 0, publicKeyBytes, 0);
    this.publicKey = PublisherKey.fromBytes(publicKeyBytes);
  }

  /** A new key pair from {@code random}. */
  public static PublisherKeyPair generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    byte[] seed = new byte[PRIVATE_KEY_BYTES];
    Ed25519.generatePrivateKey(random, seed);
    return new PublisherKeyPair(seed);
  }

  /** The key pair of a 32-byte RFC 8032 private key (copied). */
  public static PublisherKeyPair fromPrivateKey(byte[] privateKey) {
    Objects.requireNonNull(privateKey, "privateKey");
    if (privateKey.length != PRIVATE_KEY_BYTES) {
      throw new IllegalArgumentException(
          "an Ed25519 private key is " + PRIVATE_KEY_BYTES + " bytes, got " + privateKey.length);
    }
    return new PublisherKeyPair(privateKey.clone());
  }

  /** Parses the text form {@code chorus-ed25519-sec:<64 hex digits>}. */
  public static PublisherKeyPair fromText(String text) {
    return new PublisherKeyPair(
        PublisherKey.parseText(text, TEXT_PREFIX, "publisher private key", PublisherKey.TEXT_PREFIX));
  }

  public PublisherKey publicKey() {
    return publicKey;
  }

  /** The 32-byte private key (a copy). Secret. */
  public byte[] privateKey() {
    return privateKey.clone();
  }

  /** The private key as {@code chorus-ed25519-sec:<64 hex digits>}. Secret. */
  public String toSecretText() {
    return TEXT_PREFIX + HexFormat.of().formatHex(privateKey);
  }

  /** The 64-byte Ed25519 signature of {@code msg}. */
  byte[] sign(byte[] msg) {
    byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(privateKey, 0, publicKeyBytes, 0, msg, 0, msg.length, signature, 0);
    return signature;
  }

  /** Shows the public key only. */
  @Override
  public String toString() {
    return "PublisherKeyPair[" + publicKey.toText() + "]";
  }
}
