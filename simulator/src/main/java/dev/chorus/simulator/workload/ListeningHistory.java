package dev.chorus.simulator.workload;

import java.util.function.IntFunction;
import java.util.SplittableRandom;

/**
 * The listening that happened before a run, simulated so that caches start the run holding what
 * their listeners played rather than a pre-fill: every peer goes on and off line under the churn
 * model and, while online, plays sessions of the session model (the same popularity, albums,
 * skips and gaps as the run), for a number of days. Every play enters the peer's cache (the client
 * fetches the whole track it plays, sources §3); a play of a track already cached is a cache hit.
 * No network is simulated: what a history decides is what the caches hold, nothing else.
 *
 * <p>With repeats on ({@code session.repeatShare}), the history also fills each listener's {@link
 * RepeatMemory}, and only a repeat can be a cache hit: a discovery of a held track stands for
 * another track of the listener's cache's sample track (docs/workload.md, "Repeats"), so it is
 * fetched again (it enters the cache as the most recently used) and counts as a miss.
 *
 * <p>The daily cache share (bytes heard from the cache over bytes heard, per history day) shows
 * whether the history was long enough: it grows while caches fill and stops changing once their
 * contents turn over at the rate of listening. {@link Result} reports it day by day.
 */
public final class ListeningHistory {
  static final long DAY_NANOS = 86_400_000_000_000L;

  /** The caches the history fills: a hit marks the track used; a miss inserts it. */
  public interface Caches {
    /** Marks the track as just used if held; returns whether it was held. */
    boolean touch(int host, int track);

    /** The track was fetched: it enters the cache (or, if held already, becomes the most recent). */
    void insert(int host, int track);
  }

  /**
   * What the history did: its days' cache shares, and whether the last day's change from the day
   * before is within the tolerance.
   */
  public record Result(double[] dailyCacheShare, double tolerance) {
    public int days() {
      return dailyCacheShare.length;
    }

    public double firstDay() {
      return dailyCacheShare.length == 0 ? 0 : dailyCacheShare[0];
    }

    public double lastDay() {
      return dailyCacheShare.length == 0 ? 0 : dailyCacheShare[dailyCacheShare.length - 1];
    }

    /** The last day's share minus the day before's (0 with fewer than two days). */
    public double lastChange() {
      int n = dailyCacheShare.length;
      return n < 2 ? 0 : dailyCacheShare[n - 1] - dailyCacheShare[n - 2];
    }

    /**
     * The number of days after which every later day's share stays within the tolerance of the
     * day before's (the warm-up the caches needed), or -1 if the last day still moved by more.
     */
    public int daysToConverge() {
      if (!converged()) {
        return -1;
      }
      int d = dailyCacheShare.length - 1;
      while (d >= 1 && Math.abs(dailyCacheShare[d] - dailyCacheShare[d - 1]) <= tolerance) {
        d--;
      }
      return d + 1;
    }

    public boolean converged() {
      return dailyCacheShare.length >= 2 && Math.abs(lastChange()) <= tolerance;
    }
  }

  private final Workload workload;

  public ListeningHistory(Workload workload) {
    this.workload = workload;
  }

  /**
   * Simulates {@code days} days of listening of {@code peers} peers into {@code caches};
   * {@code rngOfHost} gives each peer its own random stream, so peers do not depend on each other.
   */
  public Result run(int peers, int days, double tolerance, IntFunction<SplittableRandom> rngOfHost,
      Caches caches) {
    return run(peers, days, tolerance, rngOfHost, caches, null);
  }

  /**
   * As {@link #run(int, int, double, IntFunction, Caches)}, recording every play in {@code memory}
   * (null: repeats off) so that the run's repeats can replay what the history played.
   */
  public Result run(int peers, int days, double tolerance, IntFunction<SplittableRandom> rngOfHost,
      Caches caches, RepeatMemory memory) {
    if (days < 0 || !(tolerance >= 0)) {
      throw new IllegalArgumentException("history days must be >= 0 and tolerance >= 0");
    }
    double[] heard = new double[days];
    double[] fromCache = new double[days];
    long end = days * DAY_NANOS;
    Churn churn = workload.churn();
    SessionModel sessions = workload.sessions();
    Catalogue catalogue = workload.catalogue();
    PlayCursor cursor = new PlayCursor();
    for (int host = 0; host < peers && days > 0; host++) {
      SplittableRandom rng = rngOfHost.apply(host);
      boolean online = churn.startsOnline(rng);
      long until = churn.firstTransitionNanos(rng, online);
      long t = online ? sessions.sampleGapNanos(rng) : until;
      while (t < end) {
        if (!online) {
          online = true;
          until = churn.onlineUntil(rng, t);
        }
        sessions.startSession(rng, cursor, memory, host);
        do {
          if (t >= until || t >= end) {
            break;
          }
          int day = (int) (t / DAY_NANOS);
          long bytes = catalogue.bytesFor(cursor.listenedMillis());
          heard[day] += bytes;
          boolean mayHit = !sessions.repeatsOn() || cursor.repeat();
          if (mayHit && caches.touch(host, cursor.track())) {
            fromCache[day] += bytes;
          } else {
            caches.insert(host, cursor.track());
          }
          t += cursor.listenedMillis() * 1_000_000L;
        } while (sessions.advance(rng, cursor, memory, host));
        t += sessions.sampleGapNanos(rng);
        if (t >= until) {
          online = false;
          t = churn.offlineUntil(rng, Math.max(until, t));
        }
      }
    }
    double[] share = new double[days];
    for (int d = 0; d < days; d++) {
      share[d] = heard[d] == 0 ? 0 : fromCache[d] / heard[d];
    }
    return new Result(share, tolerance);
  }
}
