package dev.chorus.tracker.redis;

import dev.chorus.tracker.index.PeerInfo;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reply parsers of a lookup's plain commands (tracker/docs/redis.md, "candidates"), filled by
 * Lettuce's decoder straight from its buffer: no per-value objects beyond the byte arrays kept,
 * scores read as integers. They never throw (a throw would break Lettuce's decoding of the
 * connection): a value of the wrong shape is counted in {@code malformed} and left out.
 */
final class TrackRead {
  /** Node ids are SHA-256 hashes. */
  static final int ID_BYTES = 32;

  private TrackRead() {}

  /**
   * {@code ZREVRANGEBYSCORE … WITHSCORES}: node ids and their last announce (ms), newest first.
   * Accepts RESP2 (scores as bulk strings) and RESP3 (pairs of member and double).
   */
  static final class Entries extends CommandOutput<byte[], byte[], Entries> {
    final byte[][] ids;
    final long[] times;
    int count;
    int malformed;
    private boolean scoreNext;
    private boolean skipScore;

    Entries(int max) {
      super(ByteArrayCodec.INSTANCE, null);
      output = this;
      ids = new byte[max][];
      times = new long[max];
    }

    @Override
    public void set(ByteBuffer bytes) {
      if (!scoreNext) {
        scoreNext = true;
        skipScore = bytes == null || bytes.remaining() != ID_BYTES || count == ids.length;
        if (skipScore) {
          malformed++;
        } else {
          byte[] id = new byte[ID_BYTES];
          bytes.get(id);
          ids[count] = id;
        }
        return;
      }
      long time = bytes == null ? -1 : parseScore(bytes);
      score(time);
    }

    @Override
    public void set(double number) {
      score(number >= 0 && number <= Long.MAX_VALUE ? (long) number : -1);
    }

    @Override
    public void set(long integer) {
      score(integer);
    }

    private void score(long time) {
      if (!scoreNext) {
        malformed++;
        return;
      }
      scoreNext = false;
      if (skipScore) {
        return;
      }
      if (time < 0) {
        malformed++;
        return;
      }
      times[count++] = time;
    }
  }

  /**
   * {@code HGETALL} of a track's holdings: node id → holding value, looked up by node id. The
   * table is open-addressed on the id's first 8 bytes (ids are hashes, so those are uniform).
   */
  static final class Holdings extends CommandOutput<byte[], byte[], Holdings> {
    private long[] heads = new long[64];
    private byte[][] keys = new byte[64][];
    private byte[][] values = new byte[64][];
    private int size;
    private byte[] pendingKey;
    int malformed;

    Holdings() {
      super(ByteArrayCodec.INSTANCE, null);
      output = this;
    }

    @Override
    public void set(ByteBuffer bytes) {
      if (pendingKey == null) {
        if (bytes == null || bytes.remaining() != ID_BYTES) {
          malformed++;
          pendingKey = new byte[0];
        } else {
          pendingKey = new byte[ID_BYTES];
          bytes.get(pendingKey);
        }
        return;
      }
      byte[] key = pendingKey;
      pendingKey = null;
      if (key.length == 0 || bytes == null) {
        return;
      }
      byte[] value = new byte[bytes.remaining()];
      bytes.get(value);
      put(key, value);
    }

    /** The holding value stored for {@code id}, or null. */
    byte[] get(byte[] id) {
      long head = head(id);
      int mask = heads.length - 1;
      for (int i = spread(head) & mask; keys[i] != null; i = (i + 1) & mask) {
        if (heads[i] == head && Arrays.equals(keys[i], id)) {
          return values[i];
        }
      }
      return null;
    }

    private void put(byte[] key, byte[] value) {
      if (2 * (size + 1) > heads.length) {
        grow();
      }
      long head = head(key);
      int mask = heads.length - 1;
      int i = spread(head) & mask;
      while (keys[i] != null) {
        if (heads[i] == head && Arrays.equals(keys[i], key)) {
          values[i] = value;
          return;
        }
        i = (i + 1) & mask;
      }
      heads[i] = head;
      keys[i] = key;
      values[i] = value;
      size++;
    }

    private void grow() {
      byte[][] oldKeys = keys;
      byte[][] oldValues = values;
      heads = new long[2 * oldKeys.length];
      keys = new byte[2 * oldKeys.length][];
      values = new byte[2 * oldKeys.length][];
      size = 0;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != null) {
          put(oldKeys[i], oldValues[i]);
        }
      }
    }

    private static long head(byte[] id) {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (id[i] & 0xffL);
      }
      return v;
    }

    private static int spread(long head) {
      return (int) (head ^ (head >>> 32));
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

  /**
   * A score as Redis prints it: the index writes integer milliseconds, which Redis prints as
   * digits; anything else (a fraction, an exponent) goes through the double parser. -1 if it is
   * not a non-negative number.
   */
  static long parseScore(ByteBuffer bytes) {
    int from = bytes.position();
    int to = bytes.limit();
    if (from == to || to - from > 18) {
      return parseDouble(bytes);
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = bytes.get(i) - '0';
      if (d < 0 || d > 9) {
        return parseDouble(bytes);
      }
      v = 10 * v + d;
    }
    return v;
  }

  private static long parseDouble(ByteBuffer bytes) {
    byte[] text = new byte[bytes.remaining()];
    bytes.duplicate().get(text);
    try {
      double d = Double.parseDouble(new String(text, StandardCharsets.US_ASCII));
      return d >= 0 && d <= Long.MAX_VALUE ? (long) d : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
