package dev.chorus.tracker.redis;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.nio.charset.StandardCharsets;

/**
 * The key layout (see tracker/docs/redis.md). Every key carries the hash tag of one of {@value
 * #SHARDS} shards, picked by the first byte of the track or node id, so that:
 *
 * <ul>
 *   <li>all keys of one track are in one hash slot (a track update is one atomic script);
 *   <li>all keys of one peer are in one hash slot (a peer update is one atomic script);
 *   <li>each shard's registries (tracks with entries, peers with entries, entry count) are in the
 *       slot of the tracks and peers they list, so the scripts keep them exact, and expiry and
 *       statistics are a script per shard instead of a SCAN of the key space.
 * </ul>
 *
 * <p>Shard n's tag is the smallest decimal number whose hash slot is n × 64, so the shards are
 * spread evenly over the 16,384 slots: a cluster whose masters own equal slot ranges holds equal
 * shares of the data, and every shard is exactly one slot. The shard count and the tags are part
 * of the layout: every tracker sharing a Redis must use the same ones.
 */
final class Keys {
  /** Shards in the layout; fixed, since it decides where every key lives. */
  static final int SHARDS = 256;

  static final String PREFIX = "chorus:";

  /**
   * The layout this code reads and writes, kept in {@link #LAYOUT_KEY}: 4 since each entry value
   * also names the version of its peer's info, so that a lookup whose peers the tracker has decoded
   * is one HGETALL ({@link Blobs}); 3 since a track's holdings
   * hash carries each entry's time too, so that a lookup reads the track with one HGETALL ({@link
   * Blobs}); 2 since track and node ids in key names are their 32 bytes rather than 64 hex digits
   * (and peer values carry the reply record). Layout 1 had no such key.
   */
  static final String LAYOUT = "4";

  /** A plain string key outside the shards: the layout of the index in this Redis. */
  static final byte[] LAYOUT_KEY = "chorus:layout".getBytes(StandardCharsets.US_ASCII);

  /** Track and node ids: SHA-256 hashes. */
  private static final int ID_BYTES = 32;
  private static final byte[] TRACK_ENTRIES = {'t', ':'};
  private static final byte[] TRACK_HOLDINGS = {'h', ':'};
  private static final byte[] PEER_INFO = {'p', ':'};
  private static final byte[] PEER_TRACKS = {'p', 't', ':'};
  private static final byte[] SHARD_TRACKS = "tracks".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHARD_PEERS = "peers".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHARD_ENTRIES = "entries".getBytes(StandardCharsets.US_ASCII);

  /** Redis Cluster's hash slots. */
  static final int SLOTS = 16_384;

  private static final String[] TAG_NAMES = new String[SHARDS];
  private static final byte[][] TAGS = new byte[SHARDS][];

  static {
    int found = 0;
    for (int k = 0; found < SHARDS; k++) {
      String name = Integer.toString(k);
      int slot = slot(name.getBytes(StandardCharsets.US_ASCII));
      int shard = slot / (SLOTS / SHARDS);
      if (slot % (SLOTS / SHARDS) == 0 && TAG_NAMES[shard] == null) {
        TAG_NAMES[shard] = name;
        TAGS[shard] = (PREFIX + "{" + name + "}:").getBytes(StandardCharsets.US_ASCII);
        found++;
      }
    }
  }

  private Keys() {}

  /** The shard of a 32-byte id (a SHA-256, so uniform): its first byte. */
  static int shard(byte[] id) {
    return id[0] & 0xff;
  }

  static int shard(TrackId track) {
    return shard(track.bytes());
  }

  static int shard(NodeId node) {
    return shard(node.bytes());
  }

  /** The hash tag of {@code shard}, without braces. */
  static String tagName(int shard) {
    return TAG_NAMES[shard];
  }

  /** {@code chorus:{tag}:}, the prefix of every key of {@code shard}. */
  static byte[] tag(int shard) {
    return TAGS[shard].clone();
  }

  /**
   * The hash slot of {@code key} as Redis Cluster computes it: CRC16 (XMODEM) of the key, or of
   * the part between the first '{' and the next '}' if that part is not empty, modulo 16,384.
   */
  static int slot(byte[] key) {
    int from = 0;
    int to = key.length;
    for (int i = 0; i < key.length; i++) {
      if (key[i] == '{') {
        for (int j = i + 1; j < key.length; j++) {
          if (key[j] == '}') {
            if (j > i + 1) {
              from = i + 1;
              to = j;
            }
            break;
          }
        }
        break;
      }
    }
    int crc = 0;
    for (int i = from; i < to; i++) {
      crc ^= (key[i] & 0xff) << 8;
      for (int b = 0; b < 8; b++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc & (SLOTS - 1);
  }

  /** Sorted set: node id → last announce (ms) of the track's entries. */
  static byte[] trackEntries(TrackId track) {
    return key(shard(track), TRACK_ENTRIES, track.bytes(), 0);
  }

  /** Hash: node id → entry: time and holding (binary, {@link Blobs#entry}); the members of {@link #trackEntries}. */
  static byte[] trackHoldings(TrackId track) {
    return key(shard(track), TRACK_HOLDINGS, track.bytes(), 0);
  }

  /** String: the peer's info (binary, {@link Blobs#peer}). */
  static byte[] peerInfo(NodeId node) {
    return peerInfo(node.bytes(), 0);
  }

  /** {@link #peerInfo(NodeId)} of the node id at {@code offset} in {@code id}. */
  static byte[] peerInfo(byte[] id, int offset) {
    return key(id[offset] & 0xff, PEER_INFO, id, offset);
  }

  /** Sorted set: track id → when the peer last announced it (ms). */
  static byte[] peerTracks(NodeId node) {
    return key(shard(node), PEER_TRACKS, node.bytes(), 0);
  }

  /** Sorted set per shard: track id → the oldest entry's last announce (ms); tracks with entries. */
  static byte[] shardTracks(int shard) {
    return key(shard, SHARD_TRACKS, null, 0);
  }

  /** Sorted set per shard: node id → the peer's last announce (ms); peers with entries. */
  static byte[] shardPeers(int shard) {
    return key(shard, SHARD_PEERS, null, 0);
  }

  /** Integer per shard: entries in the shard's tracks. */
  static byte[] shardEntries(int shard) {
    return key(shard, SHARD_ENTRIES, null, 0);
  }

  /** The shard's prefix, {@code kind}, then the 32 bytes of {@code id} at {@code offset} as they are (not hex). */
  private static byte[] key(int shard, byte[] kind, byte[] id, int offset) {
    byte[] tag = TAGS[shard];
    int idLength = id == null ? 0 : ID_BYTES;
    byte[] out = new byte[tag.length + kind.length + idLength];
    System.arraycopy(tag, 0, out, 0, tag.length);
    System.arraycopy(kind, 0, out, tag.length, kind.length);
    if (id != null) {
      System.arraycopy(id, offset, out, tag.length + kind.length, ID_BYTES);
    }
    return out;
  }
}
