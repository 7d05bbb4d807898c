package dev.chorus.node.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.TrackId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

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

  /**
   * A cache written by an earlier version, which kept chunks of 4 KiB or more in blob files, is
   * read as it is: same layout of keys, the chunks still in their blob files.
   */
  @Test
  void readsCachesWhoseChunksAreInBlobFiles() throws Exception {
    TrackId b = B.manifest().trackId();
    writeWithChunksInBlobFiles(dir.resolve("db"), B);
    assertTrue(hasBlobFile(dir.resolve("db")));
    try (ChunkStore s = newStore(10_000_000)) {
      assertTrue(s.isComplete(b));
      assertEquals(fullSize(B), s.usedBytes());
      for (int i = 0; i < B.manifest().chunkCount(); i++) {
        assertArrayEquals(B.chunk(i), s.chunk(b, i).orElseThrow());
      }
      putAll(s, A);
    }
    try (ChunkStore s = newStore(10_000_000)) {
      assertArrayEquals(B.chunk(3), s.chunk(b, 3).orElseThrow());
      assertArrayEquals(A.chunk(2), s.chunk(A.manifest().trackId(), 2).orElseThrow());
    }
  }

  /** The layout and options of the store before chunks moved into the SSTs. */
  private static void writeWithChunksInBlobFiles(Path path, TestTracks.Track track) throws Exception {
    try (DBOptions db = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        ColumnFamilyOptions plain = new ColumnFamilyOptions();
        ColumnFamilyOptions blobs = new ColumnFamilyOptions()
            .setEnableBlobFiles(true).setMinBlobSize(4096).setEnableBlobGarbageCollection(true);
        WriteOptions write = new WriteOptions()) {
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      try (RocksDB rocks = RocksDB.open(db, path.toString(), List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
          new ColumnFamilyDescriptor("manifests".getBytes(StandardCharsets.US_ASCII), plain),
          new ColumnFamilyDescriptor("chunks".getBytes(StandardCharsets.US_ASCII), blobs),
          new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.US_ASCII), plain)), handles)) {
        byte[] id = track.manifest().trackId().bytes();
        rocks.put(handles.get(1), write, id, track.manifest().encoded());
        rocks.put(handles.get(3), write, id, ByteBuffer.allocate(Long.BYTES).putLong(1).array());
        for (int i = 0; i < track.manifest().chunkCount(); i++) {
          rocks.put(handles.get(2), write,
              RocksDbChunkStore.chunkKey(track.manifest().trackId(), i), track.chunk(i));
        }
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
          rocks.flush(flush, handles);
        }
      } finally {
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }

  private static boolean hasBlobFile(Path path) throws Exception {
    try (Stream<Path> files = Files.list(path)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".blob"));
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
