package dev.chorus.node.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.node.origin.ByteRange.Partial;
import dev.chorus.node.origin.ByteRange.Unsatisfiable;
import dev.chorus.node.origin.ByteRange.Whole;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
  private static final long SIZE = 1000;

  @Test
  void closedRange() {
    assertEquals(new Partial(0, 0), ByteRange.parse("bytes=0-0", SIZE));
    assertEquals(new Partial(10, 19), ByteRange.parse("bytes=10-19", SIZE));
    assertEquals(new Partial(0, 999), ByteRange.parse("bytes=0-999", SIZE));
    assertEquals(new Partial(999, 999), ByteRange.parse("bytes=999-999", SIZE));
  }

  @Test
  void lastBeyondTheEndIsClamped() {
    assertEquals(new Partial(500, 999), ByteRange.parse("bytes=500-5000", SIZE));
    assertEquals(new Partial(500, 999), ByteRange.parse("bytes=500-99999999999999999999999", SIZE));
  }

  @Test
  void openRange() {
    assertEquals(new Partial(100, 999), ByteRange.parse("bytes=100-", SIZE));
    assertEquals(new Partial(999, 999), ByteRange.parse("bytes=999-", SIZE));
  }

  @Test
  void suffixRange() {
    assertEquals(new Partial(900, 999), ByteRange.parse("bytes=-100", SIZE));
    assertEquals(new Partial(0, 999), ByteRange.parse("bytes=-1000", SIZE));
    assertEquals(new Partial(0, 999), ByteRange.parse("bytes=-5000", SIZE));
    assertEquals(new Partial(999, 999), ByteRange.parse("bytes=-1", SIZE));
  }

  @Test
  void unsatisfiable() {
    assertEquals(new Unsatisfiable(), ByteRange.parse("bytes=1000-", SIZE));
    assertEquals(new Unsatisfiable(), ByteRange.parse("bytes=1000-2000", SIZE));
    assertEquals(new Unsatisfiable(), ByteRange.parse("bytes=-0", SIZE));
    assertEquals(new Unsatisfiable(), ByteRange.parse("bytes=0-", 0));
    assertEquals(new Unsatisfiable(), ByteRange.parse("bytes=-5", 0));
  }

  @Test
  void invalidOrUnsupportedIsIgnored() {
    for (String h : new String[] {null, "", "bytes=", "bytes=-", "bytes=5-3", "bytes=a-b",
        "bytes=1-2,4-5", "items=0-1", "bytes 0-1", "bytes=+1-2", "bytes=0x10-", "bytes=1-2-3",
        "bytes=" + "9".repeat(300) + "-"}) {
      assertEquals(new Whole(), ByteRange.parse(h, SIZE), String.valueOf(h));
    }
  }

  @Test
  void unitAndSpacesAreLenient() {
    assertEquals(new Partial(1, 2), ByteRange.parse("Bytes=1-2", SIZE));
    assertEquals(new Partial(1, 2), ByteRange.parse(" bytes= 1 - 2 ", SIZE));
  }
}
