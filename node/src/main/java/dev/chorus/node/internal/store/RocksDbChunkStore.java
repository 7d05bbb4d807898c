package dev.chorus.node.internal.store;

import dev.chorus.protocol.manifest.ManifestException;
import dev.chorus.protocol.manifest.ManifestVerifier;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChunkStore} on RocksDB. Column families: {@code manifests} (track id → encoded
 * manifest), {@code chunks} (track id ‖ 4-byte big-endian index → chunk bytes, in blob files,
 * uncompressed) and {@code meta} (track id → 8-byte last-use tick). Sizes are not stored: on open
 * they are rebuilt from the manifests and the chunk keys, so they always match what is on disk.
 */
public final class RocksDbChunkStore extends AbstractChunkStore {
  private static final Logger log = LoggerFactory.getLogger(RocksDbChunkStore.class);

  static final int KEY_BYTES = TrackId.BYTES + Integer.BYTES;
  /** Chunks at least this large go to blob files. */
  static final long MIN_BLOB_BYTES = 4096;

  static {
    RocksDB.loadLibrary();
  }

  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions;
  private final WriteOptions writeOptions;
  /**
   * Chunk writes skip the write-ahead log: with it every chunk was copied and checksummed twice
   * (the log, then the blob file at flush; the RocksDB JNI build computes CRC32C in software), the
   * largest cost of a receiving node. Chunks not flushed yet (at most {@link
   * ChunkStoreConfig#unloggedChunkBytes()}) die with a killed process and are found absent on
   * open, as after an eviction; a clean close flushes them. Manifests and last-use ticks keep the
   * log.
   */
  private final WriteOptions chunkWriteOptions = new WriteOptions().setSync(false).setDisableWAL(true);
  /**
   * Chunk reads skip RocksDB's checksums (the RocksDB JNI build computes CRC32C in software, as
   * dear as SHA-256 with SHA-NI): a chunk found on disk at open is SHA-256-verified when first
   * read, and one verified since this process started is trusted (AbstractChunkStore).
   */
  private final ReadOptions chunkReadOptions = new ReadOptions().setVerifyChecksums(false);
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final ColumnFamilyHandle manifests;
  private final ColumnFamilyHandle chunks;
  private final ColumnFamilyHandle meta;
  /** Test hook: when set, every write fails with this message (a simulated full disk). */
  private volatile String injectedWriteFailure;

  private RocksDbChunkStore(ChunkStoreConfig config, ChunkStoreListener listener,
      DBOptions dbOptions, List<ColumnFamilyOptions> cfOptions, WriteOptions writeOptions,
      RocksDB db, List<ColumnFamilyHandle> handles) {
    super(config, listener);
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.writeOptions = writeOptions;
    this.db = db;
    this.handles = handles;
    this.manifests = handles.get(1);
    this.chunks = handles.get(2);
    this.meta = handles.get(3);
  }

