package dev.chorus.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.protocol.manifest.ManifestException.Reason;
import dev.chorus.protocol.wire.ErrorCode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each way a manifest or chunk can be wrong gives its own reason. */
class ManifestVerifierTest {
  private static final PublisherKeyPair KEY = TrackManifestTest.KEY;
  private static final PublisherKeyPair OTHER_KEY = TrackManifestTest.OTHER_KEY;

  private final byte[] content = RawManifest.content(40_000, 11);
  private final TrackManifest manifest = TrackManifestTest.sample(content);
  private final TrackId id = manifest.trackId();
  private final byte[] encoded = manifest.encoded();
  private final ManifestVerifier verifier = ManifestVerifier.create();

  static ManifestException assertFails(Reason reason, Executable e) {
    ManifestException thrown = assertThrows(ManifestException.class, e);
    assertEquals(reason, thrown.reason(), thrown::getMessage);
    assertEquals(reason.code(), thrown.code());
    return thrown;
  }

  private byte[] chunk(int index) {
    int from = (int) manifest.chunkOffset(index);
    return Arrays.copyOfRange(content, from, from + manifest.chunkLength(index));
  }

  @Test
  void acceptsTheManifestItsIdNames() throws Exception {
    assertEquals(manifest, verifier.verify(id, encoded));
    assertEquals(manifest, verifier.verifyWithoutId(encoded));
  }

  @Test
  void aFlippedSignatureBitIsABadSignature() {
    byte[] tampered = encoded.clone();
    tampered[tampered.length - 40] ^= 0x10;

    assertFails(Reason.BAD_SIGNATURE, () -> verifier.verify(id, tampered));
  }

  @Test
  void aFlippedBodyBitIsTheWrongTrackOrABadSignature() {
    byte[] tampered = encoded.clone();
    tampered[tampered.length - 64 - 1] ^= 0x01; // last byte of the last chunk hash

    ManifestException e = assertFails(Reason.WRONG_TRACK_ID, () -> verifier.verify(id, tampered));
    assertEquals(ErrorCode.BAD_MANIFEST, e.code());
    // Without the id, only the signature can tell.
    assertFails(Reason.BAD_SIGNATURE, () -> verifier.verifyWithoutId(tampered));
  }

  @Test
  void anotherTracksIdIsTheWrongTrack() {
    TrackId other = TrackManifestTest.sample(new byte[1]).trackId();

    assertFails(Reason.WRONG_TRACK_ID, () -> verifier.verify(other, encoded));
  }

  @Test
  void aManifestNamingOnePublisherButSignedByAnotherIsABadSignature() {
    RawManifest raw = RawManifest.of(content, 16_384, OTHER_KEY.privateKey());
    raw.publicKey = KEY.publicKey().bytes(); // claims KEY, signed with OTHER_KEY
    byte[] forged = raw.encode();

    assertFails(Reason.BAD_SIGNATURE, () -> verifier.verify(raw.trackId(), forged));
  }

  @Test
  void onlyTrustedPublishersWhenASetIsGiven() throws Exception {
    ManifestVerifier trustsOther =
        ManifestVerifier.builder().trustedPublishers(List.of(OTHER_KEY.publicKey())).build();
    ManifestVerifier trustsBoth =
        ManifestVerifier.builder()
            .trustedPublishers(List.of(OTHER_KEY.publicKey(), KEY.publicKey()))
            .build();

    assertFails(Reason.UNTRUSTED_PUBLISHER, () -> trustsOther.verify(id, encoded));
    assertFails(Reason.UNTRUSTED_PUBLISHER, () -> trustsOther.verifyWithoutId(encoded));
    assertEquals(manifest, trustsBoth.verify(id, encoded));
  }

  @Test
  void parseFailuresAreMalformedOrTooLarge() {
    ManifestVerifier strict =
        ManifestVerifier.builder()
            .limits(ManifestLimits.builder().maxEncodedBytes(encoded.length - 1).build())
            .build();

    assertFails(Reason.TOO_LARGE, () -> strict.verify(id, encoded));
    assertFails(Reason.MALFORMED, () -> verifier.verify(id, Arrays.copyOf(encoded, 100)));
  }

