package dev.chorus.protocol.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

  @Test
  void chunkCountsAreCheckedAgainstTheLimit() {
    assertEquals(0, WireLimits.checkChunkCount(0), "unknown");
    assertEquals(131_072, WireLimits.checkChunkCount(131_072));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WireLimits.checkChunkCount(131_073));
    assertEquals("chunkCount must be 0..131072, was 131073", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> WireLimits.checkChunkCount(-1));
  }
}
