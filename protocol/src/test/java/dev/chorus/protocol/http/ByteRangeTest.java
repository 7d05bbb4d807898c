package dev.chorus.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.protocol.http.ByteRange.Kind;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Range header parser in the four cases: well formed, incomplete, invalid, bad length. (The
 * cases of the stream endpoint's and the origin's parsers, which this one replaces.)
 */
class ByteRangeTest {
  static final long LEN = 10_000;

  static ByteRange partial(long first, long last) {
    return new ByteRange(Kind.PARTIAL, first, last, LEN);
  }

  static final ByteRange FULL = new ByteRange(Kind.FULL, 0, LEN - 1, LEN);
  static final ByteRange UNSATISFIABLE = new ByteRange(Kind.UNSATISFIABLE, 0, -1, LEN);

  @Nested
  class WellFormed {
    @Test
    void noHeaderIsTheWholeTrack() {
      assertEquals(FULL, ByteRange.parse(null, LEN));
      assertEquals(LEN, FULL.size());
    }

    @Test
    void firstAndLast() {
      ByteRange r = ByteRange.parse("bytes=100-199", LEN);
      assertEquals(partial(100, 199), r);
      assertEquals(100, r.size());
      assertEquals("bytes 100-199/10000", r.contentRange());
      assertEquals(partial(0, LEN - 1), ByteRange.parse("bytes=0-9999", LEN));
    }

    @Test
    void openEnded() {
      assertEquals(partial(0, LEN - 1), ByteRange.parse("bytes=0-", LEN));
      assertEquals(partial(5000, LEN - 1), ByteRange.parse("bytes=5000-", LEN));
      assertEquals(partial(LEN - 1, LEN - 1), ByteRange.parse("bytes=9999-", LEN));
    }

    @Test
    void suffix() {
      assertEquals(partial(LEN - 500, LEN - 1), ByteRange.parse("bytes=-500", LEN));
      assertEquals(partial(LEN - 1, LEN - 1), ByteRange.parse("bytes=-1", LEN));
      assertEquals(partial(0, LEN - 1), ByteRange.parse("bytes=-10000", LEN), "exactly the track");
      assertEquals(partial(0, LEN - 1), ByteRange.parse("bytes=-20000", LEN), "longer than the track: all of it");
    }

    @Test
    void lastPastTheEndIsClamped() {
      assertEquals(partial(9000, LEN - 1), ByteRange.parse("bytes=9000-123456", LEN));
    }

    @Test
    void singleByteAndCaseAndSpaces() {
      assertEquals(partial(0, 0), ByteRange.parse("bytes=0-0", LEN));
      assertEquals(partial(9999, 9999), ByteRange.parse(" Bytes = 9999 - 9999 ", LEN));
      assertEquals(partial(1, 2), ByteRange.parse("Bytes=1-2", LEN));
      assertEquals(partial(1, 2), ByteRange.parse(" bytes= 1 - 2 ", LEN));
    }

    @Test
    void severalRangesGetTheWholeTrack() {
      assertEquals(FULL, ByteRange.parse("bytes=0-1,5-6", LEN));
      assertEquals(FULL, ByteRange.parse("bytes=0-1, -5", LEN));
    }

    @Test
    void unsatisfiableStartsAtOrPastTheEnd() {
      assertEquals(UNSATISFIABLE, ByteRange.parse("bytes=10000-", LEN));
      assertEquals(UNSATISFIABLE, ByteRange.parse("bytes=10000-20000", LEN));
      assertEquals("bytes */10000", UNSATISFIABLE.contentRange());
      assertEquals(0, UNSATISFIABLE.size());
    }
  }

  @Nested
  class Incomplete {
    @ParameterizedTest
    @ValueSource(strings = {"", "bytes", "bytes=", "bytes=-", "bytes=100", "bytes=-  ", "=0-1"})
    void isIgnored(String header) {
      assertEquals(FULL, ByteRange.parse(header, LEN));
    }
  }

  @Nested
  class Invalid {
    @ParameterizedTest
    @ValueSource(strings = {"bytes=200-100", "bytes=a-b", "bytes=0x10-", "bytes=-+5", "bytes=1-2-3",
        "bytes=+1-2", "items=0-100", "bytes 0-100", "bytes=1.5-2", "bytes=٣-٤"})
    void isIgnored(String header) {
      assertEquals(FULL, ByteRange.parse(header, LEN));
    }
  }

  @Nested
  class BadLength {
    @Test
    void numbersLongerThanALongSaturate() {
      assertEquals(partial(0, LEN - 1), ByteRange.parse("bytes=0-99999999999999999999", LEN),
          "a last position past the end, however long, means the end");
      assertEquals(partial(500, LEN - 1), ByteRange.parse("bytes=500-99999999999999999999999", LEN));
      assertEquals(UNSATISFIABLE, ByteRange.parse("bytes=9223372036854775808-", LEN));
      assertEquals(partial(0, LEN - 1), ByteRange.parse("bytes=-9223372036854775808", LEN));
    }

    @Test
    void largeNumbers() {
      assertEquals(UNSATISFIABLE, ByteRange.parse("bytes=999999999999999999-", LEN));
      assertEquals(partial(0, LEN - 1), ByteRange.parse("bytes=-999999999999999999", LEN));
    }

    @Test
    void overlongHeadersAreIgnored() {
      assertEquals(FULL, ByteRange.parse("bytes=" + "9".repeat(300) + "-", LEN));
      String padded = "bytes=0-1" + " ".repeat(ByteRange.MAX_HEADER_CHARS);
      assertEquals(FULL, ByteRange.parse(padded, LEN));
      assertEquals(partial(0, 1), ByteRange.parse(padded.substring(0, ByteRange.MAX_HEADER_CHARS), LEN));
    }

    @Test
    void emptySuffixIsUnsatisfiable() {
      assertEquals(UNSATISFIABLE, ByteRange.parse("bytes=-0", LEN));
    }

    @Test
    void anEmptyTrackSatisfiesNoRange() {
      ByteRange empty = new ByteRange(Kind.UNSATISFIABLE, 0, -1, 0);
      assertEquals(empty, ByteRange.parse("bytes=0-", 0));
      assertEquals(empty, ByteRange.parse("bytes=-5", 0));
      assertEquals(0, ByteRange.parse(null, 0).size());
    }

    @Test
    void aNegativeLengthIsABug() {
      assertThrows(IllegalArgumentException.class, () -> ByteRange.parse("bytes=0-", -1));
    }
  }
}
