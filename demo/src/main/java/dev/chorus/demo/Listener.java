package dev.chorus.demo;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.TrackStream;
import dev.chorus.protocol.manifest.TrackId;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One user listening through one node: sessions of several tracks, the first track of a session
 * and 39% of the following ones drawn by Zipf popularity, the other 61% the next track of the
 * catalog (Spotify's sequential share); some tracks are skipped partway. Reads are paced like a
 * player's: {@link #READ_AHEAD_SECONDS} of audio ahead of a playhead moving at {@code speed} ×
 * real time, which stops while the player waits for data. The track after the current one is
 * queued with the node so that it prefetches it.
 */
final class Listener implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Listener.class);
  static final double SEQUENTIAL_SHARE = 0.61;
  static final double SKIP_PROBABILITY = 0.3;
  static final int MEAN_SESSION_TRACKS = 4;
  static final int MAX_SESSION_TRACKS = 10;
  static final double READ_AHEAD_SECONDS = 2;
  private static final int BUFFER_BYTES = 16 * 1024;

  private final int number;
  private final NodeLife life;
  private final List<DemoCatalog.Track> tracks;
  private final Zipf popularity;
  private final SplittableRandom random;
  private final double speed;
  private final long startAtNanos;
  private final long endAtNanos;
  private final AtomicBoolean stop;

  private final AtomicLong bytesPlayed = new AtomicLong();
  private final AtomicLong plays = new AtomicLong();
  private final AtomicLong playsStarted = new AtomicLong();
  private final AtomicLong skips = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();

  Listener(int number, NodeLife life, List<DemoCatalog.Track> tracks, Zipf popularity, SplittableRandom random,
      double speed, long startAtNanos, long endAtNanos, AtomicBoolean stop) {
    this.number = number;
    this.life = life;
    this.tracks = tracks;
    this.popularity = popularity;
    this.random = random;
    this.speed = speed;
    this.startAtNanos = startAtNanos;
    this.endAtNanos = endAtNanos;
    this.stop = stop;
  }

  long bytesPlayed() {
    return bytesPlayed.get();
  }

  long plays() {
    return plays.get();
  }

  /** Plays that read at least one byte (the node counts the same as its playbacks). */
  long playsStarted() {
    return playsStarted.get();
  }

  long skips() {
    return skips.get();
  }

  long errors() {
    return errors.get();
  }

  @Override
  public void run() {
    try {
      sleepUntil(startAtNanos);
      while (running()) {
        ChorusNode node = life.current();
        if (node == null) { // the node left (churn): nothing plays until it is back
          sleepUntil(life.nextTransitionNanos());
          continue;
        }
        int sessionTracks = Math.min(MAX_SESSION_TRACKS, 1 + geometric(MEAN_SESSION_TRACKS - 1));
        int current = popularity.sample(random);
        for (int i = 0; i < sessionTracks && running() && !life.due(System.nanoTime()); i++) {
          int next = random.nextDouble() < SEQUENTIAL_SHARE
              ? (current + 1) % tracks.size()
              : popularity.sample(random);
          boolean last = i == sessionTracks - 1;
          double fraction = random.nextDouble() < SKIP_PROBABILITY ? 0.1 + 0.5 * random.nextDouble() : 1.0;
          play(node, tracks.get(current), last ? null : tracks.get(next).manifest().trackId(), fraction);
          current = next;
        }
        // A break between sessions: 1 to 5 s of real time.
        sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000 + random.nextInt(4000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean running() {
    return !stop.get() && System.nanoTime() < endAtNanos && !Thread.currentThread().isInterrupted();
  }

  private int geometric(int mean) {
    double p = 1.0 / (mean + 1);
    return (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - p));
  }

  private void play(ChorusNode node, DemoCatalog.Track track, TrackId next, double fraction) throws InterruptedException {
    TrackId id = track.manifest().trackId();
    try (TrackStream in = node.open(id)) {
      if (next != null) {
        node.queueNext(next);
      }
      plays.incrementAndGet();
      long limit = fraction >= 1 ? in.length() : (long) (in.length() * fraction);
      double bytesPerSecond = in.length() / (in.manifest().durationMillis() / 1000.0) * speed;
      double bytesPerNano = bytesPerSecond / 1e9;
      long ahead = (long) (bytesPerSecond / speed * READ_AHEAD_SECONDS);
      byte[] buffer = new byte[BUFFER_BYTES];
      long position = 0;
      long playheadOrigin = -1; // when the playhead was at byte 0, moved on by stalls
      // A leave that falls due ends the play (the stream closes before the node does).
      while (position < limit && running() && !life.due(System.nanoTime())) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - position));
        if (n < 0) {
          break;
        }
        long now = System.nanoTime();
        position += n;
        bytesPlayed.addAndGet(n);
        if (playheadOrigin < 0) {
          playheadOrigin = now;
          playsStarted.incrementAndGet();
        }
        long playhead = (long) ((now - playheadOrigin) * bytesPerNano);
        if (playhead > position) { // the buffer ran dry: the playhead waited here
          playheadOrigin = now - (long) (position / bytesPerNano);
        }
        long wakeAt = playheadOrigin + (long) ((position - ahead) / bytesPerNano);
        sleepWithin(Math.min(wakeAt, endAtNanos));
      }
      if (fraction < 1 && position >= limit) {
        skips.incrementAndGet();
      }
    } catch (IOException e) {
      if (running() && life.isCurrent(node)) { // not when the node left mid-play (churn)
        errors.incrementAndGet();
        log.warn("listener {}: {} failed: {}", number, track.title(), e.getMessage());
        sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
      }
    }
  }

  /** Sleeps until the deadline (or the end), making the node's churn transitions that fall due meanwhile. */
  private void sleepUntil(long deadlineNanos) throws InterruptedException {
    while (true) {
      long now = System.nanoTime();
      if (life.due(now) && !stop.get() && now < endAtNanos) {
        try {
          life.transitionIfDue(now);
        } catch (IOException e) {
          errors.incrementAndGet();
          log.warn("listener {}: its node did not start again: {}", number, e.getMessage());
        }
      }
      long left = Math.min(deadlineNanos, endAtNanos) - now;
      if (left <= 0 || stop.get()) {
        return;
      }
      long untilTransition = Math.max(0, life.nextTransitionNanos() - now);
      TimeUnit.NANOSECONDS.sleep(Math.min(Math.min(left, untilTransition), TimeUnit.MILLISECONDS.toNanos(200)));
    }
  }

  /** Sleeps until the deadline (or the end) while a stream is open: wakes when a transition falls due. */
  private void sleepWithin(long deadlineNanos) throws InterruptedException {
    while (true) {
      long now = System.nanoTime();
      long left = Math.min(Math.min(deadlineNanos, endAtNanos), life.nextTransitionNanos()) - now;
      if (left <= 0 || stop.get()) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
    }
  }
}
