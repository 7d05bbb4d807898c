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
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BlobsTest {
  @Test
  void holdingsRoundTripCompactly() {
    Holding c = complete(1);
    byte[] blob = Blobs.holding(c);
    assertEquals(4, blob.length);
    assertEquals(c, Blobs.holding(track(1), blob));

    Holding unknownCount = Holding.complete(track(1), 0);
    assertEquals(unknownCount, Blobs.holding(track(1), Blobs.holding(unknownCount)));

    Holding p = partial(1, 0, 7, CHUNKS - 1);
    blob = Blobs.holding(p);
    assertEquals(4 + CHUNKS / 8, blob.length);
    Holding back = Blobs.holding(track(1), blob);
    assertEquals(p, back);
    assertArrayEquals(p.bitmap(), back.bitmap());

    Holding empty = Holding.partial(track(1), CHUNKS, new byte[0]);
    assertEquals(empty, Blobs.holding(track(1), Blobs.holding(empty)));

    Holding largest = Holding.partial(track(1), Holding.MAX_CHUNKS, new byte[Holding.MAX_CHUNKS / 8]);
    byte[] full = new byte[Holding.MAX_CHUNKS / 8];
    Arrays.fill(full, (byte) 0xff);
    Holding all = Holding.partial(track(1), Holding.MAX_CHUNKS, full);
    assertEquals(largest, Blobs.holding(track(1), Blobs.holding(largest)));
    assertEquals(all, Blobs.holding(track(1), Blobs.holding(all)));
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
    byte[] holding = Blobs.holding(complete(1));
    holding[0] = 9;
    assertThrows(IllegalArgumentException.class, () -> Blobs.holding(track(1), holding));
    assertThrows(IllegalArgumentException.class, () -> Blobs.holding(track(1), new byte[] {1, 0}));

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
