package dev.chorus.simulator.workload;

import java.util.SplittableRandom;

/**
 * Peers coming and going: each peer alternates online sessions (the client running, able to serve)
 * and offline gaps, with lengths from configurable {@link Distribution}s. Offline gaps are drawn in
 * operational time and {@linkplain Diurnal#warp warped} by the daily curve, so peers come online
 * more often in the evening; online sessions are not warped.
 *
 * <p>At time 0 each peer starts in steady state ({@link #startsOnline}, {@link
 * #firstTransitionNanos}): online with probability {@code E[on] / (E[on] + E[off])}, with the
 * residual life of its current period, so that a million peers do not all join, or leave, together.
 * The per-peer state the engine keeps is one {@code boolean} and one {@code long} (the time of the
 * next transition).
 */
public final class Churn {
  private final Distribution online;
  private final Distribution offline;
  private final Diurnal diurnal;
  private final double onlineFraction;

  public Churn(Distribution online, Distribution offline, Diurnal diurnal) {
    this.online = online;
    this.offline = offline;
    this.diurnal = diurnal;
    this.onlineFraction = online.mean() / (online.mean() + offline.mean());
  }

  public static Churn of(WorkloadConfig c, Diurnal diurnal) {
    return new Churn(c.online(), c.offline(), diurnal);
  }

  /** The long-run share of time a peer is online. */
  public double onlineFraction() {
    return onlineFraction;
  }

  /** Whether a peer is online at time 0. */
  public boolean startsOnline(SplittableRandom rng) {
    return rng.nextDouble() < onlineFraction;
  }

  /** When a peer that is {@code online} at time 0 changes state for the first time. */
  public long firstTransitionNanos(SplittableRandom rng, boolean online) {
    if (online) {
      return Math.max(1, toNanos(this.online.sampleResidual(rng)));
    }
    return Math.max(1, diurnal.warp(0, toNanos(offline.sampleResidual(rng))));
  }

  /** When a peer that comes online at {@code nowNanos} goes offline. */
  public long onlineUntil(SplittableRandom rng, long nowNanos) {
    return nowNanos + Math.max(1, toNanos(online.sample(rng)));
  }

  /** When a peer that goes offline at {@code nowNanos} comes back. */
  public long offlineUntil(SplittableRandom rng, long nowNanos) {
    return Math.max(nowNanos + 1, diurnal.warp(nowNanos, toNanos(offline.sample(rng))));
  }

  private static long toNanos(double seconds) {
    double nanos = seconds * 1e9;
    return nanos >= Long.MAX_VALUE / 4.0 ? Long.MAX_VALUE / 4 : (long) nanos;
  }
}
