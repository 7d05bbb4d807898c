package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.random.RandomGenerator;

/**
 * Orders the candidates of a lookup, nearest first. Pure: no clock, no I/O, no state; the
 * randomness comes from the caller's generator, so a seeded generator gives a reproducible order.
 * Immutable and thread-safe.
 *
 * <p>The asker itself is left out. The others are ordered by, in turn:
 *
 * <ol>
 *   <li><b>what they hold</b> of the wanted chunks: every wanted chunk (a complete holding
 *       always qualifies), then some of them, then none. Without a wanted bitmap (or with an
 *       empty one) "wanted" means the whole track: complete holders, then partial ones, then
 *       holders of nothing;
 *   <li><b>locality</b>: the same network prefix as the asker (IPv4 /24, IPv6 /48) or the same
 *       non-empty region tag, before the rest;
 *   <li><b>predicted round-trip time</b> between the Vivaldi coordinates, in buckets of {@link
 *       #rttBucketMillis} (5 ms by default) so that RTTs that differ by less than the coordinates'
 *       accuracy count as equal;
 *   <li><b>chance</b>: peers equal on all of the above come in random order, so that load
 *       spreads over them rather than falling on whichever announced last.
 * </ol>
 *
 * <p>Cost: one {@code long} sort key per candidate packed into a per-thread {@code long[]} and
 * sorted; one random draw per candidate; no allocation in the {@link CandidateList} form.
 */
public final class NearestPeerRanker {
  /** The RTT bucket width used by {@link #create()}. */
  public static final double DEFAULT_RTT_BUCKET_MILLIS = 5.0;
  /** Peers a lookup returns unless it asks for fewer (the tracker default). */
  public static final int DEFAULT_MAX_PEERS = 10;
  /** Largest candidate list {@link #rank} accepts (the key keeps the index in 20 bits). */
  public static final int MAX_CANDIDATES = 1 << 20;

  // Sort key, most significant first: 0 | tier (2 bits) | non-local (1) | RTT bucket (16) | random (24) | index (20).
  private static final int INDEX_BITS = 20;
  private static final int RANDOM_BITS = 24;
  private static final int BUCKET_BITS = 16;
  private static final int RANDOM_SHIFT = INDEX_BITS;
  private static final int BUCKET_SHIFT = RANDOM_SHIFT + RANDOM_BITS;
  private static final int LOCAL_SHIFT = BUCKET_SHIFT + BUCKET_BITS;
  private static final int TIER_SHIFT = LOCAL_SHIFT + 1;
  private static final long MAX_BUCKET = (1L << BUCKET_BITS) - 1;
  private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
  private static final int RANDOM_MASK = (1 << RANDOM_BITS) - 1;

  private static final int TIER_ALL = 0;
  private static final int TIER_SOME = 1;
  private static final int TIER_NONE = 2;

