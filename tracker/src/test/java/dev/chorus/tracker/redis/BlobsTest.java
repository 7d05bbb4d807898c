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
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlobsTest {
  private static final long T = 1_733_380_000_123L;
  private static final long V = 0x0123_4567_89ab_cdefL;

  @Test
  void entriesRoundTripCompactly() {
    Holding c = complete(1);
    byte[] blob = Blobs.entry(c, T, V);
    assertEquals(20, blob.length);
    assertEquals(c, Blobs.entryHolding(track(1), blob));
    assertEquals(T, Blobs.entryTime(ByteBuffer.wrap(blob)));
    assertEquals(V, Blobs.entryVersion(blob));

    Holding unknownCount = Holding.complete(track(1), 0);
    assertEquals(unknownCount, Blobs.entryHolding(track(1), Blobs.entry(unknownCount, T, V)));

    Holding p = partial(1, 0, 7, CHUNKS - 1);
    blob = Blobs.entry(p, 0, -1L);
    assertEquals(20 + CHUNKS / 8, blob.length);
    assertEquals(-1L, Blobs.entryVersion(blob));
    Holding back = Blobs.entryHolding(track(1), blob);
    assertEquals(p, back);
    assertArrayEquals(p.bitmap(), back.bitmap());
    assertEquals(0, Blobs.entryTime(ByteBuffer.wrap(blob)));

    Holding empty = Holding.partial(track(1), CHUNKS, new byte[0]);
    assertEquals(empty, Blobs.entryHolding(track(1), Blobs.entry(empty, T, V)));

    Holding largest = Holding.partial(track(1), Holding.MAX_CHUNKS, new byte[Holding.MAX_CHUNKS / 8]);
    byte[] full = new byte[Holding.MAX_CHUNKS / 8];
    Arrays.fill(full, (byte) 0xff);
    Holding all = Holding.partial(track(1), Holding.MAX_CHUNKS, full);
    assertEquals(largest, Blobs.entryHolding(track(1), Blobs.entry(largest, T, V)));
    byte[] allBlob = Blobs.entry(all, (1L << 53) - 1, Long.MIN_VALUE);
    assertEquals(all, Blobs.entryHolding(track(1), allBlob));
    assertEquals((1L << 53) - 1, Blobs.entryTime(ByteBuffer.wrap(allBlob)));
    assertEquals(Long.MIN_VALUE, Blobs.entryVersion(allBlob));
  }

  @Test
  void anEntrysTimeIsReadWhereTheBufferStands() {
    byte[] blob = Blobs.entry(complete(1), T, V);
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
    // Layout, version, port, coordinate (2-D), region length, then the reply record itself.
    assertEquals(1 + 8 + 2 + 1 + 8 + 8 + 1 + v4.trackerPeerFieldsSize(), blob.length);
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
    byte[] entry = Blobs.entry(complete(1), T, V);
    entry[0] = 9;
    assertThrows(IllegalArgumentException.class, () -> Blobs.entryHolding(track(1), entry));
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(entry)));
    assertThrows(IllegalArgumentException.class, () -> Blobs.entryHolding(track(1), new byte[] {5, 0}));
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(Arrays.copyOf(Blobs.entry(complete(1), T, V), 19))));
    // Layout 3's entry values (time, no peer version) are not read.
    byte[] layout3 = {3, 0, 0, 1, (byte) 0x93, 0, 0, 0, 0, 0, 0, 64};
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(layout3)));
    assertThrows(IllegalArgumentException.class, () -> Blobs.entryHolding(track(1), layout3));
    // Layout 2's holding values (no time) are not read.
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(new byte[] {1, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0})));
    assertThrows(IllegalArgumentException.class, () -> Blobs.entryHolding(track(1), new byte[] {1, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0}));
    byte[] negative = Blobs.entry(complete(1), T, V);
    negative[1] = (byte) 0x80;
    assertEquals(-1, Blobs.entryTime(ByteBuffer.wrap(negative)));

    byte[] peer = Blobs.peer(peer(1));
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(Arrays.copyOf(peer, peer.length - 1)));
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(Arrays.copyOf(peer, peer.length + 1)));
    byte[] future = peer.clone();
    future[0] = 4;
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(future));
    assertThrows(IllegalArgumentException.class, () -> Blobs.peerVersion(future));
    future[0] = 2; // layout 2 and 3's peer value (no version) is not read
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(future));
    future[0] = 1; // layout 1's peer value is not read
    assertThrows(IllegalArgumentException.class, () -> Blobs.peer(future));
  }

  @Test
  void aPeerValuesVersionIsADigestOfTheRestWithoutTheCoordinateSoOnlyACoordinateMayChangeUnderOneVersion() throws Exception {
    PeerInfo a = peer(1, ipv4(192, 0, 2, 1), 5000, coordinate(1, 1, 1), "");
    byte[] value = Blobs.peer(a);
    long version = Blobs.peerVersion(value);
    assertEquals(version, Blobs.peerVersion(Blobs.peer(peer(1, ipv4(192, 0, 2, 1), 5000, coordinate(1, 1, 1), ""))),
        "the same info, written again (another instance)");
    PeerInfo drifted = peer(1, ipv4(192, 0, 2, 1), 5000, coordinate(1.5f, -2, 4), "");
    PeerInfo fourD = peer(1, ipv4(192, 0, 2, 1), 5000, VivaldiCoordinate.of(new float[] {1, 2, 3, 4}, 0, 0.5f), "");
    PeerInfo origin = peer(1, ipv4(192, 0, 2, 1), 5000, VivaldiCoordinate.ORIGIN, "");
    for (PeerInfo p : List.of(drifted, fourD, origin)) {
      assertEquals(version, Blobs.peerVersion(Blobs.peer(p)), "a coordinate-only change keeps the version: " + p);
      assertEquals(p, Blobs.peer(Blobs.peer(p)), "and the value has the new coordinate");
    }
    PeerInfo moved = peer(1, ipv4(198, 51, 100, 9), 5000, coordinate(1, 1, 1), "");
    PeerInfo otherPort = peer(1, ipv4(192, 0, 2, 1), 5001, coordinate(1, 1, 1), "");
    PeerInfo otherRegion = peer(1, ipv4(192, 0, 2, 1), 5000, coordinate(1, 1, 1), "eu");
    PeerInfo otherKey = peer(2, ipv4(192, 0, 2, 1), 5000, coordinate(1, 1, 1), "");
    long[] versions = {version, Blobs.peerVersion(Blobs.peer(moved)), Blobs.peerVersion(Blobs.peer(otherPort)),
        Blobs.peerVersion(Blobs.peer(otherRegion)), Blobs.peerVersion(Blobs.peer(otherKey))};
    assertEquals(versions.length, Arrays.stream(versions).distinct().count(), Arrays.toString(versions));
    // Read in place from a reply's buffer, consuming nothing.
    ByteBuffer inReply = ByteBuffer.allocate(3 + value.length);
    inReply.position(3);
    inReply.put(value).position(3);
    assertEquals(version, Blobs.peerVersion(inReply));
    assertEquals(3, inReply.position());
    // The version is the first 8 bytes of SHA-256 over port, region length, region and the record
    // without its coordinate field (field 4).
    byte[] record = new byte[a.trackerPeerFieldsSize()];
    a.writeTrackerPeerFields(com.google.protobuf.CodedOutputStream.newInstance(record));
    int[] span = coordinateSpanOf(record);
    ByteArrayOutputStream hashed = new ByteArrayOutputStream();
    hashed.write(value, 9, 2);
    hashed.write(0); // region length
    hashed.write(record, 0, span[0]);
    hashed.write(record, span[1], record.length - span[1]);
    assertEquals(version, ByteBuffer.wrap(sha256(hashed.toByteArray())).getLong());
  }

  /** Where field 4 (tag, length, message) of a record starts and ends, read byte by byte. */
  private static int[] coordinateSpanOf(byte[] record) {
    for (int at = 0; at < record.length; ) {
      int tag = record[at] & 0xff; // fields 1-5, one-byte tags and lengths below 128 here
      int length = record[at + 1] & 0xff;
      assertEquals(2, tag & 7, "length-delimited");
      if (tag >>> 3 == 4) {
        return new int[] {at, at + 2 + length};
      }
      at += 2 + length;
    }
    throw new AssertionError("no coordinate in the record");
  }

  private static byte[] sha256(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
