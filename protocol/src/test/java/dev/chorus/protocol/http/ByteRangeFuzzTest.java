package dev.chorus.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Any {@code Range} header against any representation length: the answer is full, one range
 * inside the representation, or unsatisfiable; never an exception. Seeds in {@code
 * ByteRangeFuzzTestInputs/}; for a fuzzing run see README.md (Testing).
 */
class ByteRangeFuzzTest {
  /** Around the edges: empty, one byte, a track, beyond int, the largest. */
  private static final long[] LENGTHS = {0, 1, 1000, 1L << 40, Long.MAX_VALUE};

  @FuzzTest(maxDuration = "30s")
  void answersWithinTheRepresentation(byte[] input) {
    // Latin-1: every byte is one char, so seeds are the header as written.
    String header = new String(input, StandardCharsets.ISO_8859_1);
    for (long length : LENGTHS) {
      check(header, length);
    }
  }

  private static void check(String header, long length) {
    ByteRange r = ByteRange.parse(header, length);
    assertEquals(length, r.length());
    switch (r.kind()) {
      case FULL -> {
        assertEquals(0, r.first());
        assertEquals(length - 1, r.last());
      }
      case PARTIAL -> {
        assertTrue(header.length() <= ByteRange.MAX_HEADER_CHARS);
        assertTrue(0 <= r.first() && r.first() <= r.last() && r.last() < length, r::toString);
        assertEquals(r.last() - r.first() + 1, r.size());
      }
      case UNSATISFIABLE -> assertEquals(0, r.size());
    }
    assertTrue(r.contentRange().startsWith("bytes "));
  }
}
