package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.ManifestException;
import dev.chorus.protocol.manifest.ManifestVerifier;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logic both stores share: verification, held-chunk bitmaps, size accounting, LRU eviction
 * and degrading to "not caching". Subclasses only move bytes. All state is guarded by {@code this}.
 */
abstract class AbstractChunkStore implements ChunkStore {
  private static final Logger log = LoggerFactory.getLogger(AbstractChunkStore.class);

  /** Manifests and held chunks of the stored tracks. */
  static final class Track {
    final TrackManifest manifest;
    final BitSet held;
    /**
     * Held chunks whose stored bytes this process has SHA-256-verified (on the way in or on a
     * read): reads of them are not hashed again. Chunks found on disk at open are not in it until
     * a read verifies them.
     */
    final BitSet trusted = new BitSet();

    Track(TrackManifest manifest, BitSet held) {
      this.manifest = manifest;
      this.held = held;
    }
  }

  private final long capacityBytes;
  private final ChunkStoreListener listener;
  /** ManifestVerifier reuses a digest and is not thread-safe: one per thread. */
  private final ThreadLocal<ManifestVerifier> verifiers = ThreadLocal.withInitial(ManifestVerifier::create);
  private final Map<TrackId, Track> tracks = new HashMap<>();
  private final TrackCachePolicy policy = new LruTrackPolicy();
  /** Tracks found on open, entered into the policy oldest first once all are known. */
  private final List<Restored> restored = new ArrayList<>();
  /** The last-use counter persisted with each track, so that LRU order survives a restart. */
  private long tick;
  /** The track the player reads, which eviction spares; null when nothing plays. */
  private TrackId playing;
  private boolean caching = true;
  private boolean closed;

