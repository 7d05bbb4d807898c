package dev.chorus.node.internal.store;

import java.nio.file.Path;

/**
 * Child process of {@link CrashSafetyTest}: writes tracks chunk by chunk into a RocksDB store
 * forever, printing {@code WROTE <n> <seed> <index>} after each stored chunk, until it is killed.
 */
public final class CrashWriterMain {
  static final long CAPACITY_BYTES = 3L * 1024 * 1024;
  static final int TRACK_BYTES = 20 * TestTracks.CHUNK_BYTES - 1234;
  /** Small, so that chunks reach the disk every few writes before the kill. */
  static final long UNLOGGED_CHUNK_BYTES = 256 << 10;

  private CrashWriterMain() {}

  public static void main(String[] args) throws Exception {
    ChunkStore store = RocksDbChunkStore.open(
        ChunkStoreConfig.builder().directory(Path.of(args[0])).capacityBytes(CAPACITY_BYTES)
            .unloggedChunkBytes(UNLOGGED_CHUNK_BYTES).build(),
        ChunkStoreListener.NO_OP);
    long written = 0;
    for (long seed = 1; ; seed++) {
      TestTracks.Track t = TestTracks.track(seed, TRACK_BYTES);
      store.putManifest(t.manifest());
      for (int i = 0; i < t.manifest().chunkCount(); i++) {
        if (!store.putChunk(t.manifest().trackId(), i, t.chunk(i))) {
          throw new IllegalStateException("store stopped caching");
        }
        written++;
        System.out.println("WROTE " + written + " " + seed + " " + i);
        System.out.flush();
      }
      if (seed % 3 == 0) {
        store.touch(TestTracks.track(seed - 1, TRACK_BYTES).manifest().trackId());
      }
    }
  }
}
