package dev.chorus.tracker.redis;

import static dev.chorus.tracker.index.IndexTestData.CHUNKS;
import static dev.chorus.tracker.index.IndexTestData.complete;
import static dev.chorus.tracker.index.IndexTestData.coordinate;
import static dev.chorus.tracker.index.IndexTestData.ipv4;
import static dev.chorus.tracker.index.IndexTestData.ipv6;
import static dev.chorus.tracker.index.IndexTestData.partial;
import static dev.chorus.tracker.index.IndexTestData.peer;
import static dev.chorus.tracker.index.IndexTestData.track;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.PeerInfo;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BlobsTest {
  private static final long T = 1_733_380_000_123L;

  @Test
  void entriesRoundTripCompactly() {
    Holding c = complete(1);
    byte[] blob = Blobs.entry(c, T);
    assertEquals(12, blob.length);
    assertEquals(c, Blobs.entryHolding(track(1), blob));
    assertEquals(T, Blobs.entryTime(ByteBuffer.wrap(blob)));

    Holding unknownCount = Holding.complete(track(1), 0);
    assertEquals(unknownCount, Blobs.entryHolding(track(1), Blobs.entry(unknownCount, T)));

    Holding p = partial(1, 0, 7, CHUNKS - 1);
    blob = Blobs.entry(p, 0);
    assertEquals(12 + CHUNKS / 8, blob.length);
    Holding back = Blobs.entryHolding(track(1), blob);
    assertEquals(p, back);
    assertArrayEquals(p.bitmap(), back.bitmap());
    assertEquals(0, Blobs.entryTime(ByteBuffer.wrap(blob)));

    Holding empty = Holding.partial(track(1), CHUNKS, new byte[0]);
    assertEquals(empty, Blobs.entryHolding(track(1), Blobs.entry(empty, T)));

    Holding largest = Holding.partial(track(1), Holding.MAX_CHUNKS, new byte[Holding.MAX_CHUNKS / 8]);
    byte[] full = new byte[Holding.MAX_CHUNKS / 8];
    Arrays.fill(full, (byte) 0xff);
    Holding all = Holding.partial(track(1), Holding.MAX_CHUNKS, full);
    assertEquals(largest, Blobs.entryHolding(track(1), Blobs.entry(largest, T)));
    byte[] allBlob = Blobs.entry(all, (1L << 53) - 1);
    assertEquals(all, Blobs.entryHolding(track(1), allBlob));
    assertEquals((1L << 53) - 1, Blobs.entryTime(ByteBuffer.wrap(allBlob)));
  }

  @Test
  void anEntrysTimeIsReadWhereTheBufferStands() {
    byte[] blob = Blobs.entry(complete(1), T);
    ByteBuffer inReply = ByteBuffer.allocate(5 + blob.length);
    inReply.position(5);
    inReply.put(blob).position(5);
    assertEquals(T, Blobs.entryTime(inReply));
    assertEquals(5, inReply.position(), "reading the time consumes nothing");
  }

  @Test
  void theCoordinateIsReadFromARecordAsPeerInfoReadsIt() throws Exception {
    PeerInfo origin = peer(5, ipv4(192, 0, 2, 5), 4000, VivaldiCoordinate.ORIGIN, "");
    PeerInfo fourD = peer(6, ipv6("2001:db8::6"), 4000, VivaldiCoordinate.of(new float[] {1f, -2f, 3.5f, 40f}, 2f, 0.25f), "eu-west");
    for (PeerInfo p : new PeerInfo[] {peer(1), peer(2), origin, fourD}) {
      byte[] record = new byte[p.trackerPeerFieldsSize()];
      p.writeTrackerPeerFields(com.google.protobuf.CodedOutputStream.newInstance(record));
      assertEquals(p.coordinate(), Blobs.coordinate(record), p.toString());
      assertEquals(p, Blobs.peer(Blobs.peer(p)));
    }
  }

  @Test
  void peersRoundTripCompactly() {
    PeerInfo v4 = peer(1);
    byte[] blob = Blobs.peer(v4);
    // Layout, coordinate (2-D), region length, then the reply record itself.
    assertEquals(1 + 2 + 1 + 8 + 8 + 1 + v4.trackerPeerFieldsSize(), blob.length);
    PeerInfo decoded = Blobs.peer(blob);
    assertEquals(v4, decoded);
    // Rebuilt from the record without hashing the key: the derived parts must match too.
    assertEquals(v4.hashCode(), decoded.hashCode());
    assertEquals(v4.nodeId(), decoded.nodeId());
    assertEquals(v4.prefix(), decoded.prefix());
    assertEquals(v4.coordinate(), decoded.coordinate());

    PeerInfo v6 = peer(2, ipv6("2001:db8::1"), 65535,
        VivaldiCoordinate.of(new float[] {1, -2, 3, 4, 5, 6, 7, 8}, 99.5f, 1.5f), "åsa-ø-東京");
    assertEquals(v6, Blobs.peer(Blobs.peer(v6)));

    String longest = "\ud83c\udfb5".repeat(PeerInfo.MAX_REGION_LENGTH / 2);
    PeerInfo emoji = peer(3, ipv4(1, 2, 3, 4), 0, coordinate(0, 0, 0), longest);
    assertEquals(emoji, Blobs.peer(Blobs.peer(emoji)));
  }

  @Test
  void badValuesAreRejectedNotGuessed() {
    byte[] entry = Blobs.entry(complete(1), T);
    entry[0] = 9;
    assertThrows(IllegalArgumentException.class, () -> Blobs.entryHolding(track(1), entry));
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(entry)));
    assertThrows(IllegalArgumentException.class, () -> Blobs.entryHolding(track(1), new byte[] {3, 0}));
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(Arrays.copyOf(Blobs.entry(complete(1), T), 11))));
    // Layout 2's holding values (no time) are not read.
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(new byte[] {1, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0})));
    assertThrows(IllegalArgumentException.class, () -> Blobs.entryHolding(track(1), new byte[] {1, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0}));
    byte[] negative = Blobs.entry(complete(1), T);
    negative[1] = (byte) 0x80;
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(negative)));

    byte[] peer = Blobs.peer(peer(1));
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(Arrays.copyOf(peer, peer.length - 1)));
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(Arrays.copyOf(peer, peer.length + 1)));
    byte[] future = peer.clone();
    future[0] = 3;
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(future));
    future[0] = 1; // layout 1's peer value is not read
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(future));
  }
}
