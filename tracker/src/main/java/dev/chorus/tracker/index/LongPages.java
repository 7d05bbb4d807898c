package dev.chorus.tracker.index;

import java.util.Arrays;

/** A growable long array in pages of at most {@link #PAGE} longs (128 KiB); see {@link IntPages} for why. */
final class LongPages {
  static final int SHIFT = 14;
  static final int PAGE = 1 << SHIFT;
  private static final int MASK = PAGE - 1;

  private long[][] pages;
  private int capacity;

  /** Room for {@code capacity} cells, all 0: one page up to {@link #PAGE}, whole pages beyond. */
  LongPages(int capacity) {
    this.pages = new long[0][];
    ensureCapacity(capacity);
  }

  long get(int i) {
    return pages[i >>> SHIFT][i & MASK];
  }

  void set(int i, long value) {
    pages[i >>> SHIFT][i & MASK] = value;
  }

  /** Adds {@code delta} to cell {@code i}; returns the new value. */
  long add(int i, long delta) {
    return pages[i >>> SHIFT][i & MASK] += delta;
  }

  int capacity() {
    return capacity;
  }

  /**
   * Room for at least {@code n} cells: the first page grows by half (or to {@code n}) up to a
   * whole page, then whole pages are added, so at most a page (or a third of the first) is spare.
   */
  void ensureCapacity(int n) {
    while (capacity < n) {
      if (pages.length == 0) {
        pages = new long[][] {new long[Math.min(n, PAGE)]};
        capacity = pages[0].length;
      } else if (capacity < PAGE) {
        capacity = Math.min(PAGE, Math.max(n, capacity + (capacity >> 1) + 1));
        pages[0] = Arrays.copyOf(pages[0], capacity);
      } else {
        pages = Arrays.copyOf(pages, pages.length + 1);
        pages[pages.length - 1] = new long[PAGE];
        capacity += PAGE;
      }
    }
  }

  /** Bytes of the pages and the page array, as the JVM lays them out. */
  long retainedBytes() {
    long b = IndexCore.refArrayBytes(pages.length);
    for (long[] p : pages) {
      b += IndexCore.longArrayBytes(p.length);
    }
    return b;
  }
}
