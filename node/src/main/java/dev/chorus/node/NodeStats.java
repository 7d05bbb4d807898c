package dev.chorus.node;

/**
 * A snapshot of a node's counters since it started.
 *
 * <p>Two views of the bytes. {@link #played} is what the node delivered to its player, each byte
 * attributed to the one source it came from (own cache, peers, CDN), so the three add up exactly
 * to the bytes played: the Spotify P2P'10 paper's measure. {@link #bytesFromPeers} and {@link
 * #bytesFromCdn} are what the node fetched over the network, played or not (the rest of a skipped
 * track, a prefetched track not played): the network's view, behind {@link #peerShare}. How bytes
 * are attributed: {@link PlayedBytesLedger}.
 *
 * @param played bytes delivered to the player, by source; each byte once per play (a re-read after
 *     a seek back is not counted again)
 * @param bytesFromPeers bytes fetched from peers (verified chunks the node did not hold; a chunk
 *     received twice counts once)
 * @param bytesFromCdn bytes fetched from the CDN/origin (likewise)
 * @param bytesUploaded chunk bytes sent to peers
 * @param playbacks tracks opened and started
 * @param startLatencyP50Nanos median time from open to ready to play ({@link TrackStream#awaitReady})
 * @param startLatencyP90Nanos 90th percentile of the same
 * @param stutters times playback had to wait for data after it started
 * @param peersBanned peers banned for bad data
 * @param neighbours connected peers now
 * @param portMappingState the port mapping ({@link NodeConfig#portMapping}): "off", "discovering",
 *     "mapped", "failed" (no gateway protocol worked; retried later) or "stopped"
 * @param portMappingProtocol "pcp", "nat-pmp" or "upnp-igd" while mapped, else ""
 * @param externalAddress the gateway's external IPv4 address while mapped (as the gateway says it), else ""
 * @param externalPort the mapped external port announced to the tracker, else 0
 */
public record NodeStats(
    PlayedBytes played,
    long bytesFromPeers,
    long bytesFromCdn,
    long bytesUploaded,
    long playbacks,
    long startLatencyP50Nanos,
    long startLatencyP90Nanos,
    long stutters,
    long peersBanned,
    int neighbours,
    String portMappingState,
    String portMappingProtocol,
    String externalAddress,
    int externalPort) {

  /** The counters of a node without port mapping ({@code portMappingState} "off"). */
  public NodeStats(PlayedBytes played, long bytesFromPeers, long bytesFromCdn, long bytesUploaded, long playbacks,
      long startLatencyP50Nanos, long startLatencyP90Nanos, long stutters, long peersBanned, int neighbours) {
    this(played, bytesFromPeers, bytesFromCdn, bytesUploaded, playbacks, startLatencyP50Nanos, startLatencyP90Nanos,
        stutters, peersBanned, neighbours, "off", "", "", 0);
  }

  /** Bytes played from the node's own cache: {@code played().fromCache()} (nothing is fetched from it). */
  public long bytesFromCache() {
    return played.fromCache();
  }

  /**
   * Bytes fetched from peers or the CDN that were not played by the play they were fetched for
   * (prefetched, skipped over, received twice): fetched minus played from the network. Never negative.
   */
  public long bytesFetchedNotPlayed() {
    return bytesFromPeers + bytesFromCdn - played.fromPeers() - played.fromCdn();
  }

  /** Share of network bytes fetched (peers + CDN) that came from peers; 0 when nothing was fetched. */
  public double peerShare() {
    long network = bytesFromPeers + bytesFromCdn;
    return network == 0 ? 0 : (double) bytesFromPeers / network;
  }
}
