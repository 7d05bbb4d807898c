package dev.chorus.tracker.index;

/**
 * Sizes of an index at one moment: peers with at least one entry, tracks with at least one entry,
 * and (track, peer) entries. Entries that have expired but that {@link PeerIndex#expire} has not
 * yet removed may still be counted. The in-memory index may also count, until its next expire,
 * tracks that only departed peers were in (their pairs are dropped by the sweep); its peers and
 * entries are exact.
 */
public final class IndexStats {
  private final long peers;
  private final long tracks;
  private final long entries;

  public IndexStats(long peers, long tracks, long entries) {
    this.peers = peers;
    this.tracks = tracks;
    this.entries = entries;
  }

  public long peers() {
    return peers;
  }

  public long tracks() {
    return tracks;
  }

  public long entries() {
    return entries;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IndexStats && ((IndexStats) o).peers == peers
        && ((IndexStats) o).tracks == tracks && ((IndexStats) o).entries == entries;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(peers * 31 + tracks * 17 + entries);
  }

  @Override
  public String toString() {
    return "IndexStats[peers=" + peers + ", tracks=" + tracks + ", entries=" + entries + "]";
  }
}
