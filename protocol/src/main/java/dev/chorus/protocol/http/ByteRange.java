package dev.chorus.protocol.http;

/**
 * What a {@code Range} request header asks of a representation of {@code length} bytes (RFC 9110
 * §14.1.2, §14.2): the whole representation ({@link Kind#FULL}: no header, another unit, a
 * syntactically invalid or multi-range set, all of which a server may answer with 200), one range
 * ({@link Kind#PARTIAL}: bytes {@code first..last} inclusive, answered with 206), or nothing that
 * overlaps it ({@link Kind#UNSATISFIABLE}: 416). Pure; the one parser of the node's stream
 * endpoint, {@code chorus origin} and the benchmark's origin.
 *
 * <p>One range is served: {@code bytes=a-b}, {@code bytes=a-} and {@code bytes=-n}; the unit is
 * matched without regard to case and spaces around the parts are allowed. Several ranges are not
 * served (the whole representation is). A last position past the end, however many digits it has,
 * means the end; a first position past the end is unsatisfiable. Headers over {@value
 * #MAX_HEADER_CHARS} characters are ignored.
 */
public record ByteRange(Kind kind, long first, long last, long length) {
  /** What to answer. */
  public enum Kind {
    FULL,
    PARTIAL,
    UNSATISFIABLE
  }

  /** Longer headers are ignored unread. */
  public static final int MAX_HEADER_CHARS = 200;

  /** The answer to {@code header} (null when absent) for a representation of {@code length} bytes. */
  public static ByteRange parse(String header, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("length " + length + " < 0");
    }
    ByteRange full = new ByteRange(Kind.FULL, 0, length - 1, length);
    if (header == null || header.length() > MAX_HEADER_CHARS) {
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

  /** A non-negative decimal number (capped at Long.MAX_VALUE), or -1 if not only ASCII digits. */
  private static long number(String s) {
    if (s.isEmpty()) {
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

  /** Bytes to send: the range's size, or the whole length. */
  public long size() {
    return kind == Kind.UNSATISFIABLE ? 0 : last - first + 1;
  }

  /** The {@code Content-Range} value for a 206 or a 416. */
  public String contentRange() {
    return kind == Kind.UNSATISFIABLE ? "bytes */" + length : "bytes " + first + "-" + last + "/" + length;
  }
}
