package dev.chorus.node.internal.publish;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Set;

/**
 * Any bytes as ffprobe's standard output (a crafted file can steer what ffprobe prints, tags
 * above all): the publisher either reads audio facts it can put in a manifest (a supported MIME
 * type, a positive duration and bit rate) or refuses with {@link AudioProbeException}; nothing
 * else. Seeds in {@code FfprobeOutputFuzzTestInputs/}; for a fuzzing run see README.md (Testing).
 */
class FfprobeOutputFuzzTest {
  private static final Set<String> MIME_TYPES = Set.of("audio/ogg; codecs=opus", "audio/ogg; codecs=vorbis",
      "audio/mpeg", "audio/flac");

  @FuzzTest(maxDuration = "30s")
  void readsOrRefusesWithAProbeError(byte[] stdout) {
    for (long size : new long[] {1, 123_456, Long.MAX_VALUE}) {
      AudioInfo info;
      try {
        info = FfprobeAudioProbe.parse(stdout, size);
      } catch (AudioProbeException e) {
        assertNotNull(e.getMessage());
        continue;
      }
      assertTrue(MIME_TYPES.contains(info.mimeType()), info::toString);
      assertTrue(info.durationMillis() > 0 && info.bitsPerSecond() > 0, info::toString);
    }
  }
}
