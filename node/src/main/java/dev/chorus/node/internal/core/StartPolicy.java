package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;
import java.util.BitSet;

/**
 * When a play has enough buffered to start without stutter, and when a play that ran dry may go
 * on. Pure: the caller passes the time and what is held; the node's player side ({@code Playback})
 * and the simulator's player ({@code SimPeer}) ask the same question of this class, so a start
 * latency means the same in both: from the moment the track was asked for to the moment this
 * class first says ready.
 *
 * <p>Design. Kreitz and Niemelä (Spotify, IEEE P2P 2010) describe the client's play-start decision
 * as a trade-off between start latency and stutter: the client looks at the transfer rates it
 * measured recently, models them (a Markov chain it simulates, plus heuristics) and starts once
 * playback is unlikely to catch up with the download (papers/sources.md §3). The details of their
 * model are not published; this is a deterministic version of the same idea:
 *
 * <ul>
 *   <li>{@code b}: the bytes buffered contiguously from the playhead (chunk-aligned, as held);
 *   <li>{@code r}: the bytes of the track still to play, from the playhead to the end, and {@code
 *       T} their playback time at the track's average bitrate;
 *   <li>{@code R}: the download rate measured for this play: bytes of the track that arrived in the
 *       last {@link SwarmConfig#startRateWindowNanos()} (or since the play began, if sooner),
 *       divided by that time. It includes the first request's round trip, so it starts low.
 * </ul>
 *
 * <p>With downloads arriving in playback order at rate {@code R}, playback never catches up with
 * them if {@code b + R·t ≥ bitrate·t} for every {@code t ≤ T}; the left side minus the right is
 * linear in {@code t}, so it is enough that it holds at {@code t = T}: {@code b + R·T ≥ r}. The
 * policy says ready when
 *
 * <pre>
 *   b ≥ min(r, minimum buffer)  and  b > 0  and  b + (1 − margin)·R·T ≥ r
 * </pre>
 *
 * The minimum buffer ({@link SwarmConfig#startBufferNanos()} of audio) covers the jitter of the
 * next few chunks, which an average rate says nothing about; the margin ({@link
 * SwarmConfig#startRateMarginPercent()}) discounts the measured rate for its variance. A play
 * that ran dry (the playhead reached a chunk not held) resumes when the same condition holds
 * again, with the rate measured then: a slow source makes the player wait once, long enough,
 * rather than stutter at every chunk. A cached track is ready at once ({@code b = r}).
 *
 * <p>What it leaves out: chunks arriving out of order (the scheduler fetches the most urgent
 * first, so the error is small), rates that change after the decision (the margin and the
 * re-check after a stall absorb some of it), and the decoder's and audio device's own start-up,
 * which are the player's, not the node's.
 */
public final class StartPolicy {
  private final long minBufferNanos;
  private final double rateShare;
  private final long rateWindowNanos;

  /**
   * @param minBufferNanos audio that must be buffered before a start (less near the end), ≥ 0
   * @param marginPercent share of the measured rate not counted on, in [0, 99]
   * @param rateWindowNanos how far back the rate is measured, > 0
   */
  public StartPolicy(long minBufferNanos, int marginPercent, long rateWindowNanos) {
    if (minBufferNanos < 0 || marginPercent < 0 || marginPercent > 99 || rateWindowNanos <= 0) {
      throw new IllegalArgumentException("start policy: minimum buffer must be ≥ 0 ns (was " + minBufferNanos
          + "), margin in [0, 99] % (was " + marginPercent + "), rate window > 0 ns (was " + rateWindowNanos + ")");
    }
    this.minBufferNanos = minBufferNanos;
    this.rateShare = (100 - marginPercent) / 100.0;
    this.rateWindowNanos = rateWindowNanos;
  }

  /** The policy with the swarm configuration's start parameters. */
  public static StartPolicy of(SwarmConfig config) {
    return new StartPolicy(config.startBufferNanos(), config.startRateMarginPercent(),
        config.startRateWindowNanos());
  }

