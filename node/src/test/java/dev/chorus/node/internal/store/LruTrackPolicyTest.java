package dev.chorus.node.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.chorus.protocol.manifest.TrackId;
import java.util.List;
import org.junit.jupiter.api.Test;

class LruTrackPolicyTest {
  private static TrackId id(int n) {
    byte[] b = new byte[TrackId.BYTES];
    b[0] = (byte) n;
    return TrackId.fromBytes(b);
  }

  @Test
  void evictsOldestFirstUntilUnderCapacity() {
    LruTrackPolicy p = new LruTrackPolicy();
    for (int i = 1; i <= 4; i++) {
      p.touch(id(i), i * 10L);
      p.addBytes(id(i), 100);
    }
    assertEquals(400, p.totalBytes());
    assertEquals(List.of(), p.evictionsFor(400, null));
    assertEquals(List.of(id(1)), p.evictionsFor(399, null));
    assertEquals(List.of(id(1), id(2)), p.evictionsFor(200, null));
    p.touch(id(1), 50);
    assertEquals(List.of(id(2), id(3)), p.evictionsFor(200, null));
    assertEquals(List.of(id(3), id(4)), p.evictionsFor(200, id(2)));
    assertEquals(List.of(id(2), id(3), id(4)), p.tracksByAge().subList(0, 3));
  }

  @Test
  void removeForgetsBytes() {
    LruTrackPolicy p = new LruTrackPolicy();
    p.touch(id(1), 1);
    p.addBytes(id(1), 70);
    p.touch(id(2), 1); // equal ticks are ordered by id
    p.addBytes(id(2), 30);
    assertEquals(List.of(id(1), id(2)), p.tracksByAge());
    assertEquals(70, p.remove(id(1)));
    assertEquals(0, p.remove(id(1)));
    assertFalse(p.contains(id(1)));
    assertEquals(30, p.totalBytes());
    assertEquals(-1, p.lastUse(id(1)));
    assertEquals(1, p.lastUse(id(2)));
  }
}
