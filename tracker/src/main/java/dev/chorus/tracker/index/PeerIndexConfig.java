package dev.chorus.tracker.index;

import java.time.Duration;
import java.util.Objects;

/** Settings shared by every {@link PeerIndex} implementation. Immutable; validated by the builder. */
public final class PeerIndexConfig {
  private final int keepPerTrack;
  private final Duration ttl;

  private PeerIndexConfig(Builder b) {
    this.keepPerTrack = b.keepPerTrack;
    this.ttl = b.ttl;
  }

  public static PeerIndexConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Entries kept per track, most recent first (default 20). */
  public int keepPerTrack() {
    return keepPerTrack;
  }

  /** How long an entry lives without a re-announce (default 30 minutes). */
  public Duration ttl() {
    return ttl;
  }

  public long ttlMillis() {
    return ttl.toMillis();
  }

  public static final class Builder {
    private int keepPerTrack = 20;
    private Duration ttl = Duration.ofMinutes(30);

    private Builder() {}

    public Builder keepPerTrack(int keepPerTrack) {
      this.keepPerTrack = keepPerTrack;
      return this;
    }

    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    public PeerIndexConfig build() {
      if (keepPerTrack < 1 || keepPerTrack > 1000) {
        throw new IllegalArgumentException("keepPerTrack must be 1..1000, was " + keepPerTrack);
      }
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("ttl must be between 1 s and 7 days, was " + ttl);
      }
      return new PeerIndexConfig(this);
    }
  }

  @Override
  public String toString() {
    return "PeerIndexConfig[keepPerTrack=" + keepPerTrack + ", ttl=" + ttl + "]";
  }
}
