package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A peer as bytes: the layout in which {@link PeerSlab} keeps a peer and {@link CandidateList}
 * carries a candidate, so that neither needs an object per peer. Static helpers only.
 *
 * <pre>
 *   [0]       length of the record (at most 138 bytes: IPv6, 8 dimensions)
 *   [1]       dimensions of the coordinate
 *   [2]       offset of the coordinate's first position (little-endian floats), from [0]
 *   [3]       offset of its height (a little-endian float) from [0]; 0 if absent (height 0)
 *   [4..5]    port, big-endian
 *   [6..]     the record: fields 1-4 of the wire's TrackerPeer, as {@link PeerInfo} serialized them
 * </pre>
 *
 * The header repeats what ranking needs from the record, found once when the peer is stored,
 * so that a lookup reads fixed offsets instead of parsing. The region is not in the layout: it
 * is kept as a (shared) String beside it.
 */
final class PeerLayout {
  static final int HEADER = 6;
  static final int RECORD = HEADER;

  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int COORDINATE_TAG = 0x22; // TrackerPeer field 4, length-delimited
  private static final int POSITIONS_TAG = 0x0a; // Coordinate field 1, packed
  private static final int HEIGHT_TAG = 0x15; // Coordinate field 2, fixed32
  private static final int ERROR_TAG = 0x1d; // Coordinate field 3, fixed32

  private PeerLayout() {}

  /** Bytes of {@code info}'s layout. */
  static int length(PeerInfo info) {
    return HEADER + info.recordUnsafe().length;
  }

  /** Bytes of the layout at {@code b[at..]}. */
  static int length(byte[] b, int at) {
    return HEADER + (b[at] & 0xff);
  }

  /** Writes {@code info}'s layout at {@code dst[at..]}; returns its length. */
  static int write(PeerInfo info, byte[] dst, int at) {
    byte[] record = info.recordUnsafe();
    int coordinate = PeerInfo.ADDRESS_OFFSET + 2 + record[PeerInfo.ADDRESS_OFFSET + 1];
    if (record[coordinate] != COORDINATE_TAG) {
      throw new IllegalStateException("a PeerInfo record without its coordinate where expected");
    }
    int end = coordinate + 2 + record[coordinate + 1];
    int positions = 0;
    int dimensions = 0;
    int height = 0;
    for (int i = coordinate + 2; i < end; ) {
      int tag = record[i];
      if (tag == POSITIONS_TAG) {
        dimensions = record[i + 1] / 4;
        positions = i + 2;
        i += 2 + record[i + 1];
      } else if (tag == HEIGHT_TAG) {
        height = i + 1;
        i += 5;
      } else if (tag == ERROR_TAG) {
        i += 5;
      } else {
        throw new IllegalStateException("unexpected field tag " + tag + " in a PeerInfo record's coordinate");
      }
    }
    int port = info.port();
    dst[at] = (byte) record.length;
    dst[at + 1] = (byte) dimensions;
    dst[at + 2] = (byte) (positions == 0 ? 0 : RECORD + positions);
    dst[at + 3] = (byte) (height == 0 ? 0 : RECORD + height);
    dst[at + 4] = (byte) (port >>> 8);
    dst[at + 5] = (byte) port;
    System.arraycopy(record, 0, dst, at + RECORD, record.length);
    return HEADER + record.length;
  }

  static int recordLength(byte[] b, int at) {
    return b[at] & 0xff;
  }

  static int port(byte[] b, int at) {
    return ((b[at + 4] & 0xff) << 8) | (b[at + 5] & 0xff);
  }

  static int dimensions(byte[] b, int at) {
    return b[at + 1];
  }

  static float position(byte[] b, int at, int i) {
    return (float) FLOAT_LE.get(b, at + (b[at + 2] & 0xff) + 4 * i);
  }

  static float heightMs(byte[] b, int at) {
    int h = b[at + 3] & 0xff;
    return h == 0 ? 0f : (float) FLOAT_LE.get(b, at + h);
  }

  /** {@link PeerInfo#head} of the peer's node id. */
  static long nodeIdHead(byte[] b, int at) {
    return (long) LONG_BE.get(b, at + RECORD + PeerInfo.NODE_ID_OFFSET);
  }

  /** {@code nodeId().hashCode()}: {@link Arrays#hashCode(byte[])} of the id's bytes. */
  static int nodeIdHash(byte[] b, int at) {
    int h = 1;
    for (int i = at + RECORD + PeerInfo.NODE_ID_OFFSET, end = i + NodeId.BYTES; i < end; i++) {
      h = 31 * h + b[i];
    }
    return h;
  }

  static boolean hasNodeId(byte[] b, int at, byte[] id, int offset) {
    int from = at + RECORD + PeerInfo.NODE_ID_OFFSET;
    return Arrays.equals(b, from, from + NodeId.BYTES, id, offset, offset + NodeId.BYTES);
  }

  static NodeId nodeId(byte[] b, int at) {
    int from = at + RECORD + PeerInfo.NODE_ID_OFFSET;
    return NodeId.fromBytes(Arrays.copyOfRange(b, from, from + NodeId.BYTES));
  }

  private static int ipLength(byte[] b, int at) {
    return b[at + RECORD + PeerInfo.IP_OFFSET - 1];
  }

  static byte[] ip(byte[] b, int at) {
    int from = at + RECORD + PeerInfo.IP_OFFSET;
    return Arrays.copyOfRange(b, from, from + ipLength(b, at));
  }

  /** Whether the layout at {@code b[at..]} has the IP of {@code info}. */
  static boolean sameIp(byte[] b, int at, PeerInfo info) {
    int from = at + RECORD + PeerInfo.IP_OFFSET;
    int n = ipLength(b, at);
    byte[] r = info.recordUnsafe();
    return n == r[PeerInfo.IP_OFFSET - 1] && Arrays.equals(b, from, from + n, r, PeerInfo.IP_OFFSET, PeerInfo.IP_OFFSET + n);
  }

  /** {@link NetworkPrefix#pack} of the peer's IP, read in place. */
  static long packedPrefix(byte[] b, int at) {
    int from = at + RECORD + PeerInfo.IP_OFFSET;
    int bytes = ipLength(b, at) == 4 ? 3 : 6;
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v = (v << 8) | (b[from + i] & 0xffL);
    }
    return bytes == 3 ? v : NetworkPrefix.IPV6_TAG | v;
  }

  /**
   * Exactly {@code from.predictedRttMillis(peer's coordinate)}: the same float differences and
   * double sums in the same order, read in place.
   */
  static double predictedRttMillisFrom(byte[] b, int at, VivaldiCoordinate from) {
    int n = Math.min(dimensions(b, at), from.dimensions());
    int positions = at + (b[at + 2] & 0xff);
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double d = from.position(i) - (float) FLOAT_LE.get(b, positions + 4 * i);
      sum += d * d;
    }
    return Math.sqrt(sum) + from.heightMs() + heightMs(b, at);
  }
}
