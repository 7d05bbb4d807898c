package dev.chorus.tracker.index;

/** One peer holding a track, as the index returns it for ranking. Immutable. */
public final class Candidate {
  private final PeerInfo peer;
  private final Holding holding;
  private final long lastSeenMillis;

  public Candidate(PeerInfo peer, Holding holding, long lastSeenMillis) {
    this.peer = peer;
    this.holding = holding;
    this.lastSeenMillis = lastSeenMillis;
  }

  public PeerInfo peer() {
    return peer;
  }

  public Holding holding() {
    return holding;
  }

  /** When the peer last announced this track (epoch milliseconds, the caller's clock). */
  public long lastSeenMillis() {
    return lastSeenMillis;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Candidate)) {
      return false;
    }
    Candidate c = (Candidate) o;
    return peer.equals(c.peer) && holding.equals(c.holding) && lastSeenMillis == c.lastSeenMillis;
  }

  @Override
  public int hashCode() {
    return peer.hashCode() * 31 + holding.hashCode();
  }

  @Override
  public String toString() {
    return "Candidate[" + peer + ", " + holding + ", seen " + lastSeenMillis + "]";
  }
}
