package dev.chorus.simulator.cli;

import dev.chorus.simulator.scenario.SimulationProgress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Progress of all replications on stderr: percent of simulated time (over every replication),
 * simulated hh:mm, events, events per second and an ETA. On a terminal one line is redrawn with
 * {@code \r} at most four times a second; otherwise (a log, a pipe) a plain line is printed each
 * time another 10% is done. Replications report on their own threads; they only store numbers,
 * and whichever thread is due draws.
 */
final class ProgressBar {
  private static final long REDRAW_NANOS = 250_000_000L;
  /** How often a report looks at the whole picture; reports in between only store numbers. */
  private static final long CHECK_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final int replications;
  private final boolean terminal;
  private final boolean quiet;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private final AtomicLongArray simNanos;
  private final AtomicLongArray events;
  private volatile long durationNanos = 1;
  private long lastDrawNanos;
  private volatile long lastCheckNanos;
  private int lastDecile;
  private int lineWidth;

  ProgressBar(PrintWriter err, int replications, boolean terminal, boolean quiet, LongSupplier nanoTime) {
    this.err = err;
    this.replications = replications;
    this.terminal = terminal;
    this.quiet = quiet;
    this.nanoTime = nanoTime;
    this.startNanos = nanoTime.getAsLong();
    this.simNanos = new AtomicLongArray(replications);
    this.events = new AtomicLongArray(replications);
    this.lastDrawNanos = startNanos;
    this.lastCheckNanos = startNanos;
  }

  SimulationProgress forReplication(int r) {
    return (sim, duration, ev) -> {
      durationNanos = Math.max(1, duration);
      simNanos.set(r, Math.min(sim, duration));
      events.set(r, ev);
      maybeDraw();
    };
  }

  private void maybeDraw() {
    if (quiet) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (now - lastCheckNanos < CHECK_NANOS) {
      return; // the common case: no lock, so that frequent reports from many threads stay cheap
    }
    synchronized (this) {
      if (now - lastCheckNanos < CHECK_NANOS) {
        return;
      }
      lastCheckNanos = now;
      double f = fraction();
      if (terminal) {
        if (now - lastDrawNanos >= REDRAW_NANOS) {
          lastDrawNanos = now;
          redraw(line(f, now));
        }
      } else {
        int decile = (int) Math.floor(f * 10 + 1e-9);
        if (decile > lastDecile) {
          lastDecile = decile;
          err.println(line(f, now));
          err.flush();
        }
      }
    }
  }

  /** Draws the final state and ends the line. */
  synchronized void finish() {
    if (quiet) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (terminal) {
      redraw(line(fraction(), now));
      err.println();
      err.flush();
    } else if (lastDecile < 10 && fraction() >= 1) {
      lastDecile = 10;
      err.println(line(1, now));
      err.flush();
    }
  }

  private void redraw(String line) {
    // Pad with spaces over what a longer previous line left behind.
    StringBuilder sb = new StringBuilder("\r").append(line);
    for (int i = line.length(); i < lineWidth; i++) {
      sb.append(' ');
    }
    lineWidth = line.length();
    err.print(sb);
    err.flush();
  }

  private double fraction() {
    double sum = 0;
    for (int r = 0; r < replications; r++) {
      sum += (double) simNanos.get(r) / durationNanos;
    }
    return Math.min(1, sum / replications);
  }

  String line(double f, long now) {
    long totalEvents = 0;
    int done = 0;
    for (int r = 0; r < replications; r++) {
      totalEvents += events.get(r);
      done += simNanos.get(r) >= durationNanos ? 1 : 0;
    }
    double elapsed = (now - startNanos) / 1e9;
    double rate = elapsed > 0 ? totalEvents / elapsed : 0;
    String eta = f > 0 && f < 1 ? seconds(elapsed * (1 - f) / f) : f >= 1 ? "0s" : "--";
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%5.1f%%  sim %s / %s  events %,d  %,.0f ev/s  ETA %s", f * 100,
        hhmm((long) (f * durationNanos)), hhmm(durationNanos), totalEvents, rate, eta));
    if (replications > 1) {
      sb.append(String.format(Locale.ROOT, "  replications done %d/%d", done, replications));
    }
    return sb.toString();
  }

  static String hhmm(long nanos) {
    long minutes = nanos / 60_000_000_000L;
    return String.format(Locale.ROOT, "%02d:%02d", minutes / 60, minutes % 60);
  }

  static String seconds(double s) {
    long t = Math.round(s);
    if (t >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", t / 3600, t % 3600 / 60);
    }
    if (t >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
    return t + "s";
  }
}
