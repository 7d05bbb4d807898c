package dev.chorus.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The knobs of one demo run, validated once.
 *
 * @param nodes nodes started, each with its own RocksDB cache and stream endpoint (1..64)
 * @param tracks tracks generated and published (1..1000)
 * @param duration how long the listeners play (wall-clock time)
 * @param speed playback rate: 1 is real time, 8 reads eight seconds of audio per second
 * @param seed everything random (audio, popularity, sessions, skips) follows from it
 * @param directory where the catalog and the caches go; empty for a new temporary directory
 * @param keep keep the temporary directory at the end (a given directory is always kept)
 * @param cacheBytesPerNode each node's cache capacity
 * @param metricsPort port of /metrics on 127.0.0.1; 0 picks a free one
 */
public record DemoOptions(
    int nodes, int tracks, Duration duration, double speed, long seed, Optional<Path> directory, boolean keep,
    long cacheBytesPerNode, int metricsPort) {

  public DemoOptions {
    if (nodes < 1 || nodes > 64) {
      throw new IllegalArgumentException("--nodes must be in 1..64, was " + nodes);
    }
    if (tracks < 1 || tracks > 1000) {
      throw new IllegalArgumentException("--tracks must be in 1..1000, was " + tracks);
    }
    if (duration.isNegative() || duration.toMillis() < 1000) {
      throw new IllegalArgumentException("--duration must be at least 1s, was " + duration);
    }
    if (!(speed >= 0.25 && speed <= 64)) {
      throw new IllegalArgumentException("--speed must be in 0.25..64, was " + speed);
    }
    if (cacheBytesPerNode < 1_000_000) {
      throw new IllegalArgumentException("--cache-mb must be at least 1, was " + cacheBytesPerNode / 1_000_000);
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("--metrics-port must be in 0..65535, was " + metricsPort);
    }
  }

  /** The defaults of {@code ./chorus demo}: about two minutes. */
  public static DemoOptions defaults() {
    return new DemoOptions(12, 20, Duration.ofSeconds(120), 8, 1, Optional.empty(), false, 200_000_000L, 0);
  }
}
