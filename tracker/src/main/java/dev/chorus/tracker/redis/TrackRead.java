package dev.chorus.tracker.redis;

import dev.chorus.tracker.index.PeerInfo;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reply parsers of a lookup's plain commands (tracker/docs/redis.md, "candidates"), filled by
 * Lettuce's decoder straight from its buffer: no per-value objects beyond the byte arrays kept. They never throw (a throw would break Lettuce's decoding of the
 * connection): a value of the wrong shape is counted in {@code malformed} and left out.
 */
final class TrackRead {
  /** Node ids are SHA-256 hashes. */
  static final int ID_BYTES = 32;

  private TrackRead() {}

  /**
   * {@code HGETALL} of a track's holdings hash: node id → entry value ({@link Blobs#entry}), with
   * each entry's time read as the values arrive; then {@link #select} orders and trims them as the
   * track's sorted set would ({@code ZREVRANGEBYSCORE}). A field that is not a node id, or a value
   * that is not an entry value, is counted in {@code malformed} and left out.
   */
  static final class Entries extends CommandOutput<byte[], byte[], Entries> {
    byte[][] ids = new byte[32][];
    byte[][] values = new byte[32][];
    long[] times = new long[32];
    int count;
    int malformed;
    private boolean valueNext;
    private byte[] pendingId;

    Entries() {
      super(ByteArrayCodec.INSTANCE, null);
      output = this;
    }

    @Override
    public void set(ByteBuffer bytes) {
      if (!valueNext) {
        valueNext = true;
        pendingId = null;
        if (bytes == null || bytes.remaining() != ID_BYTES) {
          malformed++;
        } else {
          pendingId = new byte[ID_BYTES];
          bytes.get(pendingId);
        }
        return;
      }
      valueNext = false;
      if (pendingId == null) {
        return;
      }
      long time = bytes == null ? -1 : Blobs.entryTime(bytes);
      if (time < 0) {
        malformed++;
        return;
      }
      if (count == ids.length) {
        ids = Arrays.copyOf(ids, 2 * count);
        values = Arrays.copyOf(values, 2 * count);
        times = Arrays.copyOf(times, 2 * count);
      }
      byte[] value = new byte[bytes.remaining()];
      bytes.get(value);
      ids[count] = pendingId;
      values[count] = value;
      times[count] = time;
      count++;
    }

    /**
     * Keeps the entries announced after {@code after} (epoch ms, exclusive), newest first, at most
     * {@code max}, in the first places of the arrays, and returns how many: the order of {@code
     * ZREVRANGEBYSCORE key +inf (after WITHSCORES LIMIT 0 max}, equal times by node id, larger
     * (unsigned bytes) first. Insertion sort: a track has at most keepPerTrack entries, 30 by
     * default.
     */
    int select(long after, int max) {
      int n = 0;
      for (int i = 0; i < count; i++) {
        if (times[i] <= after) {
          continue;
        }
        byte[] id = ids[i];
        byte[] value = values[i];
        long time = times[i];
        int j = n++;
        while (j > 0 && before(time, id, times[j - 1], ids[j - 1])) {
          ids[j] = ids[j - 1];
          values[j] = values[j - 1];
          times[j] = times[j - 1];
          j--;
        }
        ids[j] = id;
        values[j] = value;
        times[j] = time;
      }
      count = Math.min(n, max);
      return count;
    }

    private static boolean before(long time, byte[] id, long otherTime, byte[] otherId) {
      return time != otherTime ? time > otherTime : Arrays.compareUnsigned(id, otherId) > 0;
    }
  }

  /** Turns a stored peer value into a peer (and may keep it); throws IllegalArgumentException if it cannot. */
  interface PeerDecoder {
    PeerInfo decode(byte[] nodeId, ByteBuffer value);
  }

  /**
   * {@code MGET} of the entries' peer info keys: the peers in key order, decoded as their values
   * arrive, so that a peer the decoder has cached costs no copy of its value; null where a key has
   * no value (the peer is gone) or its value does not decode (counted in {@code malformed}).
   */
  static final class Peers extends CommandOutput<byte[], byte[], PeerInfo[]> {
    private final byte[][] ids;
    private final PeerDecoder decoder;
    private int next;
    int malformed;

    /** {@code ids[i]} is the node id of the i-th key. */
    Peers(byte[][] ids, int count, PeerDecoder decoder) {
      super(ByteArrayCodec.INSTANCE, new PeerInfo[count]);
      this.ids = ids;
      this.decoder = decoder;
    }

    @Override
    public void set(ByteBuffer bytes) {
      if (next < output.length) {
        if (bytes != null) {
          try {
            output[next] = decoder.decode(ids[next], bytes);
          } catch (RuntimeException e) { // never into Lettuce's decoder
            malformed++;
          }
        }
        next++;
      }
    }
  }
}
