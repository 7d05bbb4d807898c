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
 * holding, complete: 0x01 chunkCount:u24
 * holding, partial:  0x02 chunkCount:u24 bitmap (LSB-first, trailing zero bytes trimmed)
 * peer:              0x02 port:u16 dimensions:u8 position:f32[dimensions] height:f32 error:f32
 *                    regionLength:u8 region(UTF-8) record (the rest: fields 1-4 of the wire's
 *                    TrackerPeer as PeerInfo.writeTrackerPeerFields writes them)
 * </pre>
 *
 * <p>The peer value carries the serialized reply record so that decoding it is copies: no SHA-256
 * of the key, no protobuf (PeerInfo.ofTrackerPeerFields). Layout 1's peer value (0x01 staticKey
 * ip port coordinate region) is not read: a Redis holding layout 1 is refused at connect.
 */
final class Blobs {
  private static final byte HOLDING_COMPLETE = 1;
  private static final byte HOLDING_PARTIAL = 2;
  /** Layout 2 of the index (tracker/docs/redis.md): the reply record stored as is. */
  private static final byte PEER_V2 = 2;
  /** TrackerPeer.coordinate: field 4, length-delimited. */
  private static final int COORDINATE_TAG = (TrackerPeer.COORDINATE_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private Blobs() {}

  static byte[] holding(Holding h) {
    byte[] bitmap = h.isComplete() ? new byte[0] : h.bitmap();
    byte[] out = new byte[4 + bitmap.length];
    out[0] = h.isComplete() ? HOLDING_COMPLETE : HOLDING_PARTIAL;
    int n = h.chunkCount();
    out[1] = (byte) (n >>> 16);
    out[2] = (byte) (n >>> 8);
    out[3] = (byte) n;
    System.arraycopy(bitmap, 0, out, 4, bitmap.length);
    return out;
  }

  static Holding holding(TrackId track, byte[] blob) {
    if (blob.length < 4) {
      throw new IllegalArgumentException("holding value of " + blob.length + " bytes");
    }
    int n = ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
    switch (blob[0]) {
      case HOLDING_COMPLETE:
        return Holding.complete(track, n);
      case HOLDING_PARTIAL:
        byte[] bitmap = new byte[blob.length - 4];
        System.arraycopy(blob, 4, bitmap, 0, bitmap.length);
        return Holding.partial(track, n, bitmap);
      default:
        throw new IllegalArgumentException("unknown holding layout " + blob[0]);
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
