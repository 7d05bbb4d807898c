package dev.chorus.protocol.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.protocol.manifest.ManifestLimits;
import org.junit.jupiter.api.Test;

class WireLimitsTest {
  @Test
  void aTrackIsAtMost2GiBOf16KiBChunksEverywhere() {
    assertEquals(131_072, WireLimits.MAX_CHUNKS_PER_TRACK);
    assertEquals(2L << 30, WireLimits.MAX_CHUNKS_PER_TRACK * 16_384L);
    assertEquals(16_384, WireLimits.MAX_CHUNK_BITMAP_BYTES, "one bit a chunk");
    assertEquals(WireLimits.MAX_CHUNKS_PER_TRACK, ManifestLimits.defaults().maxChunkCount());
  }
}
