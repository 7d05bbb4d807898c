package dev.chorus.simulator.workload;

/**
 * One listener's position in a listening session: the current play and the one after it. Mutable
 * and meant to be reused — one per peer, or one per engine thread with the fields copied to and
 * from per-peer primitive arrays ({@link SessionModel#resume}) — so that the sampling path
 * allocates nothing. Filled by {@link SessionModel}.
 *
 * <p>A play is at most two segments of the track, in audio milliseconds: {@code [0,
 * seekFromMillis)} then, after a seek, {@code [seekToMillis, endMillis)}; without a seek it is
 * {@code [0, endMillis)} and {@code seekFromMillis == endMillis}, {@code seekToMillis == -1}. A
 * play that is not skipped ends at the track's end.
 */
public final class PlayCursor {
  /** The current track. */
  int track = -1;
  int durationMillis;
  /** Whether the current track followed the previous one in its album (false for the first). */
  boolean sequential;
  /**
   * Whether the current play replays a track of the listener's own history (a repeat); false for a
   * discovery and whenever the repeat model is off.
   */
  boolean repeat;
  /** Whether the listener leaves the current track before its end. */
  boolean skipped;
  int seekFromMillis;
  int seekToMillis = -1;
  int endMillis;
  /** 0 for the first play of the session. */
  int playIndex;
  int sessionPlays;
  /** The track after the current one in this session, or -1 if the current play is the last. */
  int nextTrack = -1;
  boolean nextSequential;
  /** Whether the next play is a repeat. */
  boolean nextRepeat;

  public int track() {
    return track;
  }

  public int durationMillis() {
    return durationMillis;
  }

  public boolean sequential() {
    return sequential;
  }

  public boolean repeat() {
    return repeat;
  }

  public boolean nextRepeat() {
    return nextRepeat;
  }

  public boolean skipped() {
    return skipped;
  }

  public boolean seeked() {
    return seekToMillis >= 0;
  }

  /** Where the listener seeks from, or {@link #endMillis} if the play has no seek. */
  public int seekFromMillis() {
    return seekFromMillis;
  }

  /** Where the listener seeks to, or -1 if the play has no seek. */
  public int seekToMillis() {
    return seekToMillis;
  }

  /** The audio position where the play ends (the track's duration unless skipped). */
  public int endMillis() {
    return endMillis;
  }

  /** The milliseconds of audio heard: the length of the one or two segments. */
  public int listenedMillis() {
    return seeked() ? seekFromMillis + (endMillis - seekToMillis) : endMillis;
  }

  public int playIndex() {
    return playIndex;
  }

  public int sessionPlays() {
    return sessionPlays;
  }

  /** Whether the current play is the session's last. */
  public boolean last() {
    return playIndex == sessionPlays - 1;
  }

  /** The next track of the session (known in advance, for prefetching), or -1. */
  public int nextTrack() {
    return nextTrack;
  }

  public boolean nextSequential() {
    return nextSequential;
  }

  @Override
  public String toString() {
    return "PlayCursor[track=" + track + ", play " + playIndex + "/" + sessionPlays
        + (sequential ? ", sequential" : ", random") + (repeat ? ", repeat" : "")
        + (skipped ? ", skipped" : "")
        + ", [0," + seekFromMillis + ")" + (seeked() ? "+[" + seekToMillis + "," + endMillis + ")" : "")
        + " of " + durationMillis + " ms, next=" + nextTrack + "]";
  }
}
