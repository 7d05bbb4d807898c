package dev.chorus.node.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.TrackId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbChunkStoreTest extends ChunkStoreContract {
  @TempDir Path dir;

  @Override
  protected AbstractChunkStore newStore(long capacityBytes) throws Exception {
    return RocksDbChunkStore.open(
        ChunkStoreConfig.builder().directory(dir.resolve("db")).capacityBytes(capacityBytes).build(),
        listener);
  }

  @Test
  void reopenKeepsManifestsChunksSizesAndOrder() throws Exception {
    TrackId a = A.manifest().trackId();
    TrackId b = B.manifest().trackId();
    long used;
    try (ChunkStore s = newStore(10_000_000)) {
      putAll(s, A);
      s.putManifest(B.manifest());
      s.putChunk(b, 1, B.chunk(1));
      s.putChunk(b, 4, B.chunk(4));
      s.touch(a);
      used = s.usedBytes();
    }
    try (ChunkStore s = newStore(10_000_000)) {
      assertEquals(used, s.usedBytes());
      assertEquals(List.of(b, a), s.tracks());
      assertTrue(s.isComplete(a));
      assertEquals(A.manifest(), s.manifest(a).orElseThrow());
      assertArrayEquals(B.chunk(4), s.chunk(b, 4).orElseThrow());
      assertFalse(s.has(b, 0));
      assertEquals(2, s.holding(b).cardinality());
    }
  }

  @Test
  void reopenWithSmallerCapacityEvicts() throws Exception {
    try (ChunkStore s = newStore(10_000_000)) {
      putAll(s, A);
      putAll(s, C);
    }
    try (ChunkStore s = newStore(fullSize(C))) {
      assertEquals(List.of(A.manifest().trackId()), listener.evicted);
      assertEquals(List.of(C.manifest().trackId()), s.tracks());
    }
  }

  @Test
  void corruptChunkOnDiskIsDetectedAfterReopen() throws Exception {
    TrackId a = A.manifest().trackId();
    try (AbstractChunkStore s = newStore(10_000_000)) {
      putAll(s, A);
      byte[] garbage = new byte[A.chunk(0).length];
      s.putUnverifiedForTest(a, 0, garbage);
    }
    try (ChunkStore s = newStore(10_000_000)) {
      assertTrue(s.has(a, 0));
      assertTrue(s.chunk(a, 0).isEmpty());
      assertFalse(s.has(a, 0));
      assertEquals(fullSize(A) - A.chunk(0).length, s.usedBytes());
    }
  }

  @Test
  void openFailsWithIoExceptionWhenDirectoryIsAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThrows(java.io.IOException.class, () -> RocksDbChunkStore.open(
        ChunkStoreConfig.builder().directory(file).capacityBytes(1000).build(),
        ChunkStoreListener.NO_OP));
  }

  @Test
  void storageErrorDisablesCachingButReadsAndPlaybackContinue() throws Exception {
    RocksDbChunkStore s = (RocksDbChunkStore) store(10_000_000);
    putAll(s, C);
    TrackId a = A.manifest().trackId();
    TrackId c = C.manifest().trackId();
    s.putManifest(A.manifest());
    s.failWritesForTest("injected: No space left on device");
    assertFalse(s.putChunk(a, 0, A.chunk(0)));
    assertFalse(s.isCaching());
    assertEquals(1, listener.disabled.size());
    assertFalse(s.putChunk(a, 1, A.chunk(1)));
    assertFalse(s.putManifest(B.manifest()));
    s.touch(c);
    assertEquals(1, listener.disabled.size(), "reported once");
    assertFalse(s.has(a, 0));
    assertArrayEquals(C.chunk(0), s.chunk(c, 0).orElseThrow(), "reads keep working");
    assertEquals(fullSize(C) + A.manifest().encodedLength(), s.usedBytes());
  }
}
