package dev.chorus.protocol.noise;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A parsed, supported Noise protocol name such as {@code Noise_XX_25519_AESGCM_SHA256} or
 * {@code Noise_NNpsk0+psk2_448_ChaChaPoly_BLAKE2b} (spec section 8). Immutable; equal when the
 * names are equal.
 */
public final class NoiseProtocolName {
  private static final int MAX_NAME_LENGTH = 255;

  private final String name;
  private final String handshakePattern;
  private final String basePattern;
  private final List<Integer> pskModifiers;
  private final NoiseDh dh;
  private final CipherFunction cipher;
  private final HashFunction hash;
  private final HandshakePattern pattern;

  private NoiseProtocolName(String name, String handshakePattern, String basePattern,
      List<Integer> pskModifiers, NoiseDh dh, CipherFunction cipher, HashFunction hash,
      HandshakePattern pattern) {
    this.name = name;
    this.handshakePattern = handshakePattern;
    this.basePattern = basePattern;
    this.pskModifiers = pskModifiers;
    this.dh = dh;
    this.cipher = cipher;
    this.hash = hash;
    this.pattern = pattern;
  }

  /**
   * Parses {@code name}.
   *
   * @throws IllegalArgumentException naming the malformed or unsupported part
   */
  public static NoiseProtocolName parse(String name) {
    Objects.requireNonNull(name, "name");
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("Noise protocol name longer than 255 characters");
    }
    String[] parts = name.split("_", -1);
    if (parts.length != 5 || !parts[0].equals("Noise")) {
      throw new IllegalArgumentException(
          "not a Noise protocol name (Noise_<pattern>_<dh>_<cipher>_<hash>): " + name);
    }
    NoiseDh dh = NoiseDh.fromNoiseName(parts[2]);
    require(dh != null, "DH function", parts[2], name);
    CipherFunction cipher = CipherFunction.fromNoiseName(parts[3]);
    require(cipher != null, "cipher", parts[3], name);
    HashFunction hash = HashFunction.fromNoiseName(parts[4]);
    require(hash != null, "hash function", parts[4], name);
    String patternPart = parts[1];
    int modifiersStart = firstLowerCase(patternPart);
    String base = patternPart.substring(0, modifiersStart);
    HandshakePattern basePattern = HandshakePattern.lookup(base);
    require(basePattern != null, "handshake pattern", base, name);
    List<Integer> psks = parsePskModifiers(patternPart.substring(modifiersStart), name);
    HandshakePattern pattern;
    try {
      pattern = psks.isEmpty() ? basePattern : basePattern.withPsks(psks, patternPart);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (in " + name + ")", e);
    }
    return new NoiseProtocolName(name, patternPart, base, psks, dh, cipher, hash, pattern);
  }

  private static int firstLowerCase(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isLowerCase(s.charAt(i))) {
        return i;
      }
    }
    return s.length();
  }

  private static List<Integer> parsePskModifiers(String modifiers, String name) {
    List<Integer> positions = new ArrayList<>();
    if (modifiers.isEmpty()) {
      return List.of();
    }
    for (String modifier : modifiers.split("\\+", -1)) {
      require(modifier.matches("psk[0-9]{1,2}"), "pattern modifier", modifier, name);
      int position = Integer.parseInt(modifier.substring(3));
      if (positions.contains(position)) {
        throw new IllegalArgumentException("duplicate modifier " + modifier + " in " + name);
      }
      positions.add(position);
    }
    return List.copyOf(positions);
  }

  private static void require(boolean supported, String what, String value, String name) {
    if (!supported) {
      throw new IllegalArgumentException(
          "unsupported " + what + " '" + value + "' in Noise protocol name " + name);
    }
  }

  /** The full name, e.g. {@code Noise_XX_25519_AESGCM_SHA256}. */
  public String name() {
    return name;
  }

  /** The pattern with its modifiers, e.g. {@code XXpsk3}. */
  public String handshakePattern() {
    return handshakePattern;
  }

  /** The pattern without modifiers, e.g. {@code XX}. */
  public String basePattern() {
    return basePattern;
  }

  /** The psk modifier positions in name order, e.g. [0, 2] for {@code psk0+psk2}. */
  public List<Integer> pskModifiers() {
    return pskModifiers;
  }

  public NoiseDh dh() {
    return dh;
  }

  /** {@code AESGCM} or {@code ChaChaPoly}. */
  public String cipher() {
    return cipher.noiseName();
  }

  /** {@code SHA256}, {@code SHA512}, {@code BLAKE2s} or {@code BLAKE2b}. */
  public String hash() {
    return hash.noiseName();
  }

  /** True for the one-way patterns (N, K, X and their psk variants). */
  public boolean isOneWay() {
    return pattern.isOneWay();
  }

  CipherFunction cipherFunction() {
    return cipher;
  }

  HashFunction hashFunction() {
    return hash;
  }

  HandshakePattern pattern() {
    return pattern;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NoiseProtocolName && ((NoiseProtocolName) other).name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
