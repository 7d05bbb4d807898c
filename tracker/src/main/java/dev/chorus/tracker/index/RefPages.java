package dev.chorus.tracker.index;

import java.util.Arrays;

/** A growable array of references in pages of at most {@link #PAGE} (64 KiB); see {@link IntPages} for why. */
final class RefPages<T> {
  static final int SHIFT = 14;
  static final int PAGE = 1 << SHIFT;
  private static final int MASK = PAGE - 1;

  private Object[][] pages;
  private int capacity;

  /** Room for {@code capacity} cells, all null. */
  RefPages(int capacity) {
    this.pages = new Object[0][];
    ensureCapacity(capacity);
  }

  @SuppressWarnings("unchecked")
  T get(int i) {
    return (T) pages[i >>> SHIFT][i & MASK];
  }

  void set(int i, T value) {
    pages[i >>> SHIFT][i & MASK] = value;
  }

  int capacity() {
    return capacity;
  }

  /** As {@link IntPages#ensureCapacity}. */
  void ensureCapacity(int n) {
    while (capacity < n) {
      if (pages.length == 0) {
        pages = new Object[][] {new Object[Math.min(n, PAGE)]};
        capacity = pages[0].length;
      } else if (capacity < PAGE) {
        capacity = Math.min(PAGE, Math.max(n, capacity + (capacity >> 1) + 1));
        pages[0] = Arrays.copyOf(pages[0], capacity);
      } else {
        pages = Arrays.copyOf(pages, pages.length + 1);
        pages[pages.length - 1] = new Object[PAGE];
        capacity += PAGE;
      }
    }
  }

  /** Bytes of the page arrays (not of what they refer to), with compressed oops. */
  long retainedBytes() {
    long b = IndexCore.refArrayBytes(pages.length);
    for (Object[] p : pages) {
      b += IndexCore.refArrayBytes(p.length);
    }
    return b;
  }
}
