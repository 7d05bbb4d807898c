package dev.chorus.tracker.index;

import java.util.Arrays;

/**
 * A growable int array in pages of at most {@link #PAGE} ints (64 KiB), for the index's per-slot
 * arrays and tables. No page is a large object to the collector: G1 gives each object of half a
 * region or more (1 MiB with 2 MiB regions, 512 KiB with 1 MiB ones) whole regions of its own, and
 * ZGC puts objects over 256 KiB in 32 MiB medium pages; as plain arrays of 200,000 peer or prefix
 * slots, the tails of those regions came to about 7 bytes per (track, peer) entry in the
 * benchmark's heap. Growing by pages also copies nothing past the first page.
 */
final class IntPages {
  static final int SHIFT = 14;
  static final int PAGE = 1 << SHIFT;
  private static final int MASK = PAGE - 1;

  private int[][] pages;
  private int capacity;

  /** Room for {@code capacity} cells, all 0: one page up to {@link #PAGE}, whole pages beyond. */
  IntPages(int capacity) {
    this.pages = new int[0][];
    ensureCapacity(capacity);
  }

  int get(int i) {
    return pages[i >>> SHIFT][i & MASK];
  }

  void set(int i, int value) {
    pages[i >>> SHIFT][i & MASK] = value;
  }

  /** Adds {@code delta} to cell {@code i}; returns the new value. */
  int add(int i, int delta) {
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
        pages = new int[][] {new int[Math.min(n, PAGE)]};
        capacity = pages[0].length;
      } else if (capacity < PAGE) {
        capacity = Math.min(PAGE, Math.max(n, capacity + (capacity >> 1) + 1));
        pages[0] = Arrays.copyOf(pages[0], capacity);
      } else {
        pages = Arrays.copyOf(pages, pages.length + 1);
        pages[pages.length - 1] = new int[PAGE];
        capacity += PAGE;
      }
    }
  }

  /** Bytes of the pages and the page array, as the JVM lays them out. */
  long retainedBytes() {
    long b = IndexCore.refArrayBytes(pages.length);
    for (int[] p : pages) {
      b += IndexCore.intArrayBytes(p.length);
    }
    return b;
  }
}