  private static final int MAX_SCRATCH = 4096;
  private static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[64]);

  private static final NearestPeerRanker DEFAULT = new NearestPeerRanker(DEFAULT_RTT_BUCKET_MILLIS);

  private final double rttBucketMillis;

  private NearestPeerRanker(double rttBucketMillis) {
    this.rttBucketMillis = rttBucketMillis;
  }

  /** A ranker with 5 ms RTT buckets. */
  public static NearestPeerRanker create() {
    return DEFAULT;
  }

  /**
   * A ranker that counts predicted RTTs in the same {@code rttBucketMillis}-wide bucket as equal.
   *
   * @throws IllegalArgumentException unless {@code rttBucketMillis} is finite and at least 0.001
   */
  public static NearestPeerRanker create(double rttBucketMillis) {
    if (!(rttBucketMillis >= 0.001 && rttBucketMillis <= 1_000_000)) {
      throw new IllegalArgumentException("rttBucketMillis must be 0.001..1000000, was " + rttBucketMillis);
    }
    return new NearestPeerRanker(rttBucketMillis);
  }

  public double rttBucketMillis() {
    return rttBucketMillis;
  }

  /**
   * The best {@code maxPeers} of {@code candidates} for the asker, best first (see the class
   * comment for the order).
   *
   * @param asker the asking node, left out of the result; null to leave nobody out
   * @param askerPrefix the asker's network prefix; null if unknown (no peer counts as same network)
   * @param askerRegion the asker's region tag; null or "" for none (no peer counts as same region)
   * @param askerCoordinate the asker's Vivaldi coordinate; null if unknown (all RTTs count as equal)
   * @param candidates what the index returned for the track; not modified
   * @param wantedBitmap the chunks the asker wants (bit i, LSB-first, for chunk i); null or
   *     all-zero for "the whole track"
   * @param maxPeers at most this many peers are returned; 0 gives an empty list
   * @param random breaks ties; a seeded generator makes the result reproducible
   * @return a new list
   * @throws IllegalArgumentException if {@code maxPeers} is negative or there are more than
   *     {@link #MAX_CANDIDATES} candidates
   */
  public List<Candidate> rank(NodeId asker, NetworkPrefix askerPrefix, String askerRegion,
      VivaldiCoordinate askerCoordinate, List<Candidate> candidates, byte[] wantedBitmap, int maxPeers,
      RandomGenerator random) {
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(random, "random");
    int n = checkArguments(candidates.size(), maxPeers);
    if (n == 0 || maxPeers == 0) {
      return new ArrayList<>(0);
    }
    List<Candidate> in = candidates instanceof RandomAccess ? candidates : new ArrayList<>(candidates);
    int[] order = new int[Math.min(n, maxPeers)];
    int count = rank(asker, askerPrefix, askerRegion, askerCoordinate, CandidateList.of(in), wantedBitmap,
        maxPeers, random, order);
    List<Candidate> result = new ArrayList<>(count);
    for (int j = 0; j < count; j++) {
      result.add(in.get(order[j]));
    }
    return result;
  }

  /**
   * {@link #rank(NodeId, NetworkPrefix, String, VivaldiCoordinate, List, byte[], int,
   * RandomGenerator) rank}, for candidates in a {@link CandidateList}: writes the positions of
   * the chosen candidates in {@code candidates}, best first, to {@code order} and returns how many
   * it wrote. Allocates nothing (the tracker's lookup path); the same draws from {@code random} in
   * the same order as the list form, so both give the same answer.
   *
   * @param order receives the positions; at least {@code min(candidates.size(), maxPeers)} long
   * @throws IllegalArgumentException if {@code maxPeers} is negative, there are more than {@link
   *     #MAX_CANDIDATES} candidates or {@code order} is too short
   */
  public int rank(NodeId asker, NetworkPrefix askerPrefix, String askerRegion, VivaldiCoordinate askerCoordinate,
      CandidateList candidates, byte[] wantedBitmap, int maxPeers, RandomGenerator random, int[] order) {
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(random, "random");
    int n = checkArguments(candidates.size(), maxPeers);
    if (order.length < Math.min(n, maxPeers)) {
      throw new IllegalArgumentException("order has room for " + order.length + " of " + Math.min(n, maxPeers));
    }
    if (n == 0 || maxPeers == 0) {
      return 0;
    }
    int wantedCount = 0;
    if (wantedBitmap != null) {
      for (byte b : wantedBitmap) {
        wantedCount += Integer.bitCount(b & 0xff);
      }
    }
    byte[] wanted = wantedCount == 0 ? null : wantedBitmap;
    boolean hasPrefix = askerPrefix != null;
    long prefix = hasPrefix ? askerPrefix.packed() : 0;
    boolean hasRegion = askerRegion != null && !askerRegion.isEmpty();
    int regionHash = hasRegion ? askerRegion.hashCode() : 0;
    long askerHead = asker == null ? 0 : PeerInfo.head(asker);

    // Ranking reads the candidates' bytes in the list (see CandidateList), laid out one after
    // the other, and their shared region Strings.
    long[] keys = scratch(n);
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (asker != null && candidates.nodeIdHead(i) == askerHead && candidates.hasNodeId(i, asker)) {
        continue;
      }
      long tier = tier(candidates.holding(i), wanted, wantedCount);
      String region = candidates.region(i);
      boolean local = (hasPrefix && candidates.packedPrefix(i) == prefix)
          || (hasRegion && region.hashCode() == regionHash && askerRegion.equals(region));
      long bucket = 0;
      if (askerCoordinate != null) {
        double b = candidates.predictedRttMillisFrom(i, askerCoordinate) / rttBucketMillis;
        bucket = b >= MAX_BUCKET ? MAX_BUCKET : (long) b;
      }
      keys[m++] = (tier << TIER_SHIFT) | ((local ? 0L : 1L) << LOCAL_SHIFT) | (bucket << BUCKET_SHIFT)
          | ((long) (random.nextInt() & RANDOM_MASK) << RANDOM_SHIFT) | i;
    }
    Arrays.sort(keys, 0, m);
    int out = Math.min(m, maxPeers);
    for (int j = 0; j < out; j++) {
      order[j] = (int) (keys[j] & INDEX_MASK);
    }
    return out;
  }

  /** {@code n}, after checking it and {@code maxPeers} against the documented bounds. */
  private static int checkArguments(int n, int maxPeers) {
    if (maxPeers < 0) {
      throw new IllegalArgumentException("maxPeers must be >= 0, was " + maxPeers);
    }
    if (n > MAX_CANDIDATES) {
      throw new IllegalArgumentException("at most " + MAX_CANDIDATES + " candidates, got " + n);
    }
    return n;
  }

  /**
   * A key array of at least {@code n} for this thread, reused between calls: the ranking's only
   * allocation besides the result was this array (about 250 bytes per lookup of 30 candidates).
   */
  private static long[] scratch(int n) {
    if (n > MAX_SCRATCH) {
      return new long[n]; // a huge list (the simulator's, tests') is not kept per thread
    }
    long[] keys = SCRATCH.get();
    if (keys.length < n) {
      keys = new long[Math.max(n, 2 * keys.length)];
      SCRATCH.set(keys);
    }
    return keys;
  }

  private static int tier(Holding h, byte[] wanted, int wantedCount) {
    if (h.isComplete()) {
      return TIER_ALL;
    }
    int held = h.countHeld(wanted);
    if (wanted == null) {
      return held == 0 ? TIER_NONE : held >= h.chunkCount() ? TIER_ALL : TIER_SOME;
    }
    return held == 0 ? TIER_NONE : held == wantedCount ? TIER_ALL : TIER_SOME;
  }

  @Override
  public String toString() {
    return "NearestPeerRanker[rttBucketMillis=" + rttBucketMillis + "]";
  }
}
