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

  private final Path directory;
  private final long capacityBytes;

  private ChunkStoreConfig(Path directory, long capacityBytes) {
    this.directory = directory;
    this.capacityBytes = capacityBytes;
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

  @Override
  public String toString() {
    return "ChunkStoreConfig[directory=" + directory + ", capacityBytes=" + capacityBytes + "]";
  }

  /** Builder; {@link #build()} validates and names the offending key. */
  public static final class Builder {
    private Path directory;
    private long capacityBytes = -1;

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

    public ChunkStoreConfig build() {
      long capacity = capacityBytes;
      if (capacity < 0) {
        if (directory == null) {
          throw new IllegalArgumentException(
              "capacityBytes is required when no directory is set (no disk to size it from)");
        }
        capacity = defaultCapacityBytes(freeBytes(directory));
      }
      return new ChunkStoreConfig(directory, capacity);
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
