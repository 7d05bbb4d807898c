package dev.chorus.simulator.engine;

import java.util.SplittableRandom;

/**
 * Independent, reproducible random streams, one per concern, all following from one master seed.
 *
 * <p>A stream is named by a concern ({@code "workload"}, {@code "network"}, {@code "churn"}) and
 * optionally an index ({@code stream("peer", i)}). Its generator is a pure function of (master
 * seed, name, index): it does not depend on which other streams exist or in which order they
 * were created, so adding a concern to the model, or drawing more from one, leaves every other
 * stream's sequence unchanged. That keeps a change to one part of a model from reshuffling the
 * randomness of all the others, and lets a run be compared with a variant draw for draw.
 *
 * <p><b>Derivation.</b> The name's UTF-16 code units, its length and the index are folded into
 * the master seed with the SplitMix64 finaliser (a bijective 64-bit mixer); the result seeds a
 * {@link SplittableRandom}, and the stream handed out is that generator's {@link
 * SplittableRandom#split()}. The split matters: {@code new SplittableRandom(seed)} always uses
 * the same increment ("gamma"), so two such generators walk the same cycle and would overlap if
 * their seeds happened to lie a few million steps apart; a split child gets its own seed
 * <em>and</em> its own gamma, both derived from the mixed seed.
 *
 * <p><b>Stability.</b> {@code SplittableRandom}'s algorithm (SplitMix64, Steele, Lea and Flood,
 * OOPSLA 2014) has been unchanged since Java 8; {@code RandomStreamsTest} pins the first values of
 * known streams, so a JDK or code change that altered any sequence would fail the build rather
 * than silently change results.
 *
 * <p>Calling {@link #stream} twice with the same name gives two generators with <em>the same</em>
 * sequence: create each concern's stream once and keep it. Thread-safe (immutable); the
 * generators it returns are not, and belong to the engine's thread.
 */
public final class RandomStreams {

  private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;
  private static final long NAMED = 0x6E61_6D65_6400_0000L; // "named"
  private static final long INDEXED = 0x696E_6465_7800_0000L; // "index"
  private static final long REPLICATION = 0x7265_706C_0000_0000L; // "repl"

  private final long masterSeed;

  /** Streams following from {@code masterSeed}. */
  public RandomStreams(long masterSeed) {
    this.masterSeed = masterSeed;
  }

  /** The master seed. */
  public long masterSeed() {
    return masterSeed;
  }

  /** A generator for {@code concern}, at the start of its sequence. */
  public SplittableRandom stream(String concern) {
    return new SplittableRandom(seed(concern)).split();
  }

  /**
   * A generator for item {@code index} of {@code concern}, for example {@code stream("peer", 17)},
   * at the start of its sequence. Independent of {@code stream(concern)} and of every other index.
   */
  public SplittableRandom stream(String concern, long index) {
    return new SplittableRandom(seed(concern, index)).split();
  }

  /** The 64-bit seed behind {@link #stream(String)} (before the split), for run manifests. */
  public long seed(String concern) {
    return mix64(nameHash(concern) ^ NAMED);
  }

  /** The 64-bit seed behind {@link #stream(String, long)} (before the split). */
  public long seed(String concern, long index) {
    return mix64(mix64(nameHash(concern) ^ INDEXED) + (index + 1) * GOLDEN_GAMMA);
  }

  /**
   * Streams for replication {@code r} of an experiment: a different master seed, derived from
   * this one, so that replications are independent and each is reproducible on its own.
   */
  public RandomStreams replication(int r) {
    if (r < 0) {
      throw new IllegalArgumentException("replication must be >= 0, was " + r);
    }
    return new RandomStreams(mix64(mix64(masterSeed ^ REPLICATION) + (r + 1L) * GOLDEN_GAMMA));
  }

  private long nameHash(String concern) {
    if (concern == null || concern.isEmpty()) {
      throw new IllegalArgumentException("concern must be a non-empty name, was " + concern);
    }
    long h = mix64(masterSeed + GOLDEN_GAMMA);
    for (int i = 0; i < concern.length(); i++) {
      h = mix64(h ^ concern.charAt(i));
    }
    return mix64(h ^ ((long) concern.length() << 32));
  }

  /** The SplitMix64 finaliser (Stafford's variant 13): a bijection on 64-bit values. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }
}
