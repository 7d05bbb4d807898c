package dev.chorus.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TrackManifestTest {
  static final PublisherKeyPair KEY = PublisherKeyPair.fromPrivateKey(RawManifest.RFC8032_SECRET);
  static final PublisherKeyPair OTHER_KEY = PublisherKeyPair.fromPrivateKey(new byte[32]);

  static TrackManifest.Builder sampleBuilder() {
    return TrackManifest.builder()
        .mimeType("audio/ogg; codecs=opus")
        .durationMillis(2_500)
        .bitsPerSecond(128_000)
        .originKey("tracks/0f/0f1e2d.opus");
  }

  static TrackManifest sample(byte[] content) {
    return sampleBuilder().publish(content, KEY);
  }

  @Test
  void publishedManifestRoundTripsThroughTheWireForm() throws Exception {
    byte[] content = RawManifest.content(40_000, 40_000);
    TrackManifest m = sample(content);

    TrackManifest back = ManifestVerifier.create().verify(m.trackId(), m.encoded());

    assertEquals(m, back);
    assertEquals(m.trackId(), back.trackId());
    assertEquals(KEY.publicKey(), back.publisher());
    assertEquals("audio/ogg; codecs=opus", back.mimeType());
    assertEquals("tracks/0f/0f1e2d.opus", back.originKey());
    assertEquals(2_500, back.durationMillis());
    assertEquals(128_000, back.bitsPerSecond());
    assertEquals(40_000, back.sizeBytes());
    assertEquals(TrackManifest.DEFAULT_CHUNK_BYTES, back.chunkSizeBytes());
    assertEquals(3, back.chunkCount());
    assertEquals(m.encodedLength(), back.encoded().length);
  }

  @Test
  void matchesTheIndependentEncodingOfTheDocumentedLayout() {
    byte[] content = RawManifest.content(40_000, 40_000);
    RawManifest raw = RawManifest.of(content, 16_384, RawManifest.RFC8032_SECRET);

    TrackManifest m = sample(content);

    assertArrayEquals(raw.encode(), m.encoded());
    assertEquals(raw.trackId(), m.trackId());
  }

  /**
   * Pins the format: other implementations can check themselves against these values, which
   * are also in protocol/docs/manifest.md. Content byte i is (7 i) mod 256.
   */
  @Test
  void testVector() {
    byte[] content = new byte[40_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 7);
    }

    TrackManifest m = sample(content);

    assertEquals(TestVector.TRACK_ID, m.trackId().toHex());
    assertEquals(TestVector.ENCODED_LENGTH, m.encodedLength());
    byte[] encoded = m.encoded();
    assertEquals(TestVector.SIGNATURE, HexFormat.of().formatHex(encoded, encoded.length - 64, encoded.length));
  }

  @Test
  void signingTheSameContentAgainGivesTheSameBytesAndId() {
    byte[] content = RawManifest.content(100_000, 7);

    TrackManifest a = sample(content);
    TrackManifest b = sample(content.clone());

    assertEquals(a.trackId(), b.trackId());
    assertArrayEquals(a.encoded(), b.encoded());
  }

  @Test
  void theIdChangesWithThePublisherAndWithEveryField() {
    byte[] content = RawManifest.content(40_000, 1);
    TrackId id = sample(content).trackId();

    assertNotEquals(id, sampleBuilder().publish(content, OTHER_KEY).trackId());
    assertNotEquals(id, sampleBuilder().mimeType("audio/mpeg").publish(content, KEY).trackId());
    assertNotEquals(id, sampleBuilder().originKey("x").publish(content, KEY).trackId());
    assertNotEquals(id, sampleBuilder().durationMillis(2_501).publish(content, KEY).trackId());
    assertNotEquals(id, sampleBuilder().bitsPerSecond(1).publish(content, KEY).trackId());
    assertNotEquals(id, sampleBuilder().chunkSizeBytes(8192).publish(content, KEY).trackId());
    content[39_999] ^= 1;
    assertNotEquals(id, sample(content).trackId());
  }

  @Test
  void publishingAStreamReadsItChunkByChunkAndMatchesPublishingBytes() throws IOException {
    byte[] content = RawManifest.content(100_000, 3);
    int[] largestRead = {0};
    // A stream that returns at most 1000 bytes a read, as sockets and files may.
    InputStream trickle =
        new FilterInputStream(new ByteArrayInputStream(content)) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            largestRead[0] = Math.max(largestRead[0], len);
            return super.read(b, off, Math.min(len, 1000));
          }
        };

    TrackManifest streamed = sampleBuilder().publish(trickle, KEY);

    assertEquals(sample(content), streamed);
    assertTrue(largestRead[0] <= TrackManifest.DEFAULT_CHUNK_BYTES, "reads at most a chunk at a time");
  }

  @Test
  void everyChunkOfThePublishedContentVerifies() throws Exception {
    byte[] content = RawManifest.content(50_001, 5);
    TrackManifest m = sampleBuilder().chunkSizeBytes(4096).publish(content, KEY);
    ManifestVerifier verifier = ManifestVerifier.create();

    assertEquals(13, m.chunkCount());
    for (int i = 0; i < m.chunkCount(); i++) {
      int from = (int) m.chunkOffset(i);
      verifier.verifyChunk(m, i, Arrays.copyOfRange(content, from, from + m.chunkLength(i)));
    }
    assertEquals(50_001 - 12 * 4096, m.chunkLength(12));
  }

  @Test
  void signWithGivenHashesEqualsPublish() {
    byte[] content = RawManifest.content(40_000, 9);
    List<byte[]> hashes = new ArrayList<>();
    for (int off = 0; off < content.length; off += 16_384) {
      hashes.add(RawManifest.sha256(Arrays.copyOfRange(content, off, Math.min(content.length, off + 16_384))));
    }

    TrackManifest signed = sampleBuilder().sizeBytes(40_000).chunkHashes(hashes).sign(KEY);

    assertEquals(sample(content), signed);
  }

  @Test
  void rejectsWhatReceiversWouldReject() {
    byte[] content = RawManifest.content(40_000, 2);

    assertThrowsWithMessage(() -> sampleBuilder().publish(new byte[0], KEY), "content is empty");
    assertThrowsWithMessage(
        () -> sampleBuilder().chunkSizeBytes(10_000).publish(content, KEY),
        "chunkSizeBytes: chunk size must be a power of two");
    assertThrowsWithMessage(
        () -> sampleBuilder().mimeType("").publish(content, KEY), "mimeType must be 1 to 127 bytes");
    assertThrowsWithMessage(
        () -> sampleBuilder().mimeType("audio/ögg").publish(content, KEY), "printable ASCII");
    assertThrowsWithMessage(
        () -> sampleBuilder().originKey("k".repeat(1025)).publish(content, KEY),
        "originKey must be 1 to 1024 bytes in UTF-8, got 1025");
    assertThrowsWithMessage(
        () -> sampleBuilder().originKey("a\nb").publish(content, KEY), "control character");
    assertThrowsWithMessage(
        () -> sampleBuilder().originKey("\ud800").publish(content, KEY), "unpaired surrogate");
    assertThrowsWithMessage(
        () -> sampleBuilder().durationMillis(0).publish(content, KEY), "durationMillis");
    assertThrowsWithMessage(
        () -> sampleBuilder().bitsPerSecond(-1).publish(content, KEY), "bitsPerSecond");
    assertThrowsWithMessage(
        () -> sampleBuilder().sizeBytes(40_001).chunkHashes(List.of(new byte[32])).sign(KEY),
        "40001 bytes at chunk size 16384 are 3 chunks, got 1 hashes");
    assertThrowsWithMessage(
        () -> sampleBuilder().chunkHashes(List.of(new byte[31])), "hash 0 is 31 bytes");
  }

  @Test
  void missingFieldsAreNamed() {
    byte[] content = new byte[10];
    assertMissing("mimeType is not set", () -> TrackManifest.builder().publish(content, KEY));
    assertMissing(
        "durationMillis is not set",
        () -> TrackManifest.builder().mimeType("audio/mpeg").originKey("k").bitsPerSecond(1).publish(content, KEY));
    assertMissing(
        "bitsPerSecond is not set",
        () -> TrackManifest.builder().mimeType("audio/mpeg").originKey("k").durationMillis(1).publish(content, KEY));
    assertMissing("sizeBytes is not set", () -> sampleBuilder().sign(KEY));
    assertMissing("chunkHashes is not set", () -> sampleBuilder().sizeBytes(1).sign(KEY));
  }

  static void assertMissing(String message, Executable e) {
    assertEquals(message, assertThrows(IllegalStateException.class, e).getMessage());
  }

  @Test
  void rejectsContentOverTheLimitsBeforeReadingItAll() {
    ManifestLimits twoChunks = ManifestLimits.builder().maxChunkCount(2).build();
    int[] read = {0};
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            read[0]++;
            return 0;
          }
        };

    assertThrowsWithMessage(
        () -> sampleBuilder().limits(twoChunks).chunkSizeBytes(1024).publish(endless, KEY),
        "more than 2 chunks of 1024 bytes");
    assertTrue(read[0] <= 3 * 1024, "stopped at the limit, read " + read[0]);
    assertThrowsWithMessage(
        () ->
            sampleBuilder()
                .limits(ManifestLimits.builder().maxChunkBytes(8192).build())
                .publish(new byte[1], KEY),
        "chunkSizeBytes 16384 is above the limit 8192");
    assertThrowsWithMessage(
        () ->
            sampleBuilder()
                .limits(ManifestLimits.builder().maxEncodedBytes(200).build())
                .publish(new byte[1], KEY),
        "the limit is 200");
  }

  @Test
  void toStringNamesTheTrack() {
    TrackManifest m = sample(new byte[100]);

    assertTrue(m.toString().contains(m.trackId().toHex()), m.toString());
    assertTrue(m.toString().contains("audio/ogg; codecs=opus"), m.toString());
  }

  static void assertThrowsWithMessage(Executable e0, String messagePart) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, e0);
    assertTrue(
        e.getMessage().contains(messagePart),
        () -> "message \"" + e.getMessage() + "\" should mention \"" + messagePart + "\"");
  }

  /** The test vector of protocol/docs/manifest.md. */
  static final class TestVector {
    static final String TRACK_ID =
        "9e4486b3bc60da8e1657b727bb0ce98fc8d5c1cdbaef6ce1b7e3d52093c532b4";
    static final String SIGNATURE =
        "36c2f3f5ed44ce9ecff6d1029c4a0fe686dd3cab315b2ecdb68a5f93b057a6d7"
            + "fbf7739246794a586200b127a315b9ca2d680eebe56be6976cf6e1bd20c33502";
    static final int ENCODED_LENGTH = 271;
  }
}
