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

  @Test
  void scoresAreReadAsIntegersAndOtherFormsThroughTheDoubleParser() {
    assertEquals(1_733_380_000_123L, TrackRead.parseScore(ascii("1733380000123")));
    assertEquals(0L, TrackRead.parseScore(ascii("0")));
    assertEquals(1_733_380_000_123L, TrackRead.parseScore(ascii("1.733380000123e12")));
    assertEquals(12L, TrackRead.parseScore(ascii("12.5")));
    assertEquals(-1L, TrackRead.parseScore(ascii("-3")));
    assertEquals(-1L, TrackRead.parseScore(ascii("inf")));
    assertEquals(-1L, TrackRead.parseScore(ascii("")));
  }

  @Test
  void entriesTakeRespTwoAndRespThreeScoresAndSkipMalformedMembers() {
    Random random = new Random(1);
    byte[] a = id(random);
    byte[] b = id(random);
    TrackRead.Entries e = new TrackRead.Entries(30);
    e.multi(6);
    e.set(ByteBuffer.wrap(a));
    e.set(ascii("1000")); // RESP2: the score as a bulk string
    e.set(ByteBuffer.wrap(new byte[5])); // not a node id: left out with its score
    e.set(ascii("999"));
    e.set(ByteBuffer.wrap(b));
    e.set(998.0); // RESP3: a double
    assertEquals(2, e.count);
    assertEquals(1, e.malformed);
    assertArrayEquals(a, e.ids[0]);
    assertArrayEquals(b, e.ids[1]);
    assertEquals(1000L, e.times[0]);
    assertEquals(998L, e.times[1]);
  }

  @Test
  void holdingsAreFoundByNodeIdPastTheFirstTable() {
    Random random = new Random(2);
    TrackRead.Holdings h = new TrackRead.Holdings();
    byte[][] ids = new byte[300][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = id(random);
      h.set(ByteBuffer.wrap(ids[i]));
      h.set(ByteBuffer.wrap(new byte[] {1, 0, 0, (byte) i}));
    }
    h.set(ByteBuffer.wrap(new byte[3])); // a field that is not a node id, and its value
    h.set(ByteBuffer.wrap(new byte[] {1, 0, 0, 1}));
    assertEquals(1, h.malformed);
    for (int i = 0; i < ids.length; i++) {
      assertArrayEquals(new byte[] {1, 0, 0, (byte) i}, h.get(ids[i]), "entry " + i);
    }
    assertNull(h.get(id(random)));
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
