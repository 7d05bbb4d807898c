package dev.chorus.simulator.workload;

import java.util.SplittableRandom;

/**
 * Listening sessions: a number of plays, each next track in sequence (the next track of the same
 * album or playlist) or by random access (drawn by popularity), each play possibly skipped and
 * possibly containing a seek.
 *
 * <ul>
 *   <li><b>Plays per session</b>: {@code 1 + G}, {@code G} geometric on {0, 1, …} with mean {@code
 *       meanPlays − 1}, truncated at {@code maxPlays}.
 *   <li><b>Sequence</b>: the first play of a session is a random access; each following play is
 *       sequential with a per-transition probability {@code q = sequentialShare · E[N] / (E[N] −
 *       1)}, so that {@code sequentialShare} of <i>all</i> plays are sequential, as Spotify measured
 *       ("61% of playbacks occur in a predictable sequence; 39% by random access"). With the
 *       defaults (E[N] = 5) {@code q ≈ 0.76}.
 *   <li><b>Skips</b>: a play is skipped with probability {@code skipProbability}; the listener then
 *       leaves after hearing a budget of audio that is uniform on {@code [0, skipEarlySeconds)} with
 *       probability {@code skipEarlyShare} and uniform on the whole track otherwise.
 *   <li><b>Seeks</b>: with probability {@code seekProbability} a play contains one seek, from a
 *       position uniform over what the listener would hear, to a target uniform after it (with
 *       probability {@code seekForwardShare}) or before it. A skipped play keeps its listening
 *       budget across the seek.
 *   <li><b>Repeats</b> (when {@code session.repeatShare} is not "off"): with probability {@code
 *       repeatShare} a play replays a track of the listener's own latest plays ({@link
 *       RepeatMemory}; never sequential), else it is chosen as above (a discovery). Only a repeat
 *       stands for a track the listener played before; see docs/workload.md, "Repeats".
 * </ul>
 *
 * <p>The next track is drawn when the current play starts, so a node can prefetch it. State lives in
 * a reusable {@link PlayCursor}; nothing allocates.
 */
public final class SessionModel {
  private final Catalogue catalogue;
  private final ZipfPopularity popularity;
  private final double meanPlays;
  private final int maxPlays;
  private final double geometricLog; // log(1 - 1/meanPlays), or 0 when meanPlays == 1
  private final double transitionSequential;
  private final double skipProbability;
  private final double skipEarlyShare;
  private final double skipEarlyMillis;
  private final double seekProbability;
  private final double seekForwardShare;
  private final double gapMeanNanos;
  private final double repeatShare; // NaN: off

  public SessionModel(WorkloadConfig config, Catalogue catalogue, ZipfPopularity popularity) {
    if (popularity.size() != catalogue.size()) {
      throw new IllegalArgumentException("popularity covers " + popularity.size()
          + " tracks, the catalogue " + catalogue.size());
    }
    this.catalogue = catalogue;
    this.popularity = popularity;
    this.meanPlays = config.meanPlays();
    this.maxPlays = config.maxPlays();
    this.geometricLog = meanPlays > 1 ? StrictMath.log1p(-1 / meanPlays) : 0;
    double expected = expectedPlays(meanPlays, maxPlays);
    this.transitionSequential = expected > 1
        ? Math.min(1, config.sequentialShare() * expected / (expected - 1))
        : 0;
    this.skipProbability = config.skipProbability();
    this.skipEarlyShare = config.skipEarlyShare();
    this.skipEarlyMillis = config.skipEarlySeconds() * 1000;
    this.seekProbability = config.seekProbability();
    this.seekForwardShare = config.seekForwardShare();
    this.gapMeanNanos = config.sessionGapMeanSeconds() * 1e9;
    this.repeatShare = config.repeatShare();
  }

  /** Whether plays are repeats or discoveries ({@code session.repeatShare} is not "off"). */
  public boolean repeatsOn() {
    return !Double.isNaN(repeatShare);
  }

  /** {@code E[min(1 + G, maxPlays)]} for {@code G} geometric with mean {@code meanPlays − 1}. */
  public static double expectedPlays(double meanPlays, int maxPlays) {
    if (meanPlays <= 1) {
      return 1;
    }
    double p = 1 / meanPlays;
    return -StrictMath.expm1(maxPlays * StrictMath.log1p(-p)) / p;
  }

  /** The expected number of plays of a session, after truncation. */
  public double expectedPlays() {
    return expectedPlays(meanPlays, maxPlays);
  }

  /** The probability that a play other than a session's first follows its predecessor. */
  public double transitionSequentialProbability() {
    return transitionSequential;
  }

  public Catalogue catalogue() {
    return catalogue;
  }

  public ZipfPopularity popularity() {
    return popularity;
  }

  /** A number of plays for a new session, in {@code [1, maxPlays]}. */
  public int samplePlays(SplittableRandom rng) {
    if (geometricLog == 0) {
      return 1;
    }
    double g = StrictMath.floor(StrictMath.log(RandomMath.uniformOpenClosed(rng)) / geometricLog);
    return g >= maxPlays - 1 ? maxPlays : 1 + (int) g;
  }

