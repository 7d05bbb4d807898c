package dev.chorus.node.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreConfigTest {
  @TempDir Path dir;

  @Test
  void defaultCapacityIsTenPercentClamped() {
    assertEquals(50_000_000L, ChunkStoreConfig.defaultCapacityBytes(0));
    assertEquals(50_000_000L, ChunkStoreConfig.defaultCapacityBytes(400_000_000L));
    assertEquals(123_456_789L, ChunkStoreConfig.defaultCapacityBytes(1_234_567_890L));
    assertEquals(10_000_000_000L, ChunkStoreConfig.defaultCapacityBytes(500_000_000_000L));
    assertEquals(10_000_000_000L, ChunkStoreConfig.defaultCapacityBytes(Long.MAX_VALUE));
    assertThrows(IllegalArgumentException.class, () -> ChunkStoreConfig.defaultCapacityBytes(-1));
  }

  @Test
  void capacityDefaultsFromTheDirectorysDisk() {
    ChunkStoreConfig c = ChunkStoreConfig.builder().directory(dir.resolve("not/yet")).build();
    long expected = ChunkStoreConfig.defaultCapacityBytes(dir.toFile().getUsableSpace());
    // Free space moves a little while tests run; the clamp keeps it in range either way.
    assertTrue(Math.abs(c.capacityBytes() - expected) < 100_000_000L);
    assertEquals(dir.resolve("not/yet"), c.directory().orElseThrow());
  }

  @Test
  void unloggedChunkBytesIsBoundedAndDefaultsTo8MiB() {
    ChunkStoreConfig.Builder b = ChunkStoreConfig.builder().capacityBytes(1 << 20);
    assertEquals(8L << 20, b.build().unloggedChunkBytes());
    assertEquals(64L << 10, b.unloggedChunkBytes(64 << 10).build().unloggedChunkBytes());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.unloggedChunkBytes((64 << 10) - 1));
    assertTrue(e.getMessage().startsWith("unloggedChunkBytes"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.unloggedChunkBytes((1L << 30) + 1));
  }

  @Test
  void errorsNameTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChunkStoreConfig.builder().capacityBytes(0));
    assertTrue(e.getMessage().startsWith("capacityBytes"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ChunkStoreConfig.builder().build());
    assertTrue(e.getMessage().startsWith("capacityBytes"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RocksDbChunkStore.open(
        ChunkStoreConfig.builder().capacityBytes(1).build(), ChunkStoreListener.NO_OP));
    assertTrue(e.getMessage().startsWith("directory"), e.getMessage());
  }
}
