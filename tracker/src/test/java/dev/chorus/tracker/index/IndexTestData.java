package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deterministic values for index tests: peer {@code n}, track {@code n}, holdings. Every value is
 * a pure function of its arguments, so two calls give equal objects.
 */
public final class IndexTestData {
  /** A whole-second epoch time to start test clocks at (2023-11-14). */
  public static final long T0 = 1_700_000_000_000L;
  /** Chunks of track {@code n} in {@link #complete(int)} and {@link #partial(int, int...)}. */
  public static final int CHUNKS = 320;

  // Values are immutable: cache the ones that cost a SHA-256 to make.
  private static final Map<Integer, NodeId> NODE_IDS = new ConcurrentHashMap<>();
  private static final Map<Integer, PeerInfo> PEERS = new ConcurrentHashMap<>();
  private static final Map<Integer, TrackId> TRACKS = new ConcurrentHashMap<>();

  private IndexTestData() {}

  /** Peer {@code n}'s 32-byte static key. */
  public static byte[] staticKey(int n) {
    byte[] key = sha256("peer " + n);
    key[31] = (byte) 0x40; // shaped like an X25519 key; any 32 bytes would do
    return key;
  }

  public static NodeId nodeId(int n) {
    return NODE_IDS.computeIfAbsent(n, k -> NodeId.ofStaticKey(staticKey(k)));
  }

  /**
   * Peer {@code n} at 10.(n/65536).(n/256).(n%256) port 20000 + n % 10000, coordinate (n % 97, n %
   * 89) with height 1, no region. Peers whose n differ only in the low byte share a /24.
   */
  public static PeerInfo peer(int n) {
    return PEERS.computeIfAbsent(n, k -> {
      byte[] ip = ipv4(10, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff);
      return PeerInfo.of(staticKey(k), ip, 20_000 + k % 10_000, coordinate(k % 97, k % 89, 1), "");
    });
  }

  /** Peer {@code n} (its key) with the given address, coordinate and region. */
  public static PeerInfo peer(int n, byte[] ip, int port, VivaldiCoordinate coordinate, String region) {
    return PeerInfo.of(staticKey(n), ip, port, coordinate, region);
  }

  public static byte[] ipv4(int a, int b, int c, int d) {
    return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
  }

  /** The 16 bytes of an IPv6 literal such as "2001:db8::1". */
  public static byte[] ipv6(String literal) {
    try {
      byte[] ip = InetAddress.getByName(literal).getAddress();
      if (ip.length != 16) {
        throw new IllegalArgumentException("not an IPv6 literal: " + literal);
      }
      return ip;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  /** A 2-dimensional coordinate with error 0.2. */
  public static VivaldiCoordinate coordinate(float x, float y, float heightMs) {
    return VivaldiCoordinate.of(new float[] {x, y}, heightMs, 0.2f);
  }

  /** Track {@code n}: the SHA-256 of "track n". */
  public static TrackId track(int n) {
    return TRACKS.computeIfAbsent(n, k -> TrackId.fromBytes(sha256("track " + k)));
  }

  /** Every chunk of track {@code n} ({@link #CHUNKS} chunks). */
  public static Holding complete(int n) {
    return Holding.complete(track(n), CHUNKS);
  }

  /** The listed chunks of track {@code n} ({@link #CHUNKS} chunks). */
  public static Holding partial(int n, int... chunks) {
    return Holding.partial(track(n), CHUNKS, bitmap(CHUNKS, chunks));
  }

  /** A bitmap of {@code chunkCount} chunks with the listed ones set. */
  public static byte[] bitmap(int chunkCount, int... chunks) {
    byte[] bits = new byte[(chunkCount + 7) / 8];
    for (int c : chunks) {
      bits[c >>> 3] |= (byte) (1 << (c & 7));
    }
    return bits;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