  @Test
  void everyChunkVerifiesFromArraysAndBuffers() throws Exception {
    for (int i = 0; i < manifest.chunkCount(); i++) {
      byte[] chunk = chunk(i);
      verifier.verifyChunk(manifest, i, chunk);

      ByteBuffer heap = ByteBuffer.allocate(chunk.length + 20).position(7);
      heap.put(chunk).flip().position(7);
      verifier.verifyChunk(manifest, i, heap);
      assertEquals(7, heap.position(), "position unchanged");
      assertEquals(7 + chunk.length, heap.limit(), "limit unchanged");

      ByteBuffer direct = ByteBuffer.allocateDirect(chunk.length).put(chunk).flip();
      verifier.verifyChunk(manifest, i, direct);
      verifier.verifyChunk(manifest, i, direct.asReadOnlyBuffer());
      assertEquals(0, direct.position());
    }
  }

  @Test
  void aWrongByteIsAWrongChunk() {
    byte[] chunk = chunk(1);
    chunk[100] ^= 1;

    ManifestException e = assertFails(Reason.WRONG_CHUNK, () -> verifier.verifyChunk(manifest, 1, chunk));
    assertEquals(ErrorCode.BAD_CHUNK, e.code());
    assertFails(Reason.WRONG_CHUNK, () -> verifier.verifyChunk(manifest, 1, ByteBuffer.wrap(chunk)));
  }

  @Test
  void theRightDataAtTheWrongIndexIsAWrongChunk() {
    assertFails(Reason.WRONG_CHUNK, () -> verifier.verifyChunk(manifest, 1, chunk(0)));
  }

  @Test
  void aShortOrLongChunkIsTheWrongLength() {
    byte[] last = chunk(2);
    byte[] shortLast = Arrays.copyOf(last, last.length - 1);
    byte[] longLast = Arrays.copyOf(last, last.length + 1);

    assertFails(Reason.WRONG_CHUNK_LENGTH, () -> verifier.verifyChunk(manifest, 2, shortLast));
    assertFails(Reason.WRONG_CHUNK_LENGTH, () -> verifier.verifyChunk(manifest, 2, longLast));
    assertFails(Reason.WRONG_CHUNK_LENGTH, () -> verifier.verifyChunk(manifest, 0, last));
    assertFails(
        Reason.WRONG_CHUNK_LENGTH, () -> verifier.verifyChunk(manifest, 2, ByteBuffer.wrap(shortLast)));
  }

  @Test
  void anIndexOutsideTheManifestIsOutOfRange() {
    assertFails(Reason.CHUNK_INDEX_OUT_OF_RANGE, () -> verifier.verifyChunk(manifest, 3, chunk(2)));
    assertFails(Reason.CHUNK_INDEX_OUT_OF_RANGE, () -> verifier.verifyChunk(manifest, -1, chunk(0)));
    assertFails(
        Reason.CHUNK_INDEX_OUT_OF_RANGE,
        () -> verifier.verifyChunk(manifest, Integer.MAX_VALUE, ByteBuffer.wrap(chunk(0))));
  }

  @Test
  void aFailedChunkLeavesTheVerifierUsable() throws Exception {
    byte[] bad = chunk(0);
    bad[0] ^= 1;
    assertFails(Reason.WRONG_CHUNK, () -> verifier.verifyChunk(manifest, 0, bad));
    assertFails(Reason.WRONG_CHUNK_LENGTH, () -> verifier.verifyChunk(manifest, 0, new byte[5]));

    verifier.verifyChunk(manifest, 0, chunk(0));
  }

  @Test
  void reasonsMapToWireCodes() {
    for (Reason r : Reason.values()) {
      ErrorCode expected =
          r.name().contains("CHUNK") ? ErrorCode.BAD_CHUNK : ErrorCode.BAD_MANIFEST;
      assertEquals(expected, r.code(), r.name());
    }
    assertArrayEquals(
        new Reason[] {
          Reason.TOO_LARGE, Reason.MALFORMED, Reason.WRONG_TRACK_ID, Reason.BAD_SIGNATURE,
          Reason.UNTRUSTED_PUBLISHER, Reason.WRONG_CHUNK, Reason.WRONG_CHUNK_LENGTH,
          Reason.CHUNK_INDEX_OUT_OF_RANGE
        },
        Reason.values());
  }
}
