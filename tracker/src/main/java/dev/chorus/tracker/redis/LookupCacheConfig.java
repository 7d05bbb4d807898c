package dev.chorus.tracker.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * The Redis index's read-through cache of each track's candidates (tracker/docs/redis.md,
 * "Lookup cache"): how long a track's candidates read from Redis answer later lookups, and how many
 * tracks it keeps at most. A TTL of zero turns the cache off. Immutable; validated on creation.
 */
public final class LookupCacheConfig {
  /** Default TTL: a second, against announce intervals of minutes. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(1);
  /** Default bound: 1.5 KB to 10 KB a track with 30 candidates (estimated; tracker/docs/redis.md). */
  public static final int DEFAULT_MAX_TRACKS = 10_000;
  /** Largest TTL accepted: the cache is for bursts of lookups, not a second index. */
  public static final Duration MAX_TTL = Duration.ofMinutes(1);
  /** Largest bound accepted. */
  public static final int MAX_TRACKS_LIMIT = 1_000_000;

  /** No cache: every lookup reads Redis. */
  public static final LookupCacheConfig DISABLED = new LookupCacheConfig(Duration.ZERO, DEFAULT_MAX_TRACKS);

  private final Duration ttl;
  private final int maxTracks;

  private LookupCacheConfig(Duration ttl, int maxTracks) {
    this.ttl = ttl;
    this.maxTracks = maxTracks;
  }

  /**
   * @param ttl how long a read answers lookups of its track: 0 (off) up to {@link #MAX_TTL},
   *     whole milliseconds
   * @param maxTracks tracks cached at most, 1..{@link #MAX_TRACKS_LIMIT}
   * @throws IllegalArgumentException if either is out of range
   */
  public static LookupCacheConfig of(Duration ttl, int maxTracks) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("lookup cache TTL must be 0 (off) to " + MAX_TTL.toSeconds() + "s, was " + ttl);
    }
    if (maxTracks < 1 || maxTracks > MAX_TRACKS_LIMIT) {
      throw new IllegalArgumentException("lookup cache tracks must be 1.." + MAX_TRACKS_LIMIT + ", was " + maxTracks);
    }
    return new LookupCacheConfig(Duration.ofMillis(ttl.toMillis()), maxTracks);
  }

  /** {@link #DEFAULT_TTL}, {@link #DEFAULT_MAX_TRACKS}. */
  public static LookupCacheConfig defaults() {
    return of(DEFAULT_TTL, DEFAULT_MAX_TRACKS);
  }

  public Duration ttl() {
    return ttl;
  }

  public long ttlMillis() {
    return ttl.toMillis();
  }

  public int maxTracks() {
    return maxTracks;
  }

  public boolean enabled() {
    return ttl.toMillis() > 0;
  }

  @Override
  public String toString() {
    return enabled() ? "lookup cache " + ttl.toMillis() + " ms, " + maxTracks + " tracks" : "no lookup cache";
  }
}
