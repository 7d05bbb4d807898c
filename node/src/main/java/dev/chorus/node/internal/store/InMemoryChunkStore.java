package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.util.HashMap;
import java.util.Map;

/** A {@link ChunkStore} in the heap, for tests, the simulator and nodes without a disk. */
public final class InMemoryChunkStore extends AbstractChunkStore {
  private final Map<TrackId, Map<Integer, byte[]>> chunks = new HashMap<>();

  private InMemoryChunkStore(ChunkStoreConfig config, ChunkStoreListener listener) {
    super(config, listener);
  }

  /** A store holding at most {@code config.capacityBytes()}; the directory is ignored. */
  public static InMemoryChunkStore create(ChunkStoreConfig config, ChunkStoreListener listener) {
    return new InMemoryChunkStore(config, listener);
  }

  @Override
  void storeManifest(TrackManifest manifest, long lastUse) {
    chunks.putIfAbsent(manifest.trackId(), new HashMap<>());
  }

  @Override
  void storeChunk(TrackId trackId, int index, byte[] data) {
    chunks.computeIfAbsent(trackId, k -> new HashMap<>()).put(index, data.clone());
  }

  @Override
  byte[] loadChunk(TrackId trackId, int index) {
    Map<Integer, byte[]> m = chunks.get(trackId);
    byte[] data = m == null ? null : m.get(index);
    return data == null ? null : data.clone();
  }

  @Override
  void deleteChunk(TrackId trackId, int index) {
    Map<Integer, byte[]> m = chunks.get(trackId);
    if (m != null) {
      m.remove(index);
    }
  }

  @Override
  void storeLastUse(TrackId trackId, long lastUse) {}

  @Override
  void deleteTrack(TrackId trackId) {
    chunks.remove(trackId);
  }

  @Override
  void closeBackend() {
    chunks.clear();
  }
}
