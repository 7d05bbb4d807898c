package dev.chorus.node.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A SIGKILL in the middle of writes leaves a store that opens, is consistent and serves. */
class CrashSafetyTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void killDuringWritesLeavesAConsistentStore() throws Exception {
    Path db = dir.resolve("db");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long target = 150; // > 7 tracks of 20 chunks: evictions have happened too
    for (int round = 0; round < 2; round++) {
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          CrashWriterMain.class.getName(), db.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      long written = 0;
      long lastSeed = 0;
      int lastIndex = -1;
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.startsWith("WROTE ")) {
            String[] f = line.trim().split(" ");
            written = Long.parseLong(f[1]);
            lastSeed = Long.parseLong(f[2]);
            lastIndex = Integer.parseInt(f[3]);
            if (written >= target) {
              break;
            }
          }
        }
        child.destroyForcibly(); // SIGKILL on Unix
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
      }
      assertTrue(written >= target, "child wrote only " + written + " chunks before exiting");
      assertConsistent(db, lastSeed, lastIndex);
    }
  }

  private static void assertConsistent(Path db, long lastSeed, int lastIndex) throws Exception {
    ChunkStoreConfig config = ChunkStoreConfig.builder()
        .directory(db).capacityBytes(CrashWriterMain.CAPACITY_BYTES).build();
    ChunkStoreContract.Recorder listener = new ChunkStoreContract.Recorder();
    try (ChunkStore store = RocksDbChunkStore.open(config, listener)) {
      assertTrue(store.isCaching());
      assertFalse(store.tracks().isEmpty());
      long expectedBytes = 0;
      int chunks = 0;
      for (TrackId id : store.tracks()) {
        TrackManifest m = store.manifest(id).orElseThrow();
        expectedBytes += m.encodedLength();
        BitSet held = store.holding(id);
        for (int i = held.nextSetBit(0); i >= 0; i = held.nextSetBit(i + 1)) {
          assertTrue(store.chunk(id, i).isPresent(), "chunk " + i + " of " + id + " does not verify");
          expectedBytes += m.chunkLength(i);
          chunks++;
        }
      }
      assertTrue(chunks > 0);
      // Chunks are written without the log: the kill loses those still in memory, at most two
      // write buffers (the one filling and the one being flushed), and nothing else. The newest
      // track (never evicted, it is the most recently used) holds a gapless run from chunk 0 that
      // ends at most that many chunks before the last one reported written.
      TrackId newest = TestTracks.track(lastSeed, CrashWriterMain.TRACK_BYTES).manifest().trackId();
      BitSet held = store.holding(newest);
      int run = held.nextClearBit(0);
      assertEquals(-1, held.nextSetBit(run), "a gap in the newest track's chunks: " + held);
      long lostAtMost = 2 * CrashWriterMain.UNLOGGED_CHUNK_BYTES / TestTracks.CHUNK_BYTES + 1;
      assertTrue(run >= lastIndex + 1 - lostAtMost,
          "chunks 0.." + lastIndex + " of the newest track were reported written; held " + held);
      assertTrue(listener.corrupt.isEmpty(), "corrupt chunks after crash: " + listener.corrupt);
      assertEquals(expectedBytes, store.usedBytes());
      assertTrue(store.usedBytes() <= config.capacityBytes(), "over capacity: " + store.usedBytes());
      // And it still takes writes.
      TestTracks.Track t = TestTracks.track(10_000, 100);
      assertTrue(store.putManifest(t.manifest()));
      assertTrue(store.putChunk(t.manifest().trackId(), 0, t.chunk(0)));
    }
  }
}
