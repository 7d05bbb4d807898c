package dev.chorus.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.protocol.manifest.ManifestException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The manifest parser on arbitrary bytes: it either accepts them, and then they are the canonical
 * encoding of what it parsed, or throws {@link ManifestException}; never anything else.
 *
 * <p>In a normal {@code mvn test} this runs in regression mode, once per seed in {@code
 * src/test/resources/dev/chorus/protocol/manifest/ManifestParserFuzzTestInputs/fuzzParse/} (and
 * the empty input). For a fuzzing run see {@code protocol/docs/manifest.md}.
 */
class ManifestParserFuzzTest {
  /** Small limits, so that the fuzzer can reach every limit with short inputs. */
  private static final ManifestLimits TIGHT =
      ManifestLimits.builder().maxEncodedBytes(4096).maxChunkCount(64).maxChunkBytes(4096).build();

  private static final Set<Reason> PARSE_REASONS = EnumSet.of(Reason.MALFORMED, Reason.TOO_LARGE);

  @FuzzTest(maxDuration = "5m")
  void fuzzParse(byte[] input) {
    parseWith(input, ManifestLimits.defaults());
    parseWith(input, TIGHT);
  }

  /** The seeds keep testing what their names say, should the format ever change. */
  @Test
  void seedsAreWhatTheirNamesSay() throws Exception {
    ManifestVerifier verifier = ManifestVerifier.create();
    for (String name : List.of("valid-3-chunks-16k", "valid-5-chunks-1k", "valid-1-byte")) {
      byte[] seed = seed(name);
      assertArrayEquals(seed, verifier.verifyWithoutId(seed).encoded(), name);
    }
    assertEquals(
        TrackManifestTest.TestVector.TRACK_ID,
        verifier.verifyWithoutId(seed("valid-3-chunks-16k")).trackId().toHex());
    ManifestException utf8 =
        assertThrows(ManifestException.class, () -> verifier.verifyWithoutId(seed("invalid-overlong-utf8")));
    assertEquals(Reason.MALFORMED, utf8.reason(), utf8::getMessage);
    ManifestException key =
        assertThrows(
            ManifestException.class, () -> verifier.verifyWithoutId(seed("invalid-small-order-publisher-key")));
    assertEquals(Reason.MALFORMED, key.reason(), key::getMessage);
    ManifestException count =
        assertThrows(
            ManifestException.class, () -> verifier.verifyWithoutId(seed("bad-length-huge-chunk-count")));
    assertEquals(Reason.TOO_LARGE, count.reason(), count::getMessage);
  }

  private static byte[] seed(String name) throws IOException {
    String path = "ManifestParserFuzzTestInputs/fuzzParse/" + name;
    try (InputStream in = ManifestParserFuzzTest.class.getResourceAsStream(path)) {
      assertNotNull(in, "missing test resource " + path);
      return in.readAllBytes();
    }
  }

  private static void parseWith(byte[] input, ManifestLimits limits) {
    TrackManifest manifest;
    try {
      manifest = ManifestCodec.parse(input, limits);
    } catch (ManifestException e) {
      assertNotNull(e.getMessage());
      assertTrue(PARSE_REASONS.contains(e.reason()), e::toString);
      return;
    }
    assertArrayEquals(input, manifest.reencode(), "accepted input is not canonical");
    assertEquals(manifest.sizeBytes(),
        manifest.chunkOffset(manifest.chunkCount() - 1) + manifest.chunkLength(manifest.chunkCount() - 1));
    // The verifier on the same input: the id matches by construction, so only the signature
    // remains to be checked, and it must fail cleanly if it fails.
    ManifestVerifier verifier = ManifestVerifier.builder().limits(limits).build();
    try {
      verifier.verify(manifest.trackId(), input);
    } catch (ManifestException e) {
      assertEquals(Reason.BAD_SIGNATURE, e.reason(), e::toString);
    }
  }
}
