package dev.chorus.node.stream;

/**
 * What a {@code Range} request header asks of a representation of {@code length} bytes (RFC 9110
 * §14.1.2, §14.2): the whole representation ({@link Kind#FULL}: no header, another unit, a
 * syntactically invalid or multi-range set, all of which a server may answer with 200), one range
 * ({@link Kind#PARTIAL}: bytes {@code first..last} inclusive, answered with 206), or nothing that
 * overlaps it ({@link Kind#UNSATISFIABLE}: 416).
 */
record ByteRange(Kind kind, long first, long last, long length) {
  enum Kind {
    FULL,
    PARTIAL,
    UNSATISFIABLE
  }

  /** Longer numbers than this are refused as invalid rather than risk overflow. */
  private static final int MAX_DIGITS = 18;

  /** The answer to {@code header} (null when absent) for a representation of {@code length} bytes. */
  static ByteRange parse(String header, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("length " + length + " < 0");
    }
    ByteRange full = new ByteRange(Kind.FULL, 0, length - 1, length);
    if (header == null) {
      return full;
    }
    String h = header.strip();
    int eq = h.indexOf('=');
    if (eq < 0 || !h.substring(0, eq).strip().equalsIgnoreCase("bytes")) {
      return full; // not a byte range (or no unit at all): ignored
    }
    String set = h.substring(eq + 1).strip();
    if (set.indexOf(',') >= 0) {
      return full; // several ranges: RFC 9110 lets us send the whole representation
    }
    int dash = set.indexOf('-');
    if (dash < 0) {
      return full; // incomplete: ignored
    }
    String a = set.substring(0, dash).strip();
    String b = set.substring(dash + 1).strip();
    if (a.isEmpty()) { // suffix range: the last n bytes
      long n = number(b);
      if (n < 0) {
        return full;
      }
      if (n == 0 || length == 0) {
        return unsatisfiable(length);
      }
      return new ByteRange(Kind.PARTIAL, Math.max(0, length - n), length - 1, length);
    }
    long first = number(a);
    if (first < 0) {
      return full;
    }
    long last;
    if (b.isEmpty()) {
      last = Long.MAX_VALUE;
    } else {
      last = number(b);
      if (last < 0 || last < first) {
        return full; // invalid: ignored
      }
    }
    if (first >= length) {
      return unsatisfiable(length);
    }
    return new ByteRange(Kind.PARTIAL, first, Math.min(last, length - 1), length);
  }

  private static ByteRange unsatisfiable(long length) {
    return new ByteRange(Kind.UNSATISFIABLE, 0, -1, length);
  }

  /** A non-negative decimal number of at most {@link #MAX_DIGITS} digits, or -1. */
  private static long number(String s) {
    if (s.isEmpty() || s.length() > MAX_DIGITS) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Bytes to send: the range's size, or the whole length. */
  long size() {
    return kind == Kind.UNSATISFIABLE ? 0 : last - first + 1;
  }

  /** The {@code Content-Range} value for a 206 or a 416. */
  String contentRange() {
    return kind == Kind.UNSATISFIABLE ? "bytes */" + length : "bytes " + first + "-" + last + "/" + length;
  }
}
