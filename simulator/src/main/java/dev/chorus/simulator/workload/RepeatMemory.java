package dev.chorus.simulator.workload;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What each listener has played, for repeats: the latest {@code session.repeatWindowPlays} plays
 * of every listener, kept across online periods (and from the listening history into the run), and
 * the rule that picks the one a repeat replays ({@code session.repeatChoice}):
 *
 * <ul>
 *   <li>{@link WorkloadConfig.RepeatChoice#RECENCY}: the play {@code k} plays back ({@code k = 1}
 *       the latest) with probability {@code ln((k+1)/k) / ln(n+1)}, about {@code 1/k} (a power
 *       law in the distance back, cut off at the window of {@code n} plays). Anderson et al. (WWW
 *       2014) found recency the strongest predictor of which item is consumed again, with a
 *       reconsumption probability falling as a power law (with an exponential cut-off) in the
 *       number of steps back.
 *   <li>{@link WorkloadConfig.RepeatChoice#COUNT}: every play of the window equally likely, so a
 *       track is replayed in proportion to how often it was played in the window.
 * </ul>
 *
 * <p>One ring of track indexes per listener, allocated at its first play and grown up to the
 * window; nothing else. Not thread-safe (the engine is single-threaded).
 */
public final class RepeatMemory {
  private final int window;
  private final WorkloadConfig.RepeatChoice choice;
  private final int[][] plays;
  private final long[] recorded;

  public RepeatMemory(int listeners, int window, WorkloadConfig.RepeatChoice choice) {
    if (listeners < 0 || window < 1) {
      throw new IllegalArgumentException("listeners must be >= 0 and window >= 1, got "
          + listeners + " and " + window);
    }
    this.window = window;
    this.choice = choice;
    this.plays = new int[listeners][];
    this.recorded = new long[listeners];
  }

  /** A memory for the listeners of a workload, as its configuration says. */
  public static RepeatMemory of(WorkloadConfig config, int listeners) {
    return new RepeatMemory(listeners, config.repeatWindowPlays(), config.repeatChoice());
  }

  /** The listener starts a play of {@code track}. */
  public void record(int listener, int track) {
    int[] ring = plays[listener];
    long n = recorded[listener];
    if (ring == null) {
      ring = plays[listener] = new int[Math.min(window, 16)];
    } else if (n == ring.length && ring.length < window) {
      // Still in insertion order (nothing has wrapped yet), so growing keeps the order.
      ring = plays[listener] = Arrays.copyOf(ring, (int) Math.min(window, 2L * ring.length));
    }
    ring[(int) (n % ring.length)] = track;
    recorded[listener] = n + 1;
  }

  /** How many plays a repeat can choose from: the listener's plays, at most the window. */
  public int size(int listener) {
    return (int) Math.min(recorded[listener], window);
  }

  /** The track of the play {@code back} plays ago ({@code 1}: the latest), within {@link #size}. */
  public int back(int listener, int back) {
    if (back < 1 || back > size(listener)) {
      throw new IllegalArgumentException("back must be in [1, " + size(listener) + "], got " + back);
    }
    int[] ring = plays[listener];
    return ring[(int) ((recorded[listener] - back) % ring.length)];
  }

  /** The track a repeat replays, by the configured rule; -1 if the listener has played nothing. */
  public int pick(int listener, SplittableRandom rng) {
    int n = size(listener);
    if (n == 0) {
      return -1;
    }
    double u = rng.nextDouble();
    int back = choice == WorkloadConfig.RepeatChoice.COUNT
        ? 1 + (int) (u * n)
        : (int) StrictMath.floor(StrictMath.exp(u * StrictMath.log(n + 1.0)));
    return back(listener, Math.max(1, Math.min(n, back)));
  }
}
