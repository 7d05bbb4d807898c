package dev.chorus.protocol.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.wire.ChunkSet;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ChunkSetsTest {
  @Test
  void aBitmapRoundTripsLeastSignificantBitFirst() {
    BitSet chunks = new BitSet();
    chunks.set(0);
    chunks.set(9);
    ChunkSet set = ChunkSets.of(false, chunks);
    assertFalse(ChunkSets.isComplete(set));
    assertEquals(0x01, set.getBitmap().byteAt(0) & 0xff);
    assertEquals(0x02, set.getBitmap().byteAt(1) & 0xff);
    assertEquals(chunks, ChunkSets.bits(set));
  }

  @Test
  void completeHasNoBits() {
    ChunkSet set = ChunkSets.of(true, new BitSet());
    assertTrue(ChunkSets.isComplete(set));
    assertTrue(ChunkSets.bits(set).isEmpty());
    assertTrue(ChunkSets.bits(ChunkSet.getDefaultInstance()).isEmpty());
  }
}