  /** The idle time between the end of one session and the start of the next, while online. */
  public long sampleGapNanos(SplittableRandom rng) {
    return (long) RandomMath.exponential(rng, gapMeanNanos);
  }

  /** Starts a session in {@code c}: its first play (a random access) and the track after it. */
  public void startSession(SplittableRandom rng, PlayCursor c) {
    startSession(rng, c, null, -1);
  }

  /**
   * Starts a session of {@code listener}, whose plays {@code memory} keeps (null: no repeats): its
   * first play, a repeat or a random access, and the track after it.
   */
  public void startSession(SplittableRandom rng, PlayCursor c, RepeatMemory memory, int listener) {
    c.sessionPlays = samplePlays(rng);
    c.playIndex = 0;
    int repeat = drawRepeat(rng, memory, listener);
    c.repeat = repeat >= 0;
    c.track = c.repeat ? repeat : popularity.sampleTrack(rng);
    c.sequential = false;
    remember(memory, listener, c.track);
    shapePlay(rng, c);
    drawNext(rng, c, memory, listener);
  }

  /**
   * Moves {@code c} to the next play of its session. Returns {@code false}, leaving {@code c}
   * unchanged, if the current play was the session's last.
   */
  public boolean advance(SplittableRandom rng, PlayCursor c) {
    return advance(rng, c, null, -1);
  }

  /** {@link #advance(SplittableRandom, PlayCursor)} for {@code listener}, with repeats from {@code memory}. */
  public boolean advance(SplittableRandom rng, PlayCursor c, RepeatMemory memory, int listener) {
    if (c.nextTrack < 0) {
      return false;
    }
    c.playIndex++;
    c.track = c.nextTrack;
    c.sequential = c.nextSequential;
    c.repeat = c.nextRepeat;
    remember(memory, listener, c.track);
    shapePlay(rng, c);
    drawNext(rng, c, memory, listener);
    return true;
  }

  /**
   * A repeat's track, or -1 for a discovery. Draws nothing unless repeats are on with a share
   * above 0 and the listener has played something, so that "off" and a share of 0 leave the random
   * stream, hence every track, as it was.
   */
  private int drawRepeat(SplittableRandom rng, RepeatMemory memory, int listener) {
    if (memory == null || !(repeatShare > 0) || memory.size(listener) == 0
        || rng.nextDouble() >= repeatShare) {
      return -1;
    }
    return memory.pick(listener, rng);
  }

  private void remember(RepeatMemory memory, int listener, int track) {
    if (memory != null && repeatsOn()) {
      memory.record(listener, track);
    }
  }

  /**
   * Restores the part of a session that {@link #advance} needs, e.g. from per-peer primitive arrays:
   * the track to play next ({@code -1} if none), whether it is sequential, and the index and number
   * of plays of the current play's session.
   */
  public static void resume(PlayCursor c, int nextTrack, boolean nextSequential, int playIndex,
      int sessionPlays) {
    c.nextTrack = nextTrack;
    c.nextSequential = nextSequential;
    c.nextRepeat = false; // the arrays keep no repeat flag: a resumed next play is a discovery
    c.playIndex = playIndex;
    c.sessionPlays = sessionPlays;
  }

  private void drawNext(SplittableRandom rng, PlayCursor c, RepeatMemory memory, int listener) {
    c.nextRepeat = false;
    int repeat;
    if (c.playIndex + 1 >= c.sessionPlays) {
      c.nextTrack = -1;
      c.nextSequential = false;
    } else if ((repeat = drawRepeat(rng, memory, listener)) >= 0) {
      c.nextTrack = repeat;
      c.nextSequential = false;
      c.nextRepeat = true;
    } else if (rng.nextDouble() < transitionSequential) {
      c.nextTrack = catalogue.nextInAlbum(c.track);
      c.nextSequential = true;
    } else {
      c.nextTrack = popularity.sampleTrack(rng);
      c.nextSequential = false;
    }
  }

  private void shapePlay(SplittableRandom rng, PlayCursor c) {
    int d = catalogue.durationMillis(c.track);
    c.durationMillis = d;
    c.skipped = rng.nextDouble() < skipProbability;
    int budget = d; // audio the listener will hear if it does not seek
    if (c.skipped) {
      double span = rng.nextDouble() < skipEarlyShare ? Math.min(skipEarlyMillis, d) : d;
      budget = (int) (rng.nextDouble() * span);
    }
    if (rng.nextDouble() < seekProbability) {
      int from = (int) (rng.nextDouble() * budget);
      int to = rng.nextDouble() < seekForwardShare
          ? from + (int) (rng.nextDouble() * (d - from))
          : (int) (rng.nextDouble() * from);
      c.seekFromMillis = from;
      c.seekToMillis = to;
      c.endMillis = c.skipped ? Math.min(d, to + (budget - from)) : d;
    } else {
      c.seekFromMillis = budget;
      c.seekToMillis = -1;
      c.endMillis = budget;
    }
  }
}