  AbstractChunkStore(ChunkStoreConfig config, ChunkStoreListener listener) {
    this.capacityBytes = config.capacityBytes();
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  // ---- backend -------------------------------------------------------------------------------

  abstract void storeManifest(TrackManifest manifest, long lastUse) throws StorageException;

  abstract void storeChunk(TrackId trackId, int index, byte[] data) throws StorageException;

  /** The raw stored bytes, or null. */
  abstract byte[] loadChunk(TrackId trackId, int index) throws StorageException;

  abstract void deleteChunk(TrackId trackId, int index) throws StorageException;

  abstract void storeLastUse(TrackId trackId, long lastUse) throws StorageException;

  abstract void deleteTrack(TrackId trackId) throws StorageException;

  abstract void closeBackend();

  // ---- used by subclasses while opening -------------------------------------------------------

  /** Registers a track found on open. */
  final synchronized void restore(TrackManifest manifest, BitSet held, long lastUse) {
    TrackId id = manifest.trackId();
    tracks.put(id, new Track(manifest, held));
    restored.add(new Restored(id, lastUse, bytesOf(manifest, held)));
    tick = Math.max(tick, lastUse + 1);
  }

  private record Restored(TrackId id, long lastUse, long bytes) {}

  /** Evicts down to the capacity after open (the capacity may have shrunk). */
  final void evictAfterOpen() {
    List<TrackId> evicted;
    synchronized (this) {
      restored.sort(Comparator.comparingLong(Restored::lastUse).thenComparing(Restored::id));
      for (Restored r : restored) {
        policy.addBytes(r.id(), r.bytes());
      }
      restored.clear();
      evicted = evictLocked(null);
    }
    notifyEvicted(evicted);
  }

  static long bytesOf(TrackManifest manifest, BitSet held) {
    long bytes = manifest.encodedLength();
    for (int i = held.nextSetBit(0); i >= 0; i = held.nextSetBit(i + 1)) {
      bytes += manifest.chunkLength(i);
    }
    return bytes;
  }

  // ---- ChunkStore ----------------------------------------------------------------------------

  @Override
  public boolean putManifest(TrackManifest manifest) {
    Objects.requireNonNull(manifest, "manifest");
    List<TrackId> evicted;
    synchronized (this) {
      checkOpen();
      TrackId id = manifest.trackId();
      if (tracks.containsKey(id)) {
        touchLocked(id);
        return true;
      }
      if (!caching || !policy.fits(id, manifest.encodedLength() + manifest.sizeBytes(), capacityBytes, playing)) {
        return false;
      }
      long lastUse = tick++;
      try {
        storeManifest(manifest, lastUse);
      } catch (StorageException e) {
        disable(e);
        return false;
      }
      tracks.put(id, new Track(manifest, new BitSet(manifest.chunkCount())));
      policy.addBytes(id, manifest.encodedLength());
      evicted = evictLocked(id);
    }
    notifyEvicted(evicted);
    return true;
  }

  @Override
  public synchronized Optional<TrackManifest> manifest(TrackId trackId) {
    checkOpen();
    Track t = tracks.get(trackId);
    return t == null ? Optional.empty() : Optional.of(t.manifest);
  }

  @Override
  public boolean putChunk(TrackId trackId, int index, byte[] data)
      throws NoManifestException, ManifestException {
    Objects.requireNonNull(data, "data");
    TrackManifest manifest;
    synchronized (this) {
      checkOpen();
      Track t = tracks.get(trackId);
      if (t == null) {
        throw new NoManifestException(trackId);
      }
      manifest = t.manifest;
    }
    // Hashing is the expensive part: done outside the lock, so that readers and writers of other
    // chunks proceed in parallel.
    verifiers.get().verifyChunk(manifest, index, data);
    List<TrackId> evicted;
    synchronized (this) {
      checkOpen();
      Track t = tracks.get(trackId);
      if (t == null || t.manifest != manifest) {
        throw new NoManifestException(trackId); // evicted meanwhile
      }
      if (t.held.get(index)) {
        return true;
      }
      if (!caching) {
        return false;
      }
      try {
        storeChunk(trackId, index, data);
      } catch (StorageException e) {
        disable(e);
        return false;
      }
      t.held.set(index);
      t.trusted.set(index);
      policy.addBytes(trackId, data.length);
      evicted = evictLocked(trackId);
    }
    notifyEvicted(evicted);
    return true;
  }

  @Override
  public Optional<byte[]> chunk(TrackId trackId, int index) {
    TrackManifest manifest;
    byte[] data;
    boolean trusted;
    synchronized (this) {
      checkOpen();
      Track t = tracks.get(trackId);
      if (t == null || index < 0 || !t.held.get(index)) {
        return Optional.empty();
      }
      manifest = t.manifest;
      trusted = t.trusted.get(index);
      try {
        data = loadChunk(trackId, index);
      } catch (StorageException e) {
        log.warn("chunk store: reading chunk {} of {} failed: {}", index, trackId, e.toString());
        return Optional.empty();
      }
    }
    if (data != null && trusted) {
      return Optional.of(data);
    }
    if (data != null) {
      try {
        verifiers.get().verifyChunk(manifest, index, data); // outside the lock, as in putChunk
        trust(trackId, manifest, index);
        return Optional.of(data);
      } catch (ManifestException e) {
        log.warn("chunk store: chunk {} of {} is corrupt ({}); deleting it", index, trackId, e.reason());
      }
    }
    boolean deleted = false;
    synchronized (this) {
      Track t = tracks.get(trackId);
      if (!closed && t != null && t.manifest == manifest && t.held.get(index)) {
        t.held.clear(index);
        t.trusted.clear(index);
        policy.addBytes(trackId, -t.manifest.chunkLength(index));
        deleted = true;
        try {
          deleteChunk(trackId, index);
        } catch (StorageException e) {
          disable(e);
        }
      }
    }
    if (deleted && data != null) {
      listener.corruptChunkDeleted(trackId, index);
    }
    return Optional.empty();
  }

  private synchronized void trust(TrackId trackId, TrackManifest verifiedAgainst, int index) {
    Track t = tracks.get(trackId);
    if (t != null && t.manifest == verifiedAgainst && t.held.get(index)) {
      t.trusted.set(index);
    }
  }

  @Override
  public synchronized boolean has(TrackId trackId, int index) {
    checkOpen();
    Track t = tracks.get(trackId);
    return t != null && index >= 0 && t.held.get(index);
  }

  @Override
  public synchronized BitSet holding(TrackId trackId) {
    checkOpen();
    Track t = tracks.get(trackId);
    return t == null ? new BitSet() : (BitSet) t.held.clone();
  }

  @Override
  public synchronized boolean isComplete(TrackId trackId) {
    checkOpen();
    Track t = tracks.get(trackId);
    return t != null && t.held.cardinality() == t.manifest.chunkCount();
  }

  @Override
  public synchronized List<TrackId> tracks() {
    checkOpen();
    return List.copyOf(policy.tracksByAge());
  }

  @Override
  public synchronized void touch(TrackId trackId) {
    checkOpen();
    if (tracks.containsKey(trackId)) {
      touchLocked(trackId);
    }
  }

  private void touchLocked(TrackId trackId) {
    long lastUse = tick++;
    policy.touch(trackId);
    if (caching) {
      try {
        storeLastUse(trackId, lastUse);
      } catch (StorageException e) {
        disable(e);
      }
    }
  }

  @Override
  public synchronized void playing(TrackId trackId) {
    playing = trackId;
  }

  @Override
  public synchronized boolean removeTrack(TrackId trackId) {
    checkOpen();
    if (tracks.remove(trackId) == null) {
      return false;
    }
    policy.remove(trackId);
    try {
      deleteTrack(trackId);
    } catch (StorageException e) {
      disable(e);
    }
    return true;
  }

  @Override
  public synchronized long usedBytes() {
    return policy.usedBytes();
  }

  @Override
  public long capacityBytes() {
    return capacityBytes;
  }

  @Override
  public synchronized boolean isCaching() {
    return caching;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      closeBackend();
    }
  }

  /** Test hook: stores raw bytes as a chunk, unverified (to simulate on-disk corruption). */
  final synchronized void putUnverifiedForTest(TrackId trackId, int index, byte[] data)
      throws StorageException {
    Track t = tracks.get(trackId);
    if (t == null) {
      throw new IllegalArgumentException("unknown track " + trackId);
    }
    storeChunk(trackId, index, data);
    t.trusted.clear(index);
    if (!t.held.get(index)) {
      t.held.set(index);
      policy.addBytes(trackId, t.manifest.chunkLength(index));
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private List<TrackId> evictLocked(TrackId protectedTrack) {
    List<TrackId> evicted = policy.evictionsFor(capacityBytes, protectedTrack, playing);
    for (TrackId id : evicted) {
      tracks.remove(id);
      policy.remove(id);
      try {
        deleteTrack(id);
      } catch (StorageException e) {
        disable(e);
      }
    }
    return evicted;
  }

  private void notifyEvicted(List<TrackId> evicted) {
    if (!evicted.isEmpty()) {
      listener.tracksEvicted(List.copyOf(evicted));
    }
  }

  private void disable(StorageException e) {
    if (caching) {
      caching = false;
      log.error("chunk store: storage error, caching turned off; streaming continues without it", e);
      listener.cachingDisabled(e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("chunk store is closed");
    }
  }
}
