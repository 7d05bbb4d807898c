package dev.chorus.simulator.network;

import java.util.SplittableRandom;

/**
 * Peers that fail in the middle of their online time, on top of the churn model's orderly leaves
 * (a leave closes connections, which the other side learns after half a round trip):
 *
 * <ul>
 *   <li><b>crash</b>: the peer vanishes without closing anything; its flows stop at once, and its
 *       neighbours learn it only after {@code detectSeconds} (a request timeout or keep-alive), so
 *       requests to it hang until then. It comes back when its churn says it would next come online.
 *   <li><b>slow</b>: for {@code slowSeconds}, every segment the peer serves starts only after a
 *       stall of {@code slowStallMs} (an overloaded host or a congested uplink).
 * </ul>
 *
 * Both arrive as Poisson processes per online peer at the given rates per hour. Error: a slow peer
 * is modelled by stalls between segments rather than a lower rate (the flow network's capacities
 * cannot change under running flows); a crash is never partial (a half-open connection that still
 * carries some data).
 */
public final class PeerFailures {
  private static final double HOUR_NANOS = 3600e9;

  private final double crashPerHour;
  private final double slowPerHour;
  private final long slowNanos;
  private final long slowStallNanos;
  private final long detectNanos;

  public PeerFailures(double crashPerHour, double slowPerHour, double slowSeconds,
      double slowStallMs, double detectSeconds) {
    if (!(crashPerHour >= 0 && crashPerHour <= 1000) || !(slowPerHour >= 0 && slowPerHour <= 1000)
        || !(slowSeconds >= 0 && slowSeconds <= 86_400) || !(slowStallMs >= 0 && slowStallMs <= 600_000)
        || !(detectSeconds >= 0 && detectSeconds <= 3600)) {
      throw new IllegalArgumentException("peer failure rates must be in [0, 1000] per hour, "
          + "slowSeconds in [0, 86400], slowStallMs in [0, 600000], detectSeconds in [0, 3600]");
    }
    this.crashPerHour = crashPerHour;
    this.slowPerHour = slowPerHour;
    this.slowNanos = (long) (slowSeconds * 1e9);
    this.slowStallNanos = (long) (slowStallMs * 1e6);
    this.detectNanos = (long) (detectSeconds * 1e9);
  }

  public static PeerFailures none() {
    return new PeerFailures(0, 0, 60, 2000, 10);
  }

  /** Nanoseconds from now to the next crash of an online peer; {@link Long#MAX_VALUE} if never. */
  public long nextCrashNanos(SplittableRandom rng) {
    return next(rng, crashPerHour);
  }

  /** Nanoseconds from now to the next slow spell of an online peer; {@link Long#MAX_VALUE} if never. */
  public long nextSlowNanos(SplittableRandom rng) {
    return next(rng, slowPerHour);
  }

  private static long next(SplittableRandom rng, double perHour) {
    if (perHour == 0) {
      return Long.MAX_VALUE;
    }
    double u = 1 - rng.nextDouble(); // (0, 1]
    double nanos = -StrictMath.log(u) / perHour * HOUR_NANOS;
    return nanos >= 1e18 ? Long.MAX_VALUE : Math.max(1, (long) nanos);
  }

  public double crashPerHour() {
    return crashPerHour;
  }

  public double slowPerHour() {
    return slowPerHour;
  }

  public long slowNanos() {
    return slowNanos;
  }

  public long slowStallNanos() {
    return slowStallNanos;
  }

  public long detectNanos() {
    return detectNanos;
  }
}
