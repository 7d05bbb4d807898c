package dev.chorus.simulator.swarm;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;

/**
 * Synthetic ids: a simulated track or host index is written into the first four bytes of a
 * 32-byte id (the rest is a fixed tag), so the driver maps ids back to indexes without a table.
 * A host's static key is the same 32 bytes; the tracker derives its own NodeId (the key's SHA-256)
 * from it, which the driver never needs to reverse.
 */
final class Ids {
  private static final byte TRACK_TAG = 0x54;
  private static final byte NODE_TAG = 0x4e;

  private Ids() {}

  static TrackId track(int track) {
    return TrackId.fromBytes(encode(track, TRACK_TAG));
  }

  static int track(TrackId id) {
    return (int) (id.word(0) >>> 32); // the first four bytes, big-endian, as decode reads them: no copy
  }

  static NodeId node(int host) {
    return NodeId.fromBytes(encode(host, NODE_TAG));
  }

  static int host(NodeId id) {
    return (int) (id.word(0) >>> 32);
  }

  static byte[] staticKey(int host) {
    return encode(host, NODE_TAG);
  }

  static int hostOfKey(byte[] staticKey) {
    return decode(staticKey);
  }

  /** A distinct IPv4 /24 per host, so that the tracker's same-network preference never fires. */
  static byte[] ip(int host) {
    int v = host + 1;
    return new byte[] {(byte) (v >>> 16 | 0x0a), (byte) (v >>> 8), (byte) v, 1};
  }

  private static byte[] encode(int value, byte tag) {
    byte[] b = new byte[32];
    b[0] = (byte) (value >>> 24);
    b[1] = (byte) (value >>> 16);
    b[2] = (byte) (value >>> 8);
    b[3] = (byte) value;
    for (int i = 4; i < 32; i++) {
      b[i] = tag;
    }
    return b;
  }

  private static int decode(byte[] b) {
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }
}
