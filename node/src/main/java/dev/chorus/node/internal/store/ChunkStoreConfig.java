package dev.chorus.node.internal.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable, validated configuration of a {@link ChunkStore}: where it lives and how many bytes
 * it may hold. Without an explicit capacity, {@link Builder#build()} uses {@link
 * #defaultCapacityBytes(long)} of the directory's free disk space.
 */
public final class ChunkStoreConfig {
  /** Lower bound of the default capacity: 50 MB. */
  public static final long MIN_DEFAULT_CAPACITY_BYTES = 50L * 1000 * 1000;
  /** Upper bound of the default capacity: 10 GB. */
  public static final long MAX_DEFAULT_CAPACITY_BYTES = 10L * 1000 * 1000 * 1000;
  /**
   * Default {@link #unloggedChunkBytes()}: 8 MiB, the chunks a killed process may lose (a clean
   * close keeps them).
   */
  public static final long DEFAULT_UNLOGGED_CHUNK_BYTES = 8L << 20;

  private final Path directory;
  private final long capacityBytes;
  private final long unloggedChunkBytes;

  private ChunkStoreConfig(Path directory, long capacityBytes, long unloggedChunkBytes) {
    this.directory = directory;
    this.capacityBytes = capacityBytes;
    this.unloggedChunkBytes = unloggedChunkBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The default capacity for a disk with {@code freeDiskBytes} free: 10%, at least 50 MB and at
   * most 10 GB.
   */
  public static long defaultCapacityBytes(long freeDiskBytes) {
    if (freeDiskBytes < 0) {
      throw new IllegalArgumentException("freeDiskBytes must not be negative: " + freeDiskBytes);
    }
    long tenth = freeDiskBytes / 10;
    return Math.max(MIN_DEFAULT_CAPACITY_BYTES, Math.min(MAX_DEFAULT_CAPACITY_BYTES, tenth));
  }

  /** The store's directory; empty for an in-memory store. */
  public Optional<Path> directory() {
    return Optional.ofNullable(directory);
  }

  public long capacityBytes() {
    return capacityBytes;
  }

  /**
   * RocksDB store: chunks are written without the write-ahead log and reach the disk when this
   * many bytes of them have accumulated in memory (the chunk family's write buffer), so a process
   * killed in between loses at most that much of its cache, never its consistency.
   */
  public long unloggedChunkBytes() {
    return unloggedChunkBytes;
  }

  @Override
  public String toString() {
    return "ChunkStoreConfig[directory=" + directory + ", capacityBytes=" + capacityBytes
        + ", unloggedChunkBytes=" + unloggedChunkBytes + "]";
  }

  /** Builder; {@link #build()} validates and names the offending key. */
  public static final class Builder {
    private Path directory;
    private long capacityBytes = -1;
    private long unloggedChunkBytes = DEFAULT_UNLOGGED_CHUNK_BYTES;

    private Builder() {}

    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** The byte capacity; must be positive. */
    public Builder capacityBytes(long capacityBytes) {
      if (capacityBytes <= 0) {
        throw new IllegalArgumentException("capacityBytes must be positive: " + capacityBytes);
      }
      this.capacityBytes = capacityBytes;
      return this;
    }

    /** See {@link ChunkStoreConfig#unloggedChunkBytes()}; 64 KiB to 1 GiB. */
    public Builder unloggedChunkBytes(long bytes) {
      if (bytes < 64 << 10 || bytes > 1L << 30) {
        throw new IllegalArgumentException("unloggedChunkBytes must be 64 KiB to 1 GiB: " + bytes);
      }
      this.unloggedChunkBytes = bytes;
      return this;
    }

    public ChunkStoreConfig build() {
      long capacity = capacityBytes;
      if (capacity < 0) {
        if (directory == null) {
          throw new IllegalArgumentException(
              "capacityBytes is required when no directory is set (no disk to size it from)");
        }
        capacity = defaultCapacityBytes(freeBytes(directory));
      }
      return new ChunkStoreConfig(directory, capacity, unloggedChunkBytes);
    }

    private static long freeBytes(Path directory) {
      try {
        Path existing = directory.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
          existing = existing.getParent();
        }
        if (existing == null) {
          throw new IllegalArgumentException("directory has no existing ancestor: " + directory);
        }
        return Files.getFileStore(existing).getUsableSpace();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "directory: cannot read free disk space of " + directory + ": " + e.getMessage(), e);
      }
    }
  }
}
