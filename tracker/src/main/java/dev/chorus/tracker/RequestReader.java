package dev.chorus.tracker;

import dev.chorus.protocol.VivaldiCoordinate;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Reads the two requests a tracker answers most, {@code TrackerMessage{lookup}} and
 * {@code TrackerMessage{announce}}, straight from the frame's bytes into reusable holders
 * ({@link LookupFields}, {@link AnnounceFields}): no message objects, no builders, no copies.
 * The generated parser allocated about a kilobyte per request (bench/README.md, tracker).
 *
 * <p>It takes only frames whose meaning is plain: every field of the forms the generated
 * encoder writes (one-byte tags, the expected wire types, packed positions), each singular
 * field at most once, no unknown field, no region tag, at most {@code maxTracks} holdings. For
 * anything else {@link #read} returns null and the frame goes to the generated parser, which
 * decides as before (including which error a malformed frame gets), so accepting a frame here
 * never changes what the tracker does with it; {@code RequestReaderTest} checks this against the
 * generated parser on random and mutated frames. A field added to these messages must be added
 * here too (until then, frames carrying it take the generated parser). Not thread-safe: one per
 * connection.
 */
final class RequestReader {
  // Tags (field number << 3 | wire type) of the fields read here.
  private static final int ENVELOPE_ANNOUNCE = 2 << 3 | 2;
  private static final int ENVELOPE_LOOKUP = 4 << 3 | 2;
  private static final int LOOKUP_ID = 1 << 3;
  private static final int LOOKUP_TRACK_ID = 2 << 3 | 2;
  private static final int LOOKUP_WANTED = 3 << 3 | 2;
  private static final int LOOKUP_MAX_PEERS = 4 << 3;
  private static final int ANNOUNCE_FULL = 1 << 3;
  private static final int ANNOUNCE_MORE = 2 << 3;
  private static final int ANNOUNCE_TRACKS = 3 << 3 | 2;
  private static final int ANNOUNCE_COORDINATE = 5 << 3 | 2;
  private static final int HOLDING_TRACK_ID = 1 << 3 | 2;
  private static final int HOLDING_CHUNKS = 2 << 3 | 2;
  private static final int HOLDING_CHUNK_COUNT = 3 << 3;
  private static final int CHUNKS_COMPLETE = 1 << 3;
  private static final int CHUNKS_BITMAP = 2 << 3 | 2;
  private static final int COORDINATE_POSITION = 1 << 3 | 2;
  private static final int COORDINATE_HEIGHT = 2 << 3 | 5;
  private static final int COORDINATE_ERROR = 3 << 3 | 5;
  /** More dimensions than {@link VivaldiCoordinate} takes: such a coordinate is the origin anyway. */
  private static final int MAX_POSITION_BYTES = 4 * 64;

  private final LookupFields lookup = new LookupFields();
  private final AnnounceFields announce;
  private final float[] position = new float[MAX_POSITION_BYTES / 4];
  private ByteBuf buf;
  /** Read position while parsing. */
  private int at;

  RequestReader(int maxTracks) {
    this.announce = new AnnounceFields(maxTracks);
  }

  /**
   * The request in the frame's readable bytes, or null if this reader does not take it (then
   * the frame must go to the generated parser). The result refers to {@code frame}, and is valid
   * until the next call or until the frame is released.
   */
  Object read(ByteBuf frame) {
    buf = frame;
    at = frame.readerIndex();
    int end = frame.writerIndex();
    if (end - at < 2) {
      return null;
    }
    int tag = buf.getByte(at++);
    if (tag != ENVELOPE_LOOKUP && tag != ENVELOPE_ANNOUNCE) {
      return null;
    }
    long length = varint(end);
    if (!varintRead || length != end - at) {
      return null; // several bodies, trailing fields or a bad length: the generated parser decides
    }
    return tag == ENVELOPE_LOOKUP
        ? (readLookup(end) ? lookup : null)
        : (readAnnounce(end) ? announce : null);
  }

  private boolean readLookup(int end) {
    LookupFields l = lookup;
    l.clear(buf);
    boolean id = false;
    boolean track = false;
    boolean wanted = false;
    boolean maxPeers = false;
    while (at < end) {
      int tag = buf.getByte(at++);
      switch (tag) {
        case LOOKUP_ID -> {
          varint(end);
          if (id || !varintRead) {
            return false;
          }
          id = true;
          l.lookupId = lastVarint;
        }
        case LOOKUP_TRACK_ID -> {
          if (track || !bytesField(end)) {
            return false;
          }
          track = true;
          l.trackIdOffset = fieldStart;
          l.trackIdLength = fieldLength;
        }
        case LOOKUP_WANTED -> {
          if (wanted || !lengthDelimited(end) || !chunkSet(fieldStart + fieldLength)) {
            return false;
          }
          wanted = true;
          l.wantedOffset = chunksBitmapOffset;
          l.wantedLength = chunksBitmapLength;
        }
        case LOOKUP_MAX_PEERS -> {
          varint(end);
          if (maxPeers || !varintRead) {
            return false;
          }
          maxPeers = true;
          l.maxPeers = (int) lastVarint;
        }
        default -> {
          return false;
        }
      }
    }
    return true;
  }

  private boolean readAnnounce(int end) {
    AnnounceFields a = announce;
    a.clear(buf);
    boolean full = false;
    boolean more = false;
    boolean coordinate = false;
    while (at < end) {
      int tag = buf.getByte(at++);
      switch (tag) {
        case ANNOUNCE_FULL -> {
          varint(end);
          if (full || !varintRead) {
            return false;
          }
          full = true;
          a.full = lastVarint != 0;
        }
        case ANNOUNCE_MORE -> {
          varint(end);
          if (more || !varintRead) {
            return false;
          }
          more = true;
          a.more = lastVarint != 0;
        }
        case ANNOUNCE_TRACKS -> {
          if (!a.roomForOneMore() || !lengthDelimited(end) || !holding(a, fieldStart + fieldLength)) {
            return false;
          }
        }
        case ANNOUNCE_COORDINATE -> {
          if (coordinate || !lengthDelimited(end) || !coordinate(a, fieldStart + fieldLength)) {
            return false;
          }
          coordinate = true;
        }
        default -> {
          return false; // including region (field 4): rare, and the generated parser checks its UTF-8
        }
      }
    }
    return true;
  }

  private boolean holding(AnnounceFields a, int end) {
    int i = a.count;
    a.trackIdOffset[i] = 0;
    a.trackIdLength[i] = 0;
    a.bitmapOffset[i] = -1;
    a.bitmapLength[i] = 0;
    a.chunkCount[i] = 0;
    boolean track = false;
    boolean chunks = false;
    boolean count = false;
    while (at < end) {
      int tag = buf.getByte(at++);
      switch (tag) {
        case HOLDING_TRACK_ID -> {
          if (track || !bytesField(end)) {
            return false;
          }
          track = true;
          a.trackIdOffset[i] = fieldStart;
          a.trackIdLength[i] = fieldLength;
        }
        case HOLDING_CHUNKS -> {
          if (chunks || !lengthDelimited(end) || !chunkSet(fieldStart + fieldLength)) {
            return false;
          }
          chunks = true;
          a.bitmapOffset[i] = chunksBitmapOffset;
          a.bitmapLength[i] = chunksBitmapLength;
        }
        case HOLDING_CHUNK_COUNT -> {
          varint(end);
          if (count || !varintRead) {
            return false;
          }
          count = true;
          a.chunkCount[i] = (int) lastVarint;
        }
        default -> {
          return false;
        }
      }
    }
    a.count = i + 1;
    return true;
  }

  // Results of chunkSet: the bitmap's place, or offset -1 when the set is not a bitmap.
  private int chunksBitmapOffset;
  private int chunksBitmapLength;

  /** A ChunkSet ending at {@code end}: empty, {@code complete} once, or {@code bitmap} once. */
  private boolean chunkSet(int end) {
    chunksBitmapOffset = -1;
    chunksBitmapLength = 0;
    if (at == end) {
      return true;
    }
    int tag = buf.getByte(at++);
    if (tag == CHUNKS_COMPLETE) {
      varint(end);
      if (!varintRead) {
        return false;
      }
    } else if (tag == CHUNKS_BITMAP) {
      if (!bytesField(end)) {
        return false;
      }
      chunksBitmapOffset = fieldStart;
      chunksBitmapLength = fieldLength;
    } else {
      return false;
    }
    return at == end; // a second member of the oneof: the generated parser decides which wins
  }

  /** A Coordinate ending at {@code end}: packed positions, height and error, each at most once. */
  private boolean coordinate(AnnounceFields a, int end) {
    int dimensions = 0;
    float height = 0;
    float error = 0;
    boolean positions = false;
    boolean heightSeen = false;
    boolean errorSeen = false;
    while (at < end) {
      int tag = buf.getByte(at++);
      switch (tag) {
        case COORDINATE_POSITION -> {
          if (positions || !lengthDelimited(end) || fieldLength % 4 != 0 || fieldLength > MAX_POSITION_BYTES) {
            return false;
          }
          positions = true;
          at += fieldLength;
          dimensions = fieldLength / 4;
          for (int d = 0; d < dimensions; d++) {
            position[d] = Float.intBitsToFloat(buf.getIntLE(fieldStart + 4 * d));
          }
        }
        case COORDINATE_HEIGHT -> {
          if (heightSeen || end - at < 4) {
            return false;
          }
          heightSeen = true;
          height = Float.intBitsToFloat(buf.getIntLE(at));
          at += 4;
        }
        case COORDINATE_ERROR -> {
          if (errorSeen || end - at < 4) {
            return false;
          }
          errorSeen = true;
          error = Float.intBitsToFloat(buf.getIntLE(at));
          at += 4;
        }
        default -> {
          return false;
        }
      }
    }
    a.coordinate = coordinateOf(dimensions, height, error);
    return true;
  }

  /** What {@link VivaldiCoordinate#fromWireOrOrigin} makes of the same fields. */
  private VivaldiCoordinate coordinateOf(int dimensions, float height, float error) {
    if (dimensions == 0) {
      return VivaldiCoordinate.ORIGIN;
    }
    float[] p = new float[dimensions];
    System.arraycopy(position, 0, p, 0, dimensions);
    try {
      return VivaldiCoordinate.of(p, height, error);
    } catch (IllegalArgumentException e) {
      return VivaldiCoordinate.ORIGIN;
    }
  }

  // Results of lengthDelimited.
  private int fieldStart;
  private int fieldLength;

  /**
   * A length and that many bytes within {@code end}, left at the start of those bytes (for a
   * nested message to be read from); false if the length is not one.
   */
  private boolean lengthDelimited(int end) {
    long length = varint(end);
    if (!varintRead || length > end - at) {
      return false;
    }
    fieldStart = at;
    fieldLength = (int) length;
    return true;
  }

  /** As {@link #lengthDelimited}, then past those bytes (a {@code bytes} field). */
  private boolean bytesField(int end) {
    if (!lengthDelimited(end)) {
      return false;
    }
    at += fieldLength;
    return true;
  }

  // Results of varint: whether one was read, and its value (any 64 bits).
  private boolean varintRead;
  private long lastVarint;

  /**
   * A varint of at most 10 bytes within {@code end}, as protobuf reads it (the low 64 bits):
   * sets {@link #varintRead} and {@link #lastVarint}, and returns the value (0 when none was read).
   */
  private long varint(int end) {
    long value = 0;
    for (int shift = 0; shift < 70 && at < end; shift += 7) {
      byte b = buf.getByte(at++);
      if (shift == 63 && b != 1) {
        // A tenth byte other than the canonical 1: protobuf's decoder gives such (non-canonical)
        // varints a top bit that plain arithmetic does not; leave them to it.
        break;
      }
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        varintRead = true;
        lastVarint = value;
        return value;
      }
    }
    varintRead = false;
    return 0;
  }

  /** A Lookup's fields; offsets are into {@link #frame}. */
  static final class LookupFields {
    ByteBuf frame;
    long lookupId;
    int trackIdOffset;
    int trackIdLength;
    /** -1 when {@code wanted} is absent or not a bitmap. */
    int wantedOffset;
    int wantedLength;
    int maxPeers;

    void clear(ByteBuf source) {
      frame = source;
      lookupId = 0;
      trackIdOffset = 0;
      trackIdLength = 0;
      wantedOffset = -1;
      wantedLength = 0;
      maxPeers = 0;
    }
  }

  /** An Announce's fields; offsets are into {@link #frame}. The region is always empty here. */
  static final class AnnounceFields {
    private static final int INITIAL_CAPACITY = 4;
    ByteBuf frame;
    boolean full;
    boolean more;
    /** Null when the announce carries no coordinate. */
    VivaldiCoordinate coordinate;
    int count;
    private final int maxCount;
    int[] trackIdOffset = new int[INITIAL_CAPACITY];
    int[] trackIdLength = new int[INITIAL_CAPACITY];
    /** -1 when the holding is complete (no bitmap). */
    int[] bitmapOffset = new int[INITIAL_CAPACITY];
    int[] bitmapLength = new int[INITIAL_CAPACITY];
    int[] chunkCount = new int[INITIAL_CAPACITY];

    AnnounceFields(int maxCount) {
      this.maxCount = maxCount;
    }

    /** Grows the arrays (they are per connection: sized by what the node sends, not the cap); false at the cap. */
    boolean roomForOneMore() {
      if (count >= maxCount) {
        return false;
      }
      if (count == trackIdOffset.length) {
        int grown = Math.min(maxCount, 2 * count);
        trackIdOffset = Arrays.copyOf(trackIdOffset, grown);
        trackIdLength = Arrays.copyOf(trackIdLength, grown);
        bitmapOffset = Arrays.copyOf(bitmapOffset, grown);
        bitmapLength = Arrays.copyOf(bitmapLength, grown);
        chunkCount = Arrays.copyOf(chunkCount, grown);
      }
      return true;
    }

    void clear(ByteBuf source) {
      frame = source;
      full = false;
      more = false;
      coordinate = null;
      count = 0;
    }
  }
}
