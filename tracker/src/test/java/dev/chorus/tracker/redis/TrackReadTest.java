package dev.chorus.tracker.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.chorus.tracker.index.IndexTestData;
import dev.chorus.tracker.index.PeerInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrackReadTest {
  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] id(Random random) {
    byte[] id = new byte[TrackRead.ID_BYTES];
    random.nextBytes(id);
    return id;
  }

  private static ByteBuffer entry(long time) {
    return ByteBuffer.wrap(Blobs.entry(IndexTestData.complete(1), time, 7));
  }

  @Test
  void entriesAreChosenAsTheSortedSetWouldChooseThem() {
    Random random = new Random(1);
    byte[][] ids = new byte[6][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = id(random);
    }
    byte[] low = ids[4].clone();
    byte[] high = ids[4].clone();
    low[0] = 0x10;
    high[0] = (byte) 0xf0; // larger unsigned, negative signed
    long[] times = {1000, 1003, 998, 1001, 1002, 1002};
    byte[][] fields = {ids[0], ids[1], ids[2], ids[3], low, high};
    TrackRead.Entries e = new TrackRead.Entries();
    e.multi(2 * fields.length);
    for (int i = 0; i < fields.length; i++) {
      e.set(ByteBuffer.wrap(fields[i]));
      e.set(entry(times[i]));
    }
    // Newer than 998 (exclusive), newest first, equal times by id, larger first; at most 4.
    assertEquals(4, e.select(998, 4));
    assertArrayEquals(ids[1], e.ids[0]);
    assertArrayEquals(high, e.ids[1]);
    assertArrayEquals(low, e.ids[2]);
    assertArrayEquals(ids[3], e.ids[3]);
    assertEquals(List.of(1003L, 1002L, 1002L, 1001L), List.of(e.times[0], e.times[1], e.times[2], e.times[3]));
    assertEquals(IndexTestData.complete(1), Blobs.entryHolding(IndexTestData.track(1), e.values[1]));
    assertEquals(0, e.malformed);
  }

  @Test
  void expiredEntriesAreLeftOutAndAllCanBe() {
    Random random = new Random(4);
    TrackRead.Entries e = new TrackRead.Entries();
    for (int i = 0; i < 3; i++) {
      e.set(ByteBuffer.wrap(id(random)));
      e.set(entry(500 + i));
    }
    assertEquals(0, e.select(502, 30));
  }

  @Test
  void entriesGrowPastTheFirstArraysAndSkipMalformedFieldsAndValues() {
    Random random = new Random(2);
    TrackRead.Entries e = new TrackRead.Entries();
    for (int i = 0; i < 300; i++) {
      e.set(ByteBuffer.wrap(id(random)));
      e.set(entry(10_000 + i));
    }
    e.set(ByteBuffer.wrap(new byte[3])); // a field that is not a node id, and its value
    e.set(entry(1));
    e.set(ByteBuffer.wrap(id(random))); // a value of layout 2 (no time)
    e.set(ByteBuffer.wrap(new byte[] {1, 0, 0, 64}));
    e.set(ByteBuffer.wrap(id(random))); // no value
    e.set((ByteBuffer) null);
    assertEquals(3, e.malformed);
    assertEquals(300, e.count);
    assertEquals(300, e.select(0, 1000));
    for (int i = 0; i < 300; i++) {
      assertEquals(10_299 - i, e.times[i], "entry " + i);
    }
  }

  @Test
  void peersKeepKeyOrderWithNullsForMissingKeysAndUndecodableValues() {
    Random random = new Random(3);
    byte[][] ids = {id(random), id(random), id(random), id(random)};
    PeerInfo known = IndexTestData.peer(1);
    List<String> decoded = new ArrayList<>();
    TrackRead.Peers p = new TrackRead.Peers(ids, 4, (id, value) -> {
      String text = StandardCharsets.US_ASCII.decode(value).toString();
      decoded.add(text);
      if (text.equals("bad")) {
        throw new IllegalArgumentException("undecodable");
      }
      assertArrayEquals(ids[decoded.size() == 1 ? 0 : 3], id); // each value with its own entry's id
      return known;
    });
    p.multi(4);
    p.set(ascii("x"));
    p.set((ByteBuffer) null);
    p.set(ascii("bad"));
    p.set(ascii("z"));
    PeerInfo[] out = p.get();
    assertEquals(List.of("x", "bad", "z"), decoded);
    assertSame(known, out[0]);
    assertNull(out[1]);
    assertNull(out[2]);
    assertSame(known, out[3]);
    assertEquals(1, p.malformed);
  }
}