  /**
   * Whether a play at {@code playheadBytes}, with chunks held contiguously up to {@code
   * bufferedEndBytes} and a measured download rate of {@code bytesPerSecond}, can play to the end
   * without running dry.
   */
  public boolean ready(TrackLayout layout, long playheadBytes, long bufferedEndBytes, double bytesPerSecond) {
    long remaining = layout.sizeBytes() - Math.max(0, playheadBytes);
    if (remaining <= 0) {
      return true;
    }
    long buffered = Math.max(0, Math.min(bufferedEndBytes, layout.sizeBytes()) - playheadBytes);
    if (buffered >= remaining) {
      return true;
    }
    if (buffered == 0 || buffered < Math.min(remaining, layout.bytesOf(minBufferNanos))) {
      return false;
    }
    double deliverable = rateShare * Math.max(0, bytesPerSecond) * (layout.nanosOf(remaining) / 1e9);
    return buffered + deliverable >= remaining;
  }

  /** Bytes of the chunks in {@code held} (the last chunk may be short): what {@link Play#observe} takes. */
  public static long heldBytes(TrackLayout layout, BitSet held) {
    int count = held.cardinality();
    if (count == 0) {
      return 0;
    }
    int last = layout.chunkCount() - 1;
    long bytes = (long) count * layout.chunkBytes();
    return held.get(last) ? bytes - layout.chunkBytes() + layout.chunkLength(last) : bytes;
  }

  /** A new play of {@code layout}, begun at {@code nowNanos} with {@code heldBytes} of it held. */
  public Play begin(TrackLayout layout, long heldBytes, long nowNanos) {
    return new Play(layout, heldBytes, nowNanos);
  }

  /**
   * One play: its download rate, measured from how many bytes of the track are held at the times
   * the caller looks ({@link #observe}, at least whenever something arrived), and the policy's
   * answer for it. Memory: one sample per change in the bytes held within the rate window, so at
   * most the track's chunk count.
   */
  public final class Play {
    private final TrackLayout layout;
    private final long begunAtNanos;
    private long[] times = new long[16];
    private long[] held = new long[16];
    private int first;
    private int size;

    private Play(TrackLayout layout, long heldBytes, long nowNanos) {
      this.layout = layout;
      this.begunAtNanos = nowNanos;
      times[0] = nowNanos;
      held[0] = heldBytes;
      size = 1;
    }

    public TrackLayout layout() {
      return layout;
    }

    /** {@code heldBytes} of the track are held at {@code nowNanos} (time never goes back). */
    public void observe(long nowNanos, long heldBytes) {
      int last = index(size - 1);
      if (held[last] == heldBytes) {
        return;
      }
      if (times[last] == nowNanos && size > 1) {
        held[last] = heldBytes;
      } else {
        if (size == times.length) {
          grow();
        }
        times[index(size)] = nowNanos;
        held[index(size)] = heldBytes;
        size++;
      }
      forgetBefore(nowNanos - rateWindowNanos);
    }

    /** The rate measured at {@code nowNanos}, in bytes per second; 0 at the moment the play began. */
    public double bytesPerSecond(long nowNanos) {
      long windowStart = Math.max(begunAtNanos, nowNanos - rateWindowNanos);
      long elapsed = nowNanos - windowStart;
      if (elapsed <= 0) {
        return 0;
      }
      forgetBefore(windowStart);
      long base = held[first];
      long latest = held[index(size - 1)];
      return Math.max(0, latest - base) * 1e9 / elapsed;
    }

    /** The policy's answer now: see the class comment. */
    public boolean ready(long nowNanos, long playheadBytes, long bufferedEndBytes) {
      return StartPolicy.this.ready(layout, playheadBytes, bufferedEndBytes, bytesPerSecond(nowNanos));
    }

    /** Drops samples before {@code t}, keeping the last one at or before it: what was held at {@code t}. */
    private void forgetBefore(long t) {
      while (size >= 2 && times[index(1)] <= t) {
        first = index(1);
        size--;
      }
    }

    private int index(int i) {
      return (first + i) % times.length;
    }

    private void grow() {
      long[] t = new long[times.length * 2];
      long[] h = new long[times.length * 2];
      for (int i = 0; i < size; i++) {
        t[i] = times[index(i)];
        h[i] = held[index(i)];
      }
      times = t;
      held = h;
      first = 0;
    }
  }
}
