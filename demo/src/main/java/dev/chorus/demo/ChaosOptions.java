package dev.chorus.demo;

import java.time.Duration;

/**
 * The size of a chaos soak ({@link ChaosSoak}). {@link #bench()} is {@code bench/run chaos};
 * {@link #ci()} the small run of {@code ChaosSoakTest} in {@code ./mvnw verify}.
 *
 * @param nodes nodes in the swarm, child processes included (each with its own RocksDB cache)
 * @param childNodes of those, how many run as child JVMs ({@code chorus node}): the ones killed
 *     with SIGKILL and restarted on their cache, and the one stopped (SIGSTOP) mid-run
 * @param tracks tracks in the generated catalog
 * @param duration listening time, wall clock
 * @param speed playback speed (8: 8 s of audio per second)
 * @param originOutage how long the origin (nginx) is stopped mid-run
 * @param stall how long one child node is frozen (SIGSTOP) mid-run
 * @param tmpfsBytes size of the tmpfs that holds one node's cache (it fills up)
 * @param cacheBytes cache capacity of every other node
 * @param seed audio, popularity, sessions, skips
 */
public record ChaosOptions(int nodes, int childNodes, int tracks, Duration duration, double speed,
    Duration originOutage, Duration stall, long tmpfsBytes, long cacheBytes, long seed) {

  public ChaosOptions {
    if (nodes < 4 || nodes > 64) {
      throw new IllegalArgumentException("nodes must be 4..64, was " + nodes);
    }
    if (childNodes < 2 || childNodes > nodes - 2) {
      throw new IllegalArgumentException("childNodes must be 2..nodes-2, was " + childNodes);
    }
    if (tracks < 2 || tracks > 200) {
      throw new IllegalArgumentException("tracks must be 2..200, was " + tracks);
    }
    if (duration.compareTo(Duration.ofSeconds(30)) < 0) {
      throw new IllegalArgumentException("duration must be at least 30 s, was " + duration);
    }
    if (originOutage.isNegative() || originOutage.compareTo(duration.dividedBy(3)) > 0) {
      throw new IllegalArgumentException("originOutage must be 0..duration/3, was " + originOutage);
    }
    if (stall.isNegative() || stall.compareTo(duration.dividedBy(3)) > 0) {
      throw new IllegalArgumentException("stall must be 0..duration/3, was " + stall);
    }
    if (tmpfsBytes < 4L << 20) {
      throw new IllegalArgumentException("tmpfsBytes must be at least 4 MiB, was " + tmpfsBytes);
    }
  }

  /** {@code bench/run chaos}: 32 nodes (4 of them child JVMs), 30 tracks, 5 minutes, a 30 s origin outage. */
  public static ChaosOptions bench() {
    return new ChaosOptions(32, 4, 30, Duration.ofMinutes(5), 8, Duration.ofSeconds(30), Duration.ofSeconds(20),
        24L << 20, 200_000_000L, 1);
  }

  /**
   * The size {@code ./mvnw verify} runs: 8 nodes (2 child JVMs), 8 tracks, 100 s, and a 10 s
   * origin outage instead of 30 s (the run is a third as long).
   */
  public static ChaosOptions ci() {
    return new ChaosOptions(8, 2, 8, Duration.ofSeconds(100), 8, Duration.ofSeconds(10), Duration.ofSeconds(10),
        12L << 20, 200_000_000L, 1);
  }

  public ChaosOptions withNodes(int nodes, int childNodes) {
    return new ChaosOptions(nodes, childNodes, tracks, duration, speed, originOutage, stall, tmpfsBytes, cacheBytes,
        seed);
  }

  public ChaosOptions withDuration(Duration duration) {
    return new ChaosOptions(nodes, childNodes, tracks, duration, speed, originOutage, stall, tmpfsBytes, cacheBytes,
        seed);
  }

  public ChaosOptions withSeed(long seed) {
    return new ChaosOptions(nodes, childNodes, tracks, duration, speed, originOutage, stall, tmpfsBytes, cacheBytes,
        seed);
  }
}
