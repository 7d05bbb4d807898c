package dev.chorus.tracker.index;

import java.util.Arrays;

/**
 * What an announce was refused: per {@link Refusal}, how many of its holdings were not indexed.
 * Refused holdings are left out whole; the rest of the announce applies. Immutable.
 */
public final class AnnounceResult {
  /** Why a holding was not indexed. Each has its metric label and wire detail. */
  public enum Refusal {
    /** The peer (key) holds {@link PeerIndexConfig#maxHoldingsPerPeer} entries already. */
    PEER_CAP("peer_cap"),
    /** The peers of its network prefix hold {@link PeerIndexConfig#maxHoldingsPerPrefix} entries. */
    PREFIX_CAP("prefix_cap"),
    /** Its bitmap would take the peer past {@link PeerIndexConfig#maxPartialBytesPerPeer}. */
    PARTIAL_BYTES("partial_bytes"),
    /** The index is at {@link PeerIndexConfig#maxIndexBytes}. */
    INDEX_FULL("index_full");

    private final String label;

    Refusal(String label) {
      this.label = label;
    }

    /** Lower-case name, for metrics and logs. */
    public String label() {
      return label;
    }
  }

  public static final AnnounceResult ACCEPTED = new AnnounceResult(new int[Refusal.values().length]);

  private final int[] refused;

  private AnnounceResult(int[] refused) {
    this.refused = refused;
  }

  /** Holdings refused for {@code reason}. */
  public int refused(Refusal reason) {
    return refused[reason.ordinal()];
  }

  /** Holdings refused for any reason. */
  public int refusedTotal() {
    int n = 0;
    for (int r : refused) {
      n += r;
    }
    return n;
  }

  /** This result and {@code other} together (for an announce applied in parts). */
  public AnnounceResult plus(AnnounceResult other) {
    if (other.refusedTotal() == 0) {
      return this;
    }
    if (refusedTotal() == 0) {
      return other;
    }
    int[] sum = refused.clone();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += other.refused[i];
    }
    return new AnnounceResult(sum);
  }

  /** Counts refusals while an announce is applied. Not thread-safe. */
  static final class Tally {
    private int[] counts;

    void refuse(Refusal reason) {
      if (counts == null) {
        counts = new int[Refusal.values().length];
      }
      counts[reason.ordinal()]++;
    }

    AnnounceResult result() {
      return counts == null ? ACCEPTED : new AnnounceResult(counts.clone());
    }
  }

  /** A result with {@code counts[reason.ordinal()]} refusals per reason (for backends outside this package). */
  public static AnnounceResult of(int... counts) {
    if (counts.length != Refusal.values().length) {
      throw new IllegalArgumentException("one count per Refusal");
    }
    return new AnnounceResult(counts.clone());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AnnounceResult && Arrays.equals(((AnnounceResult) o).refused, refused);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(refused);
  }

  @Override
  public String toString() {
    if (refusedTotal() == 0) {
      return "AnnounceResult[accepted]";
    }
    StringBuilder s = new StringBuilder("AnnounceResult[refused");
    for (Refusal r : Refusal.values()) {
      if (refused(r) > 0) {
        s.append(' ').append(r.label()).append('=').append(refused(r));
      }
    }
    return s.append(']').toString();
  }
}
