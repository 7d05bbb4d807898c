package dev.chorus.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.ManifestException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser in the four codec cases: well-formed, incomplete, invalid, bad length. */
class ManifestCodecTest {
  private static final ManifestLimits DEFAULTS = ManifestLimits.defaults();

  static TrackManifest parse(byte[] encoded) throws ManifestException {
    return ManifestCodec.parse(encoded, DEFAULTS);
  }

  static void assertRejected(Reason reason, byte[] encoded, ManifestLimits limits, String messagePart) {
    ManifestException e =
        assertThrows(ManifestException.class, () -> ManifestCodec.parse(encoded, limits));
    assertEquals(reason, e.reason(), e::getMessage);
    assertTrue(
        e.getMessage().contains(messagePart),
        () -> "message \"" + e.getMessage() + "\" should mention \"" + messagePart + "\"");
  }

  static void assertMalformed(Consumer<RawManifest> change, String messagePart) {
    RawManifest m = RawManifest.sample(40_000);
    change.accept(m);
    assertRejected(Reason.MALFORMED, m.encode(), DEFAULTS, messagePart);
  }

  @Nested
  class WellFormed {
    @Test
    void parsesEveryFieldOfTheDocumentedLayout() throws Exception {
      RawManifest raw = RawManifest.sample(40_000);
      byte[] encoded = raw.encode();

      TrackManifest m = parse(encoded);

      assertArrayEquals(raw.publicKey, m.publisher().bytes());
      assertEquals("audio/ogg; codecs=opus", m.mimeType());
      assertEquals("tracks/0f/0f1e2d.opus", m.originKey());
      assertEquals(2_500, m.durationMillis());
      assertEquals(128_000, m.bitsPerSecond());
      assertEquals(40_000, m.sizeBytes());
      assertEquals(16_384, m.chunkSizeBytes());
      assertEquals(3, m.chunkCount());
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(Arrays.copyOfRange(raw.hashes, 32 * i, 32 * i + 32), m.chunkHash(i));
      }
      assertEquals(raw.trackId(), m.trackId());
      assertArrayEquals(encoded, m.encoded());
      assertArrayEquals(encoded, m.reencode());
      assertTrue(m.signatureValid());
    }

    @Test
    void chunkOffsetsAndLengthsCoverTheFileExactly() throws Exception {
      TrackManifest m = parse(RawManifest.sample(40_000).encode());

      assertEquals(0, m.chunkOffset(0));
      assertEquals(16_384, m.chunkOffset(1));
      assertEquals(32_768, m.chunkOffset(2));
      assertEquals(16_384, m.chunkLength(0));
      assertEquals(16_384, m.chunkLength(1));
      assertEquals(40_000 - 32_768, m.chunkLength(2));
      assertThrows(IndexOutOfBoundsException.class, () -> m.chunkLength(3));
      assertThrows(IndexOutOfBoundsException.class, () -> m.chunkOffset(-1));
    }

    @Test
    void aFileOfWholeChunksHasAFullLastChunk() throws Exception {
      TrackManifest m = parse(RawManifest.sample(2 * 16_384).encode());

      assertEquals(2, m.chunkCount());
      assertEquals(16_384, m.chunkLength(1));
    }

    @Test
    void acceptsTheExtremesOfEveryField() throws Exception {
      RawManifest raw = RawManifest.of(RawManifest.content(1, 1), 1 << 20, RawManifest.RFC8032_SECRET);
      raw.mime = "a".repeat(127).getBytes(StandardCharsets.US_ASCII);
      raw.origin = "é".repeat(512).getBytes(StandardCharsets.UTF_8); // 1024 bytes
      raw.durationMillis = Long.MAX_VALUE;
      raw.bitsPerSecond = Integer.MAX_VALUE;

      TrackManifest m = parse(raw.encode());

      assertEquals(1, m.sizeBytes());
      assertEquals(1, m.chunkLength(0));
      assertEquals(1 << 20, m.chunkSizeBytes());
      assertEquals(Long.MAX_VALUE, m.durationMillis());
      assertEquals(Integer.MAX_VALUE, m.bitsPerSecond());
      assertEquals("é".repeat(512), m.originKey());
      assertArrayEquals(raw.encode(), m.reencode());
    }

