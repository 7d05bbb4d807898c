package dev.chorus.tracker.index;

import java.util.Arrays;

/**
 * Open-addressing map from a non-negative long key to a partial {@link Holding}: linear probing,
 * load factor at most 1/2, deletion by backward shift (no tombstones). Keys are (track slot, peer
 * slot) pairs packed by {@link #key}. Not thread-safe; owned by {@link IndexCore}.
 */
final class PartialMap {
  private static final long EMPTY = -1L;
  private static final int MIN_CAPACITY = 16;

  private long[] keys;
  private Holding[] values;
  private int mask;
  private int size;

  PartialMap() {
    allocate(MIN_CAPACITY);
  }

  static long key(int trackSlot, int peerSlot) {
    return ((long) trackSlot << 32) | (peerSlot & 0xffff_ffffL);
  }

  int size() {
    return size;
  }

  Holding get(long key) {
    for (int i = home(key); ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == key) {
        return values[i];
      }
      if (k == EMPTY) {
        return null;
      }
    }
  }

  void put(long key, Holding value) {
    if (2 * (size + 1) > keys.length) {
      rehash(keys.length * 2);
    }
    int i = home(key);
    for (; keys[i] != EMPTY; i = (i + 1) & mask) {
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
    }
    keys[i] = key;
    values[i] = value;
    size++;
  }

  /** Removes {@code key} if present. */
  void remove(long key) {
    int i = home(key);
    for (; keys[i] != key; i = (i + 1) & mask) {
      if (keys[i] == EMPTY) {
        return;
      }
    }
    size--;
    int gap = i;
    for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
      int h = home(keys[j]);
      if (((j - h) & mask) >= ((j - gap) & mask)) {
        keys[gap] = keys[j];
        values[gap] = values[j];
        gap = j;
      }
    }
    keys[gap] = EMPTY;
    values[gap] = null;
    if (keys.length > MIN_CAPACITY && 8 * size < keys.length) {
      rehash(keys.length / 2);
    }
  }

  long retainedArrayBytes() {
    return IndexCore.longArrayBytes(keys.length) + IndexCore.refArrayBytes(values.length);
  }

  private int home(long key) {
    return (int) IndexCore.mix64(key) & mask;
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    Arrays.fill(keys, EMPTY);
    values = new Holding[capacity];
    mask = capacity - 1;
  }

  private void rehash(int capacity) {
    long[] oldKeys = keys;
    Holding[] oldValues = values;
    allocate(capacity);
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != EMPTY) {
        int i = home(oldKeys[j]);
        while (keys[i] != EMPTY) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        values[i] = oldValues[j];
      }
    }
  }
}
