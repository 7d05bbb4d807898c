package dev.chorus.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TrackId, PublisherKey, PublisherKeyPair and ManifestLimits: parsing, text forms, checks. */
class KeysAndIdsTest {
  private static final HexFormat HEX = HexFormat.of();

  /** A SecureRandom whose output is fixed by a seed, so that generated keys are reproducible. */
  static final class SeededRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final Random random;

    SeededRandom(long seed) {
      this.random = new Random(seed);
    }

    @Override
    public void nextBytes(byte[] bytes) {
      random.nextBytes(bytes);
    }
  }

  static void assertIllegal(String messagePart, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(
        e.getMessage().contains(messagePart),
        () -> "message \"" + e.getMessage() + "\" should mention \"" + messagePart + "\"");
  }

  @Test
  void trackIdHexRoundTripsAndIsLowercase() {
    String hex = "00ff" + "ab".repeat(30);
    TrackId id = TrackId.fromHex(hex.toUpperCase());

    assertEquals(hex, id.toHex());
    assertEquals(hex, id.toString());
    assertEquals(id, TrackId.fromBytes(HEX.parseHex(hex)));
    assertEquals(id.hashCode(), TrackId.fromHex(hex).hashCode());
    assertNotEquals(id, TrackId.fromBytes(new byte[32]));
    assertTrue(TrackId.fromBytes(new byte[32]).compareTo(id) < 0);
  }

  @Test
  void trackIdBytesAreCopiedBothWays() {
    byte[] raw = new byte[32];
    TrackId id = TrackId.fromBytes(raw);
    raw[0] = 1;
    id.bytes()[1] = 1;

    assertArrayEquals(new byte[32], id.bytes());
  }

  @Test
  void trackIdParseErrorsSayWhatIsExpected() {
    assertIllegal("64 hex digits, got 63 characters", () -> TrackId.fromHex("a".repeat(63)));
    assertIllegal("64 hex digits, found 'g' at position 5", () -> TrackId.fromHex("aaaaag" + "a".repeat(58)));
    assertIllegal("32 bytes (a SHA-256), got 31", () -> TrackId.fromBytes(new byte[31]));
    assertThrows(NullPointerException.class, () -> TrackId.fromHex(null));
  }

  /** RFC 8032 section 7.1, test 1: our signing is plain Ed25519, interoperable with any library. */
  @Test
  void signingIsRfc8032Ed25519() {
    PublisherKeyPair pair = PublisherKeyPair.fromPrivateKey(RawManifest.RFC8032_SECRET);

    assertEquals(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        HEX.formatHex(pair.publicKey().bytes()));
    assertEquals(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        HEX.formatHex(pair.sign(new byte[0])));
  }

  @Test
  void keyTextFormsRoundTrip() {
    PublisherKeyPair pair = PublisherKeyPair.generate(new SeededRandom(42));

    String secret = pair.toSecretText();
    String pub = pair.publicKey().toText();

    assertTrue(secret.matches("chorus-ed25519-sec:[0-9a-f]{64}"), secret);
    assertTrue(pub.matches("chorus-ed25519-pub:[0-9a-f]{64}"), pub);
    assertEquals(pair.publicKey(), PublisherKeyPair.fromText(secret).publicKey());
    String upperHexWithNewline =
        PublisherKeyPair.TEXT_PREFIX + secret.substring(PublisherKeyPair.TEXT_PREFIX.length()).toUpperCase() + "\n";
    assertArrayEquals(pair.privateKey(), PublisherKeyPair.fromText(upperHexWithNewline).privateKey());
    assertEquals(pair.publicKey(), PublisherKey.fromText(pub + "\n"));
    assertEquals(pair.publicKey(), PublisherKey.fromBytes(pair.publicKey().bytes()));
  }

  @Test
  void generationUsesTheGivenRandom() {
    assertArrayEquals(
        PublisherKeyPair.generate(new SeededRandom(1)).privateKey(),
        PublisherKeyPair.generate(new SeededRandom(1)).privateKey());
    assertNotEquals(
        PublisherKeyPair.generate(new SeededRandom(1)).publicKey(),
        PublisherKeyPair.generate(new SeededRandom(2)).publicKey());
  }

  @Test
  void theSecretNeverShowsInToStringOrErrors() {
    PublisherKeyPair pair = PublisherKeyPair.generate(new SeededRandom(7));
    String secretHex = pair.toSecretText().substring(PublisherKeyPair.TEXT_PREFIX.length());

    assertFalse(pair.toString().contains(secretHex), pair.toString());
    assertTrue(pair.toString().contains(pair.publicKey().toText()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PublisherKeyPair.fromText(secretHex));
    assertFalse(e.getMessage().contains(secretHex), e.getMessage());
  }

  @Test
  void keyTextParseErrorsSayWhatIsExpected() {
    PublisherKeyPair pair = PublisherKeyPair.generate(new SeededRandom(3));

    assertIllegal(
        "expected a publisher public key of the form chorus-ed25519-pub:<64 hex digits>, got one"
            + " starting with chorus-ed25519-sec:",
        () -> PublisherKey.fromText(pair.toSecretText()));
    assertIllegal(
        "expected a publisher private key", () -> PublisherKeyPair.fromText(pair.publicKey().toText()));
    assertIllegal("got 62 characters after the prefix", () -> PublisherKey.fromText("chorus-ed25519-pub:" + "a".repeat(62)));
    assertIllegal("non-hex character at position 19", () -> PublisherKey.fromText("chorus-ed25519-pub:" + "x".repeat(64)));
    assertIllegal("without that prefix", () -> PublisherKey.fromText("a".repeat(64)));
    byte[] identity = new byte[32];
    identity[0] = 1;
    assertIllegal("not a valid Ed25519 public key", () -> PublisherKey.fromBytes(identity));
    assertIllegal(
        "not a valid Ed25519 public key",
        () -> PublisherKey.fromText("chorus-ed25519-pub:" + HEX.formatHex(identity)));
    assertIllegal("32 bytes, got 33", () -> PublisherKey.fromBytes(new byte[33]));
    assertIllegal("32 bytes, got 16", () -> PublisherKeyPair.fromPrivateKey(new byte[16]));
  }

  @Test
  void limitsNameTheKeyThatIsWrong() {
    ManifestLimits d = ManifestLimits.defaults();
    assertEquals(4 * 1024 * 1024 + 4096, d.maxEncodedBytes());
    assertEquals(131_072, d.maxChunkCount());
    assertEquals(1 << 20, d.maxChunkBytes());
    // The defaults agree: the largest header plus 131072 hashes and a signature fits.
    int largestHeader = ManifestCodec.FIXED_BODY_BYTES + ManifestCodec.MAX_MIME_TYPE_BYTES
        + ManifestCodec.MAX_ORIGIN_KEY_BYTES;
    assertTrue(largestHeader + 32 * d.maxChunkCount() + 64 <= d.maxEncodedBytes());

    assertIllegal("maxEncodedBytes must be at least 1, got 0", () -> ManifestLimits.builder().maxEncodedBytes(0));
    assertIllegal("maxChunkCount must be at least 1, got -1", () -> ManifestLimits.builder().maxChunkCount(-1));
    assertIllegal("maxChunkBytes: chunk size must be a power of two", () -> ManifestLimits.builder().maxChunkBytes(3000));
  }
}
