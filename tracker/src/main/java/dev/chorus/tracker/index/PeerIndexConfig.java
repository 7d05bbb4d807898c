package dev.chorus.tracker.index;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings shared by every {@link PeerIndex} implementation: retention (entries per track, TTL)
 * and the bounds on what announcers may make the index hold (see {@link AnnounceResult}).
 * Immutable; validated by the builder.
 */
public final class PeerIndexConfig {
  private final int keepPerTrack;
  private final Duration ttl;
  private final int maxHoldingsPerPeer;
  private final int maxHoldingsPerPrefix;
  private final long maxPartialBytesPerPeer;
  private final long maxIndexBytes;
  private final int quotaPrefixV4;
  private final int quotaPrefixV6;

  private PeerIndexConfig(Builder b) {
    this.keepPerTrack = b.keepPerTrack;
    this.ttl = b.ttl;
    this.maxHoldingsPerPeer = b.maxHoldingsPerPeer;
    this.maxHoldingsPerPrefix = b.maxHoldingsPerPrefix;
    this.maxPartialBytesPerPeer = b.maxPartialBytesPerPeer;
    this.maxIndexBytes = b.maxIndexBytes;
    this.quotaPrefixV4 = b.quotaPrefixV4;
    this.quotaPrefixV6 = b.quotaPrefixV6;
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

  /** Entries one peer (key) may hold (default 20,000; a node's cache holds far fewer tracks). */
  public int maxHoldingsPerPeer() {
    return maxHoldingsPerPeer;
  }

  /**
   * Entries all peers in one network prefix ({@link #quotaPrefix}) may hold together (default
   * 200,000: ten full nodes behind one NAT or in one /64).
   */
  public int maxHoldingsPerPrefix() {
    return maxHoldingsPerPrefix;
  }

  /** Bitmap bytes of one peer's partial holdings, summed (default 1 MiB). */
  public long maxPartialBytesPerPeer() {
    return maxPartialBytesPerPeer;
  }

  /**
   * Budget for the whole index in accounted bytes: the in-memory index's own estimate of what it
   * holds, which stays at or above its real footprint. The Redis index does not apply it (Redis
   * has {@code maxmemory}). No budget unless set ({@link Long#MAX_VALUE}): the index is also the
   * simulator's model of a tracker, whose million-peer runs must not be cut by a budget sized
   * for one server; the tracker sets one ({@code TrackerConfig}, the {@code --max-index-bytes}
   * option: 512 MiB by default).
   */
  public long maxIndexBytes() {
    return maxIndexBytes;
  }

  /** Prefix length in bits by which IPv4 addresses are grouped for quotas (default 32). */
  public int quotaPrefixV4() {
    return quotaPrefixV4;
  }

  /** Prefix length in bits by which IPv6 addresses are grouped for quotas (default 64). */
  public int quotaPrefixV6() {
    return quotaPrefixV6;
  }

  /** The quota prefix of {@code ip} (4 or 16 bytes). */
  public NetworkPrefix quotaPrefix(byte[] ip) {
    return NetworkPrefix.of(ip, quotaPrefixV4, quotaPrefixV6);
  }

  public static final class Builder {
    private int keepPerTrack = 20;
    private Duration ttl = Duration.ofMinutes(30);
    private int maxHoldingsPerPeer = 20_000;
    private int maxHoldingsPerPrefix = 200_000;
    private long maxPartialBytesPerPeer = 1L << 20;
    private long maxIndexBytes = Long.MAX_VALUE;
    private int quotaPrefixV4 = 32;
    private int quotaPrefixV6 = 64;

    private Builder() {}

    public Builder keepPerTrack(int keepPerTrack) {
      this.keepPerTrack = keepPerTrack;
      return this;
    }

    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    public Builder maxHoldingsPerPeer(int v) {
      this.maxHoldingsPerPeer = v;
      return this;
    }

    public Builder maxHoldingsPerPrefix(int v) {
      this.maxHoldingsPerPrefix = v;
      return this;
    }

    public Builder maxPartialBytesPerPeer(long v) {
      this.maxPartialBytesPerPeer = v;
      return this;
    }

    public Builder maxIndexBytes(long v) {
      this.maxIndexBytes = v;
      return this;
    }

    /** Quota prefix lengths: IPv4 1..32, IPv6 1..64 bits. */
    public Builder quotaPrefix(int ipv4Bits, int ipv6Bits) {
      this.quotaPrefixV4 = ipv4Bits;
      this.quotaPrefixV6 = ipv6Bits;
      return this;
    }

    public PeerIndexConfig build() {
      if (keepPerTrack < 1 || keepPerTrack > 1000) {
        throw new IllegalArgumentException("keepPerTrack must be 1..1000, was " + keepPerTrack);
      }
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("ttl must be between 1 s and 7 days, was " + ttl);
      }
      if (maxHoldingsPerPeer < 1 || maxHoldingsPerPeer > 100_000_000) {
        throw new IllegalArgumentException("maxHoldingsPerPeer must be 1..100000000, was " + maxHoldingsPerPeer);
      }
      if (maxHoldingsPerPrefix < maxHoldingsPerPeer || maxHoldingsPerPrefix > 1_000_000_000) {
        throw new IllegalArgumentException("maxHoldingsPerPrefix must be maxHoldingsPerPeer ("
            + maxHoldingsPerPeer + ")..1000000000, was " + maxHoldingsPerPrefix);
      }
      if (maxPartialBytesPerPeer < 0 || maxPartialBytesPerPeer > (1L << 40)) {
        throw new IllegalArgumentException("maxPartialBytesPerPeer must be 0..2^40, was " + maxPartialBytesPerPeer);
      }
      if (maxIndexBytes < (1L << 20)) {
        throw new IllegalArgumentException("maxIndexBytes must be at least 1 MiB, was " + maxIndexBytes);
      }
      NetworkPrefix.checkLengths(quotaPrefixV4, quotaPrefixV6);
      return new PeerIndexConfig(this);
    }
  }

  @Override
  public String toString() {
    return "PeerIndexConfig[keepPerTrack=" + keepPerTrack + ", ttl=" + ttl
        + ", maxHoldingsPerPeer=" + maxHoldingsPerPeer + ", maxHoldingsPerPrefix=" + maxHoldingsPerPrefix
        + " per /" + quotaPrefixV4 + " or /" + quotaPrefixV6 + ", maxPartialBytesPerPeer=" + maxPartialBytesPerPeer
        + ", maxIndexBytes=" + (maxIndexBytes == Long.MAX_VALUE ? "none" : Long.toString(maxIndexBytes)) + "]";
  }
}
