package dev.chorus.bench.tracker;

import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.tracker.index.PeerInfo;
import java.util.SplittableRandom;

/**
 * The synthetic swarm: track ids derived from a track number (so that nothing per track has to be
 * kept by the generator), a power-law popularity over track numbers, and random peers.
 *
 * <p>Popularity: track number {@code k} (0 = most popular) is drawn with probability about
 * proportional to {@code k^-s}, {@code 0 <= s < 1}, by inverting the continuous CDF: {@code k =
 * floor(N * u^(1/(1-s)))}. {@code s = 0} is uniform; {@code s = 0.5} (the default) puts the top
 * 10% of tracks at about 32% of the draws.
 */
final class Workload {
  /** Chunk count announced for every track (a ~4.7 MB track at 16 KiB chunks). */
  static final int CHUNKS_PER_TRACK = 300;

  private static final String[] REGIONS = {"", "eu-west", "eu-north", "us-east", "us-west", "ap-south"};
  private static final long TRACK_SEED = 0x243f6a8885a308d3L;

  final int tracks;
  final double zipf;
  private final double exponent;

  Workload(int tracks, double zipf) {
    if (tracks < 1) {
      throw new IllegalArgumentException("tracks must be >= 1, was " + tracks);
    }
    if (!(zipf >= 0 && zipf < 1)) {
      throw new IllegalArgumentException("zipf exponent must be in [0, 1), was " + zipf);
    }
    this.tracks = tracks;
    this.zipf = zipf;
    this.exponent = 1 / (1 - zipf);
  }

  /** A track number drawn by popularity. */
  int popularTrack(SplittableRandom random) {
    double u = random.nextDouble();
    int k = (int) (tracks * Math.pow(u, exponent));
    return Math.min(k, tracks - 1);
  }

  /** The 32 id bytes of track number {@code k}, written into {@code out} (32 bytes). */
  static void trackIdBytes(int k, byte[] out) {
    for (int j = 0; j < 4; j++) {
      long v = mix64(TRACK_SEED + 4L * k + j);
      for (int b = 0; b < 8; b++) {
        out[8 * j + b] = (byte) (v >>> (56 - 8 * b));
      }
    }
  }

  static byte[] trackIdBytes(int k) {
    byte[] id = new byte[TrackId.BYTES];
    trackIdBytes(k, id);
    return id;
  }

  static TrackId trackId(int k) {
    return TrackId.fromBytes(trackIdBytes(k));
  }

  /**
   * A random peer: a random 32-byte "static key" (the index never checks that it is a real X25519
   * point), an IPv4 address in one of 65,536 /24 networks of 10.0.0.0/8, a port, a random 2-D
   * Vivaldi coordinate within ±150 ms with a 0–20 ms height, and one of a few region tags.
   */
  static PeerInfo randomPeer(SplittableRandom random, byte[] keyScratch) {
    for (int i = 0; i < 32; i += 8) {
      long v = random.nextLong();
      for (int b = 0; b < 8; b++) {
        keyScratch[i + b] = (byte) (v >>> (8 * b));
      }
    }
    int net = random.nextInt(1 << 16);
    byte[] ip = {10, (byte) (net >>> 8), (byte) net, (byte) (1 + random.nextInt(254))};
    return PeerInfo.of(keyScratch, ip, 1024 + random.nextInt(64_000), randomCoordinate(random),
        REGIONS[random.nextInt(REGIONS.length)]);
  }

  static VivaldiCoordinate randomCoordinate(SplittableRandom random) {
    float[] position = {(float) (random.nextDouble() * 300 - 150), (float) (random.nextDouble() * 300 - 150)};
    return VivaldiCoordinate.of(position, (float) (random.nextDouble() * 20), (float) random.nextDouble());
  }

  /** SplitMix64's finaliser. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
