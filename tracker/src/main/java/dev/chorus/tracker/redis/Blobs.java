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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Compact binary values stored in Redis. Every value starts with a tag byte naming its layout, so
 * that a later version can add one without a migration; an unknown tag is a decoding error
 * (reported, never guessed at).
 *
 * <pre>
 * entry, complete:   0x05 lastAnnounce:u64 peerVersion:u64 chunkCount:u24
 * entry, partial:    0x06 lastAnnounce:u64 peerVersion:u64 chunkCount:u24 bitmap (LSB-first, trailing zero bytes trimmed)
 * peer:              0x03 version:u64 port:u16 dimensions:u8 position:f32[dimensions] height:f32 error:f32
 *                    regionLength:u8 region(UTF-8) record (the rest: fields 1-4 of the wire's
 *                    TrackerPeer as PeerInfo.writeTrackerPeerFields writes them)
 * </pre>
 *
 * <p>An entry value is what a track's holdings hash keeps per node: the holding, the entry's time,
 * which is also the node's score in the track's sorted set (the same script writes both), so that
 * a lookup reads the track with one HGETALL (layout 3), and the version of the peer's value it was
 * written with (layout 4): a tracker that has decoded that version of the peer needs no read of
 * the peer's key (unless its copy is older than RedisPeerIndex.COORDINATE_STALENESS_MILLIS). A peer
 * value's version is the first 8 bytes of the SHA-256 of the rest of the value without the
 * coordinate ({@link #version}): the same info gives the same version on every instance, info that
 * differs in anything but the coordinate a different one (but for a 2^-64 chance per change), and
 * a coordinate-only change the same one. Layouts 2 and 3 (holding values 0x01-0x04, peer values
 * 0x02) are not read: a Redis holding them is refused at connect.
 *
 * <p>The peer value carries the serialized reply record so that decoding it is copies: no SHA-256
 * of the key, no protobuf (PeerInfo.ofTrackerPeerFields). Layout 1's peer value (0x01 staticKey
 * ip port coordinate region) is not read: a Redis holding layout 1 is refused at connect.
 */
final class Blobs {
  private static final byte ENTRY_COMPLETE = 5;
  private static final byte ENTRY_PARTIAL = 6;
  /** Where an entry value's peer version starts (after tag and time). */
  static final int ENTRY_VERSION_AT = 1 + 8;
  /** Tag, time, peer version, chunk count. */
  static final int ENTRY_HEADER = 1 + 8 + 8 + 3;
  /** Layout 4 of the index (tracker/docs/redis.md): a version, then the reply record stored as is. */
  private static final byte PEER_V3 = 3;
  /** Tag and version. */
  private static final int PEER_HEADER = 1 + 8;
  /** TrackerPeer.coordinate: field 4, length-delimited. */
  private static final int COORDINATE_TAG = (TrackerPeer.COORDINATE_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private Blobs() {}

  /**
   * A track's entry for a node: its holding, announced at {@code lastAnnounce} (epoch ms) with the
   * peer value of version {@code peerVersion} ({@link #peerVersion}).
   */
  static byte[] entry(Holding h, long lastAnnounce, long peerVersion) {
    byte[] bitmap = h.isComplete() ? new byte[0] : h.bitmap();
    byte[] out = new byte[ENTRY_HEADER + bitmap.length];
    out[0] = h.isComplete() ? ENTRY_COMPLETE : ENTRY_PARTIAL;
    putLong(out, 1, lastAnnounce);
    putLong(out, ENTRY_VERSION_AT, peerVersion);
    int n = h.chunkCount();
    out[17] = (byte) (n >>> 16);
    out[18] = (byte) (n >>> 8);
    out[19] = (byte) n;
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

  /**
   * The peer version of an entry value that {@link #entryTime} accepted: which of the peer's values
   * the entry was written (or last re-versioned) with.
   */
  static long entryVersion(byte[] entry) {
    return getLong(entry, ENTRY_VERSION_AT);
  }

  /** The holding of an entry value. */
  static Holding entryHolding(TrackId track, byte[] blob) {
    if (blob.length < ENTRY_HEADER) {
      throw new IllegalArgumentException("entry value of " + blob.length + " bytes");
    }
    int n = ((blob[17] & 0xff) << 16) | ((blob[18] & 0xff) << 8) | (blob[19] & 0xff);
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
    long span = coordinateSpan(record);
    VivaldiCoordinate c = coordinate(record, span);
    int recordAt = PEER_HEADER + 2 + 1 + 4 * c.dimensions() + 8 + 1 + region.length;
    byte[] out = new byte[recordAt + record.length];
    ByteBuffer b = ByteBuffer.wrap(out);
    b.put(PEER_V3).putLong(0).putShort((short) p.port()).put((byte) c.dimensions());
    for (int i = 0; i < c.dimensions(); i++) {
      b.putFloat(c.position(i));
    }
    b.putFloat(c.heightMs()).putFloat(c.error());
    b.put((byte) region.length).put(region).put(record);
    putLong(out, 1, version(out, recordAt - 1 - region.length, record, span));
    return out;
  }

  /**
   * The version of a peer value: the first 8 bytes of the SHA-256 of its port, region length,
   * region and record without the record's coordinate field, in this order; the coordinate
   * (stored twice: after the port, and in the record) is left out. A node sends its current
   * Vivaldi coordinate in every announce and it moves with every RTT sample: a version over it
   * would change with nearly every announce, and each change re-versions all the peer's entries
   * (tracks_retag). A coordinate's staleness is bounded by the decoded-peer cache instead
   * (RedisPeerIndex, tracker/docs/redis.md "Consistency").
   */
  private static long version(byte[] peerValue, int regionLengthAt, byte[] record, long span) {
    MessageDigest sha256 = SHA256.get();
    sha256.update(peerValue, PEER_HEADER, 2); // port
    sha256.update(peerValue, regionLengthAt, peerValue.length - record.length - regionLengthAt);
    int from = (int) (span >>> 32);
    int to = (int) span;
    sha256.update(record, 0, from);
    sha256.update(record, to, record.length - to);
    return getLong(sha256.digest(), 0);
  }

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  });

  /**
   * The version stored in a peer value ({@link #peer(PeerInfo)}); any 8 bytes are a version.
   *
   * @throws IllegalArgumentException if it is not a peer value of this layout
   */
  static long peerVersion(byte[] blob) {
    if (blob.length < PEER_HEADER || blob[0] != PEER_V3) {
      throw new IllegalArgumentException("not a peer value of this layout");
    }
    return getLong(blob, 1);
  }

  /** {@link #peerVersion(byte[])} of the value in {@code value}'s remaining bytes, read in place. */
  static long peerVersion(ByteBuffer value) {
    int at = value.position();
    if (value.remaining() < PEER_HEADER || value.get(at) != PEER_V3) {
      throw new IllegalArgumentException("not a peer value of this layout");
    }
    return value.getLong(at + 1);
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  private static long getLong(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }

  /**
   * The coordinate of a peer record ({@link PeerInfo#writeTrackerPeerFields}: fields 1-4 of the
   * wire's TrackerPeer, each length-delimited), as {@link PeerInfo#coordinate()} reads it, but
   * parsing only field 4 rather than the whole record: an announce stores it on every call.
   */
  static VivaldiCoordinate coordinate(byte[] record) {
    return coordinate(record, coordinateSpan(record));
  }

  /** {@link #coordinate(byte[])}, the field being at {@code span} ({@link #coordinateSpan}). */
  private static VivaldiCoordinate coordinate(byte[] record, long span) {
    int from = (int) (span >>> 32);
    int to = (int) span;
    if (from == to) {
      return VivaldiCoordinate.fromWireOrOrigin(null);
    }
    try {
      CodedInputStream in = CodedInputStream.newInstance(record, from, to - from);
      in.readTag();
      int limit = in.pushLimit(in.readRawVarint32());
      Coordinate wire = Coordinate.parseFrom(in);
      in.popLimit(limit);
      return VivaldiCoordinate.fromWireOrOrigin(wire);
    } catch (IOException e) {
      throw new IllegalStateException("a PeerInfo record that does not parse", e);
    }
  }

  /**
   * Where a record's coordinate field (tag, length and message) starts and ends, packed as {@code
   * start << 32 | end}; start = end = the record's length when it has none.
   */
  private static long coordinateSpan(byte[] record) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(record);
      for (int at = 0, tag = in.readTag(); tag != 0; at = in.getTotalBytesRead(), tag = in.readTag()) {
        in.skipField(tag);
        if (tag == COORDINATE_TAG) {
          return ((long) at << 32) | in.getTotalBytesRead();
        }
      }
      return ((long) record.length << 32) | record.length;
    } catch (IOException e) {
      throw new IllegalStateException("a PeerInfo record that does not parse", e);
    }
  }

  static PeerInfo peer(byte[] blob) {
    if (blob.length < PEER_HEADER + 3) {
      throw truncated(blob);
    }
    if (blob[0] != PEER_V3) {
      throw new IllegalArgumentException("unknown peer layout " + blob[0]);
    }
    int port = ((blob[PEER_HEADER] & 0xff) << 8) | (blob[PEER_HEADER + 1] & 0xff);
    float[] position = new float[blob[PEER_HEADER + 2] & 0xff];
    int at = PEER_HEADER + 3;
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