  /**
   * Opens (or creates) the store in {@code config.directory()}, rebuilds its state and evicts down
   * to the capacity.
   *
   * @throws IOException if the database cannot be opened (the caller then runs without a cache,
   *     e.g. with an {@link InMemoryChunkStore} or none)
   */
  public static RocksDbChunkStore open(ChunkStoreConfig config, ChunkStoreListener listener)
      throws IOException {
    Path dir = config.directory().orElseThrow(
        () -> new IllegalArgumentException("directory is required for a RocksDB chunk store"));
    Files.createDirectories(dir);
    DBOptions dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxOpenFiles(256)
        .setKeepLogFileNum(2);
    ColumnFamilyOptions plain = new ColumnFamilyOptions()
        .setCompressionType(CompressionType.NO_COMPRESSION);
    ColumnFamilyOptions blobs = new ColumnFamilyOptions()
        .setCompressionType(CompressionType.NO_COMPRESSION)
        .setEnableBlobFiles(true)
        .setMinBlobSize(MIN_BLOB_BYTES)
        .setBlobCompressionType(CompressionType.NO_COMPRESSION)
        .setEnableBlobGarbageCollection(true)
        .setWriteBufferSize(config.unloggedChunkBytes());
    List<ColumnFamilyOptions> cfOptions = List.of(plain, blobs);
    List<ColumnFamilyDescriptor> descriptors = List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
        new ColumnFamilyDescriptor("manifests".getBytes(StandardCharsets.US_ASCII), plain),
        new ColumnFamilyDescriptor("chunks".getBytes(StandardCharsets.US_ASCII), blobs),
        new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.US_ASCII), plain));
    // WAL on (the default); no fsync per write: a killed process loses nothing the OS has.
    WriteOptions writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDB db;
    try {
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      writeOptions.close();
      plain.close();
      blobs.close();
      dbOptions.close();
      throw new IOException("cannot open chunk store in " + dir + ": " + e.getMessage(), e);
    }
    RocksDbChunkStore store = new RocksDbChunkStore(
        config, listener, dbOptions, cfOptions, writeOptions, db, handles);
    try {
      store.rebuild();
    } catch (RocksDBException e) {
      store.close();
      throw new IOException("cannot read chunk store in " + dir + ": " + e.getMessage(), e);
    }
    store.evictAfterOpen();
    return store;
  }

  /** Reads manifests, last uses and chunk keys; drops what does not verify or is orphaned. */
  private void rebuild() throws RocksDBException {
    ManifestVerifier verifier = ManifestVerifier.create();
    Map<TrackId, TrackManifest> found = new HashMap<>();
    List<byte[]> badManifests = new ArrayList<>();
    try (RocksIterator it = db.newIterator(manifests)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        try {
          TrackId id = TrackId.fromBytes(key);
          found.put(id, verifier.verify(id, it.value()));
        } catch (ManifestException | IllegalArgumentException e) {
          badManifests.add(key);
        }
      }
    }
    Map<TrackId, Long> lastUses = new HashMap<>();
    List<byte[]> orphanMeta = new ArrayList<>();
    try (RocksIterator it = db.newIterator(meta)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        byte[] value = it.value();
        TrackId id = key.length == TrackId.BYTES ? TrackId.fromBytes(key) : null;
        if (id == null || !found.containsKey(id) || value.length != Long.BYTES) {
          orphanMeta.add(key);
        } else {
          lastUses.put(id, ByteBuffer.wrap(value).getLong());
        }
      }
    }
    Map<TrackId, BitSet> held = new HashMap<>();
    List<byte[]> orphanChunks = new ArrayList<>();
    try (RocksIterator it = db.newIterator(chunks)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] key = it.key();
        if (key.length != KEY_BYTES) {
          orphanChunks.add(key);
          continue;
        }
        TrackId id = TrackId.fromBytes(Arrays.copyOf(key, TrackId.BYTES));
        int index = ByteBuffer.wrap(key, TrackId.BYTES, Integer.BYTES).getInt();
        TrackManifest m = found.get(id);
        if (m == null || index < 0 || index >= m.chunkCount()) {
          orphanChunks.add(key);
        } else {
          held.computeIfAbsent(id, k -> new BitSet(m.chunkCount())).set(index);
        }
      }
    }
    if (!badManifests.isEmpty() || !orphanMeta.isEmpty() || !orphanChunks.isEmpty()) {
      log.warn("chunk store: dropping {} bad manifests, {} orphaned metadata, {} orphaned chunks",
          badManifests.size(), orphanMeta.size(), orphanChunks.size());
      try (WriteBatch batch = new WriteBatch()) {
        for (byte[] k : badManifests) {
          batch.delete(manifests, k);
        }
        for (byte[] k : orphanMeta) {
          batch.delete(meta, k);
        }
        for (byte[] k : orphanChunks) {
          batch.delete(chunks, k);
        }
        db.write(writeOptions, batch);
      }
    }
    for (TrackManifest m : found.values()) {
      TrackId id = m.trackId();
      restore(m, held.getOrDefault(id, new BitSet()), lastUses.getOrDefault(id, 0L));
    }
  }

  /** Test hook: makes every later write fail as a RocksDB error with {@code message}. */
  void failWritesForTest(String message) {
    injectedWriteFailure = message;
  }

  private void checkInjectedFailure() throws RocksDBException {
    String message = injectedWriteFailure;
    if (message != null) {
      throw new RocksDBException(message);
    }
  }

  static byte[] chunkKey(TrackId trackId, int index) {
    return ByteBuffer.allocate(KEY_BYTES).put(trackId.bytes()).putInt(index).array();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
  }

  @Override
  void storeManifest(TrackManifest manifest, long lastUse) throws StorageException {
    byte[] id = manifest.trackId().bytes();
    try (WriteBatch batch = new WriteBatch()) {
      checkInjectedFailure();
      batch.put(manifests, id, manifest.encoded());
      batch.put(meta, id, longBytes(lastUse));
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StorageException("storing manifest of " + manifest.trackId(), e);
    }
  }

  @Override
  void storeChunk(TrackId trackId, int index, byte[] data) throws StorageException {
    try {
      checkInjectedFailure();
      db.put(chunks, chunkWriteOptions, chunkKey(trackId, index), data);
    } catch (RocksDBException e) {
      throw new StorageException("storing chunk " + index + " of " + trackId, e);
    }
  }

  @Override
  byte[] loadChunk(TrackId trackId, int index) throws StorageException {
    try {
      return db.get(chunks, chunkReadOptions, chunkKey(trackId, index));
    } catch (RocksDBException e) {
      throw new StorageException("reading chunk " + index + " of " + trackId, e);
    }
  }

  @Override
  void deleteChunk(TrackId trackId, int index) throws StorageException {
    try {
      checkInjectedFailure();
      db.delete(chunks, writeOptions, chunkKey(trackId, index));
    } catch (RocksDBException e) {
      throw new StorageException("deleting chunk " + index + " of " + trackId, e);
    }
  }

  @Override
  void storeLastUse(TrackId trackId, long lastUse) throws StorageException {
    try {
      checkInjectedFailure();
      db.put(meta, writeOptions, trackId.bytes(), longBytes(lastUse));
    } catch (RocksDBException e) {
      throw new StorageException("storing last use of " + trackId, e);
    }
  }

  @Override
  void deleteTrack(TrackId trackId) throws StorageException {
    byte[] id = trackId.bytes();
    // Indexes are non-negative ints, so [id ‖ 0, id ‖ 0x80000000) covers every chunk of the track.
    byte[] from = chunkKey(trackId, 0);
    byte[] to = chunkKey(trackId, Integer.MIN_VALUE);
    try (WriteBatch batch = new WriteBatch()) {
      checkInjectedFailure();
      batch.delete(manifests, id);
      batch.delete(meta, id);
      batch.deleteRange(chunks, from, to);
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StorageException("deleting track " + trackId, e);
    }
  }

  @Override
  void closeBackend() {
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writeOptions.close();
    chunkWriteOptions.close();
    chunkReadOptions.close();
    for (ColumnFamilyOptions o : cfOptions) {
      o.close();
    }
    dbOptions.close();
  }
}
