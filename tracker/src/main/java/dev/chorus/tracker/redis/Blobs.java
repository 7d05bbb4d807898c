package dev.chorus.tracker.redis;

import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.PeerInfo;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.chorus.protocol.wire.Coordinate;
import dev.chorus.protocol.wire.TrackerPeer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Compact binary values stored in Redis. Every value starts with a tag byte naming its layout, so
 * that a later version can add one without a migration; an unknown tag is a decoding error
 * (reported, never guessed at).
 *
 * <pre>
 * entry, complete:   0x03 lastAnnounce:u64 chunkCount:u24
 * entry, partial:    0x04 lastAnnounce:u64 chunkCount:u24 bitmap (LSB-first, trailing zero bytes trimmed)
 * peer:              0x02 port:u16 dimensions:u8 position:f32[dimensions] height:f32 error:f32
 *                    regionLength:u8 region(UTF-8) record (the rest: fields 1-4 of the wire's
 *                    TrackerPeer as PeerInfo.writeTrackerPeerFields writes them)
 * </pre>
 *
 * <p>An entry value is what a track's holdings hash keeps per node: the holding and the entry's
 * time, which is also the node's score in the track's sorted set (the same script writes both), so
 * that a lookup reads the track with one HGETALL (layout 3). Layout 2's holding values (0x01, 0x02:
 * no time) are not read: a Redis holding layout 2 is refused at connect.
 *
 * <p>The peer value carries the serialized reply record so that decoding it is copies: no SHA-256
 * of the key, no protobuf (PeerInfo.ofTrackerPeerFields). Layout 1's peer value (0x01 staticKey
 * ip port coordinate region) is not read: a Redis holding layout 1 is refused at connect.
 */
final class Blobs {
  private static final byte ENTRY_COMPLETE = 3;
  private static final byte ENTRY_PARTIAL = 4;
  /** Tag, time, chunk count. */
  static final int ENTRY_HEADER = 1 + 8 + 3;
  /** Layout 2 of the index (tracker/docs/redis.md): the reply record stored as is. */
  private static final byte PEER_V2 = 2;
  /** TrackerPeer.coordinate: field 4, length-delimited. */
  private static final int COORDINATE_TAG = (TrackerPeer.COORDINATE_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private Blobs() {}

  /** A track's entry for a node: its holding, announced at {@code lastAnnounce} (epoch ms). */
  static byte[] entry(Holding h, long lastAnnounce) {
    byte[] bitmap = h.isComplete() ? new byte[0] : h.bitmap();
    byte[] out = new byte[ENTRY_HEADER + bitmap.length];
    out[0] = h.isComplete() ? ENTRY_COMPLETE : ENTRY_PARTIAL;
    for (int i = 0; i < 8; i++) {
      out[1 + i] = (byte) (lastAnnounce >>> (56 - 8 * i));
    }
    int n = h.chunkCount();
    out[9] = (byte) (n >>> 16);
    out[10] = (byte) (n >>> 8);
    out[11] = (byte) n;
    System.arraycopy(bitmap, 0, out, ENTRY_HEADER, bitmap.length);
    return out;
  }

  /**
   * The time of an entry value (epoch ms), or -1 if it is not an entry value of this layout: read
   * first, for every entry of a track, to choose the unexpired ones before decoding their holdings.
   */
  static long entryTime(ByteBuffer value) {
    int at = value.position();
    if (value.remaining() < ENTRY_HEADER || (value.get(at) != ENTRY_COMPLETE && value.get(at) != ENTRY_PARTIAL)) {
      return -1;
    }
    long time = value.getLong(at + 1);
    return time < 0 ? -1 : time;
  }

  /** The holding of an entry value. */
  static Holding entryHolding(TrackId track, byte[] blob) {
    if (blob.length < ENTRY_HEADER) {
      throw new IllegalArgumentException("entry value of " + blob.length + " bytes");
    }
    int n = ((blob[9] & 0xff) << 16) | ((blob[10] & 0xff) << 8) | (blob[11] & 0xff);
    switch (blob[0]) {
      case ENTRY_COMPLETE:
        return Holding.complete(track, n);
      case ENTRY_PARTIAL:
        return Holding.partial(track, n, Arrays.copyOfRange(blob, ENTRY_HEADER, blob.length));
      default:
        throw new IllegalArgumentException("unknown entry layout " + blob[0]);
    }
  }

  static byte[] peer(PeerInfo p) {
    byte[] region = p.region().getBytes(StandardCharsets.UTF_8);
    byte[] record = new byte[p.trackerPeerFieldsSize()];
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(record);
      p.writeTrackerPeerFields(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("a peer record larger than its stated size", e);
    }
    VivaldiCoordinate c = coordinate(record);
    int recordAt = 1 + 2 + 1 + 4 * c.dimensions() + 8 + 1 + region.length;
    byte[] out = new byte[recordAt + record.length];
    ByteBuffer b = ByteBuffer.wrap(out);
    b.put(PEER_V2).putShort((short) p.port()).put((byte) c.dimensions());
    for (int i = 0; i < c.dimensions(); i++) {
      b.putFloat(c.position(i));
    }
    b.putFloat(c.heightMs()).putFloat(c.error());
    b.put((byte) region.length).put(region).put(record);
    return out;
  }

  /**
   * The coordinate of a peer record ({@link PeerInfo#writeTrackerPeerFields}: fields 1-4 of the
   * wire's TrackerPeer, each length-delimited), as {@link PeerInfo#coordinate()} reads it, but
   * parsing only field 4 rather than the whole record: an announce stores it on every call.
   */
  static VivaldiCoordinate coordinate(byte[] record) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(record);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == COORDINATE_TAG) {
          int limit = in.pushLimit(in.readRawVarint32());
          Coordinate wire = Coordinate.parseFrom(in);
          in.popLimit(limit);
          return VivaldiCoordinate.fromWireOrOrigin(wire);
        }
        in.skipField(tag);
      }
      return VivaldiCoordinate.fromWireOrOrigin(null);
    } catch (IOException e) {
      throw new IllegalStateException("a PeerInfo record that does not parse", e);
    }
  }

  static PeerInfo peer(byte[] blob) {
    if (blob.length < 4) {
      throw truncated(blob);
    }
    if (blob[0] != PEER_V2) {
      throw new IllegalArgumentException("unknown peer layout " + blob[0]);
    }
    int port = ((blob[1] & 0xff) << 8) | (blob[2] & 0xff);
    float[] position = new float[blob[3] & 0xff];
    int at = 4;
    int regionAt = at + 4 * position.length + 8 + 1;
    if (regionAt > blob.length) {
      throw truncated(blob);
    }
    for (int i = 0; i < position.length; i++, at += 4) {
      position[i] = floatAt(blob, at);
    }
    VivaldiCoordinate c = VivaldiCoordinate.of(position, floatAt(blob, at), floatAt(blob, at + 4));
    int regionLength = blob[regionAt - 1] & 0xff;
    int recordAt = regionAt + regionLength;
    if (recordAt > blob.length) {
      throw truncated(blob);
    }
    String region = regionLength == 0 ? "" : new String(blob, regionAt, regionLength, StandardCharsets.UTF_8);
    return PeerInfo.ofTrackerPeerFields(Arrays.copyOfRange(blob, recordAt, blob.length), port, c, region);
  }

  private static float floatAt(byte[] b, int at) {
    return Float.intBitsToFloat(((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff));
  }

  private static IllegalArgumentException truncated(byte[] blob) {
    return new IllegalArgumentException("truncated peer value of " + blob.length + " bytes");
  }
}
