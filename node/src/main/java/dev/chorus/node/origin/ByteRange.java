package dev.chorus.node.origin;

/**
 * Reading a {@code Range} request header (RFC 9110 §14) against a file of a known size. Pure.
 *
 * <p>One range is served: {@code bytes=a-b}, {@code bytes=a-} and {@code bytes=-n}. A header that
 * is not one syntactically valid byte range (another unit, several ranges, {@code a-b} with
 * {@code b < a}, junk) is ignored, as the RFC allows, and the whole file is sent.
 */
final class ByteRange {
  /** What to answer. */
  sealed interface Result permits Whole, Partial, Unsatisfiable {}

  /** No (usable) Range: 200 with the whole file. */
  record Whole() implements Result {}

  /** 206 with bytes {@code [first, last]}. */
  record Partial(long first, long last) implements Result {
    long length() {
      return last - first + 1;
    }
  }

  /** 416: a valid range that starts beyond the file (or a suffix of zero bytes). */
  record Unsatisfiable() implements Result {}

  private static final Whole WHOLE = new Whole();
  private static final int MAX_HEADER_CHARS = 200;

  private ByteRange() {}

  static Result parse(String header, long size) {
    if (header == null || header.length() > MAX_HEADER_CHARS) {
      return WHOLE;
    }
    String h = header.strip();
    if (h.length() < 6 || !h.regionMatches(true, 0, "bytes=", 0, 6)) {
      return WHOLE;
    }
    String spec = h.substring(6).strip();
    int dash = spec.indexOf('-');
    if (dash < 0 || spec.indexOf(',') >= 0) {
      return WHOLE;
    }
    String a = spec.substring(0, dash).strip();
    String b = spec.substring(dash + 1).strip();
    if (a.isEmpty()) {
      long suffix = digits(b);
      if (suffix < 0) {
        return WHOLE;
      }
      if (suffix == 0 || size == 0) {
        return new Unsatisfiable();
      }
      return new Partial(Math.max(0, size - suffix), size - 1);
    }
    long first = digits(a);
    if (first < 0) {
      return WHOLE;
    }
    long last;
    if (b.isEmpty()) {
      last = Long.MAX_VALUE;
    } else {
      last = digits(b);
      if (last < 0 || last < first) {
        return WHOLE;
      }
    }
    if (first >= size) {
      return new Unsatisfiable();
    }
    return new Partial(first, Math.min(last, size - 1));
  }

  /** A non-negative decimal (capped at Long.MAX_VALUE), or -1 if not only digits. */
  private static long digits(String s) {
    if (s.isEmpty() || s.length() > 19 + 10) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : v * 10 + (c - '0');
    }
    return v;
  }
}
