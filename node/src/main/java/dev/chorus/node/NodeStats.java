package dev.chorus.node;

/**
 * A snapshot of a node's counters since it started. Bytes are counted once per chunk acquired
 * (peers, CDN) or per chunk played from the cache.
 *
 * @param bytesFromCache bytes played that were already in the cache
 * @param bytesFromPeers bytes received from peers (verified)
 * @param bytesFromCdn bytes read from the CDN/origin (verified)
 * @param bytesUploaded chunk bytes sent to peers
 * @param playbacks tracks opened and started
 * @param startLatencyP50Nanos median time from open to the first byte
 * @param startLatencyP90Nanos 90th percentile of the same
 * @param stutters times playback had to wait for data after it started
 * @param peersBanned peers banned for bad data
 * @param neighbours connected peers now
 */
public record NodeStats(
    long bytesFromCache,
    long bytesFromPeers,
    long bytesFromCdn,
    long bytesUploaded,
    long playbacks,
    long startLatencyP50Nanos,
    long startLatencyP90Nanos,
    long stutters,
    long peersBanned,
    int neighbours) {

  /** Share of network bytes (peers + CDN) that came from peers; 0 when nothing was fetched. */
  public double peerShare() {
    long network = bytesFromPeers + bytesFromCdn;
    return network == 0 ? 0 : (double) bytesFromPeers / network;
  }
}