    @Test
    void keepsItsOwnCopyOfTheInput() throws Exception {
      byte[] encoded = RawManifest.sample(40_000).encode();
      TrackManifest m = parse(encoded);
      byte[] firstHash = m.chunkHash(0);

      Arrays.fill(encoded, (byte) 0);
      m.encoded()[0] = 0;
      m.chunkHash(0)[0] ^= 1;

      assertArrayEquals(firstHash, m.chunkHash(0));
      assertEquals('C', m.encoded()[0]);
    }
  }

  @Nested
  class Incomplete {
    @Test
    void everyStrictPrefixIsMalformed() {
      byte[] encoded = RawManifest.sample(40_000).encode();
      for (int length = 0; length < encoded.length; length++) {
        byte[] prefix = Arrays.copyOf(encoded, length);
        ManifestException e = assertThrows(ManifestException.class, () -> parse(prefix));
        assertEquals(Reason.MALFORMED, e.reason(), "prefix of " + length + " bytes");
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
      }
    }
  }

  @Nested
  class Invalid {
    @Test
    void badMagic() {
      assertMalformed(m -> m.magic = "CHM2".getBytes(StandardCharsets.US_ASCII), "magic");
    }

    @Test
    void publisherKeyNotOnTheCurveOrOfSmallOrder() {
      // y = 2 is not on the curve; the identity point (y = 1) has order 1.
      byte[] notOnCurve = new byte[32];
      notOnCurve[0] = 2;
      assertMalformed(m -> m.publicKey = notOnCurve, "publisher key");
      byte[] identity = new byte[32];
      identity[0] = 1;
      assertMalformed(m -> m.publicKey = identity, "publisher key");
    }

    @Test
    void emptyStrings() {
      assertMalformed(m -> m.mime = new byte[0], "mime type must be 1 to 127 bytes, got 0");
      assertMalformed(m -> m.origin = new byte[0], "origin key must be 1 to 1024 bytes, got 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"audio/ogg\n", "audio/\u00e9", "audio/ogg\u007f", "\u0000"})
    void mimeTypeThatIsNotPrintableAscii(String mime) {
      assertMalformed(m -> m.mime = mime.getBytes(StandardCharsets.UTF_8), "printable ASCII");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "c0af", // overlong '/'
          "e08080", // overlong NUL
          "eda080", // UTF-16 surrogate
          "80", // lone continuation byte
          "c3", // truncated sequence
          "f4908080", // above U+10FFFF
          "ff"
        })
    void originKeyThatIsNotUtf8(String hex) {
      assertMalformed(
          m -> m.origin = RawManifest.concat("a/".getBytes(StandardCharsets.US_ASCII), RawManifest.hex(hex)),
          "not valid UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\tb", "\u0000", "a\u007f", "a\u0085"})
    void originKeyWithControlCharacters(String origin) {
      assertMalformed(m -> m.origin = origin.getBytes(StandardCharsets.UTF_8), "control character");
    }

    @Test
    void zeroOrOutOfRangeNumbers() {
      assertMalformed(m -> m.durationMillis = 0, "duration");
      assertMalformed(m -> m.durationMillis = -1, "duration must be 1 to 2^63-1 ms, got 18446744073709551615");
      assertMalformed(m -> m.bitsPerSecond = 0, "bitrate");
      assertMalformed(m -> m.bitsPerSecond = 1L << 31, "bitrate must be 1 to 2^31-1 bits/s, got 2147483648");
      assertMalformed(m -> m.sizeBytes = 0, "size must be 1");
      assertMalformed(m -> m.sizeBytes = Long.MIN_VALUE, "size must be 1");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 512, 1023, 1025, 16_383, 3 * 4096, 2 << 20, 1L << 31, 0xffffffffL})
    void chunkSizeThatIsNotAPowerOfTwoFrom1KiBTo1MiB(long chunkBytes) {
      assertMalformed(
          m -> {
            m.chunkBytes = chunkBytes;
            m.chunkCount = 3;
          },
          "chunk size must be a power of two");
    }

    @Test
    void chunkCountInconsistentWithSize() {
      assertMalformed(m -> m.chunkCount = 2, "chunk count 2 does not match size 40000");
      assertMalformed(
          m -> {
            m.chunkCount = 4;
            m.hashes = Arrays.copyOf(m.hashes, 4 * 32);
          },
          "chunk count 4 does not match");
      assertMalformed(
          m -> {
            m.sizeBytes = 32_768;
            m.chunkCount = 3;
          },
          "chunk count 3 does not match size 32768");
    }

    @Test
    void trailingBytes() {
      assertMalformed(m -> m.trailing = new byte[1], "1 trailing bytes");
    }
  }

  @Nested
  class BadLength {
    @Test
    void encodedSizeOverTheLimitIsCheckedBeforeAnythingElse() {
      ManifestLimits small = ManifestLimits.builder().maxEncodedBytes(1000).build();
      byte[] garbage = new byte[1001]; // not even the magic is right

      assertRejected(Reason.TOO_LARGE, garbage, small, "1001 bytes, the limit is 1000");
      assertRejected(Reason.MALFORMED, new byte[1000], small, "magic");
    }

    @Test
    void aValidManifestOverTheSizeLimit() {
      byte[] encoded = RawManifest.sample(40_000).encode();
      ManifestLimits justBelow = ManifestLimits.builder().maxEncodedBytes(encoded.length - 1).build();
      ManifestLimits exact = ManifestLimits.builder().maxEncodedBytes(encoded.length).build();

      assertRejected(Reason.TOO_LARGE, encoded, justBelow, "the limit is");
      assertDoesNotThrow(encoded, exact);
    }

    @Test
    void stringLengthsLargerThanTheInput() {
      RawManifest raw = RawManifest.sample(40_000);
      raw.mimeLength = 100;
      byte[] endsInMime = Arrays.copyOf(raw.encode(), 4 + 32 + 2 + 22);
      assertRejected(Reason.MALFORMED, endsInMime, DEFAULTS, "truncated in mime type: need 100 bytes");
      assertMalformed(
          m -> {
            m.originLength = 1024;
            m.hashes = new byte[0];
            m.signature = new byte[0];
          },
          "truncated in origin key");
    }

    @Test
    void stringLengthsLargerThanTheFormatAllows() {
      assertMalformed(m -> m.mimeLength = 0xffff, "mime type must be 1 to 127 bytes, got 65535");
      assertMalformed(
          m -> m.mime = "a".repeat(128).getBytes(StandardCharsets.US_ASCII), "got 128");
      assertMalformed(
          m -> m.origin = "a".repeat(1025).getBytes(StandardCharsets.US_ASCII),
          "origin key must be 1 to 1024 bytes, got 1025");
    }

    @Test
    void chunkCountLargerThanTheInputIsRejectedWithoutAllocating() {
      // A consistent 2^32-1 chunk claim in a 200-byte input: must fail on the limit, not allocate.
      RawManifest m = RawManifest.sample(40_000);
      m.chunkBytes = 1 << 20;
      m.sizeBytes = 0xffffffffL << 20;
      m.chunkCount = 0xffffffffL;
      m.hashes = new byte[0];
      assertRejected(Reason.TOO_LARGE, m.encode(), DEFAULTS, "4294967295 chunks, the limit is 131072");

      ManifestLimits unlimited = ManifestLimits.builder().maxChunkCount(Integer.MAX_VALUE).build();
      m.sizeBytes = (long) Integer.MAX_VALUE << 20;
      m.chunkCount = Integer.MAX_VALUE;
      assertRejected(Reason.MALFORMED, m.encode(), unlimited, "truncated");
    }

    @Test
    void chunkCountOverTheLimit() {
      byte[] encoded = RawManifest.sample(40_000).encode(); // 3 chunks
      ManifestLimits two = ManifestLimits.builder().maxChunkCount(2).build();

      assertRejected(Reason.TOO_LARGE, encoded, two, "3 chunks, the limit is 2");
      assertDoesNotThrow(encoded, ManifestLimits.builder().maxChunkCount(3).build());
    }

    @Test
    void chunkSizeOverTheLimit() {
      byte[] encoded = RawManifest.sample(40_000).encode(); // 16 KiB chunks
      ManifestLimits eight = ManifestLimits.builder().maxChunkBytes(8192).build();

      assertRejected(Reason.TOO_LARGE, encoded, eight, "chunk size 16384 is above the limit 8192");
    }

    @Test
    void missingHashes() {
      assertMalformed(m -> m.hashes = Arrays.copyOf(m.hashes, 64), "truncated: 3 chunk hashes");
    }

    private void assertDoesNotThrow(byte[] encoded, ManifestLimits limits) {
      try {
        ManifestCodec.parse(encoded, limits);
      } catch (ManifestException e) {
        throw new AssertionError("expected to parse within " + limits, e);
      }
    }
  }
}
