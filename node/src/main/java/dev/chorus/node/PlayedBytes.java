package dev.chorus.node;

/**
 * Bytes a node delivered to its player, each attributed to the one source it came from, so that
 * {@code fromCache + fromPeers + fromCdn == total()} exactly. This is what the Spotify P2P'10
 * paper reports (the share of music data played that came from the local cache, from peers and
 * from the servers). How bytes are attributed, and how re-reads count: {@link PlayedBytesLedger}.
 *
 * @param fromCache bytes played that the node held before this play needed them and had not just
 *     fetched for it: a track played earlier, or fetched and played before
 * @param fromPeers bytes played that arrived from a peer for this play (or its prefetch)
 * @param fromCdn bytes played that arrived from the CDN/origin for this play (or its prefetch)
 */
public record PlayedBytes(long fromCache, long fromPeers, long fromCdn) {
  public static final PlayedBytes NONE = new PlayedBytes(0, 0, 0);

  public PlayedBytes {
    if (fromCache < 0 || fromPeers < 0 || fromCdn < 0) {
      throw new IllegalArgumentException("negative bytes: " + fromCache + ", " + fromPeers + ", " + fromCdn);
    }
  }

  /** Every byte played: the sum of the three sources. */
  public long total() {
    return fromCache + fromPeers + fromCdn;
  }

  /** This plus {@code other}, source by source. */
  public PlayedBytes plus(PlayedBytes other) {
    return new PlayedBytes(fromCache + other.fromCache, fromPeers + other.fromPeers, fromCdn + other.fromCdn);
  }
}
