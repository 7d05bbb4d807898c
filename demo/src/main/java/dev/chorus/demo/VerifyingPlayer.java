package dev.chorus.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * A player on one node's stream endpoint, as any player uses it: {@code GET /tracks/<id>} over
 * HTTP, read at playback pace. It listens as the demo's {@link Listener} does (Zipf sessions,
 * sequential next tracks, skips) and checks every byte it receives against the published file:
 * a byte that differs is an unverified byte that reached a player. Each play ends in one {@link
 * Outcome}.
 */
final class VerifyingPlayer implements Runnable {
  /** Longer than the node's own 60 s limit for the next chunk, the stall and the origin outage. */
  static final int READ_TIMEOUT_MILLIS = 90_000;
  private static final int BUFFER_BYTES = 16 * 1024;

  /** How a play ended. */
  enum Outcome {
    /** Every byte up to the end (or the skip point) read and equal to the published file. */
    COMPLETE,
    /**
     * Its node was killed, down or restarting (the soak's doing) at some point of the play:
     * connection refused, reset or cut.
     */
    NODE_KILLED,
    /** The endpoint answered with an error status and a message (e.g. 502: origin unreachable). */
    HTTP_ERROR,
    /** The node ended the response early while it was up (it logs why; a player sees a short body). */
    CUT_BY_NODE,
    /** No byte for {@link #READ_TIMEOUT_MILLIS}: a hang, not a clear error. */
    HUNG,
    /** Anything else: not a clear error. */
    OTHER
  }

  private final int number;
  private final String baseUrl;
  private final List<DemoCatalog.Track> tracks;
  private final Map<dev.chorus.protocol.manifest.TrackId, byte[]> content;
  private final Zipf popularity;
  private final SplittableRandom random;
  private final double speed;
  private final long startAtNanos;
  private final long endAtNanos;
  /** The node's kills and restarts so far (a child node), or null for a node that is never killed. */
  private final IntSupplier kills;

  private final Map<Outcome, AtomicLong> outcomes = new EnumMap<>(Outcome.class);
  final AtomicLong bytesRead = new AtomicLong();
  final AtomicLong unverifiedBytes = new AtomicLong();
  final AtomicLong stutters = new AtomicLong();
  final AtomicLong playsStarted = new AtomicLong();
  /** When each complete play ended (nanoTime). */
  final ConcurrentLinkedQueue<Long> completedAt = new ConcurrentLinkedQueue<>();
  /** The first few error messages of each outcome, for the report. */
  final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();

  VerifyingPlayer(int number, String baseUrl, List<DemoCatalog.Track> tracks,
      Map<dev.chorus.protocol.manifest.TrackId, byte[]> content, Zipf popularity, SplittableRandom random,
      double speed, long startAtNanos, long endAtNanos, IntSupplier kills) {
    this.number = number;
    this.baseUrl = baseUrl;
    this.tracks = tracks;
    this.content = content;
    this.popularity = popularity;
    this.random = random;
    this.speed = speed;
    this.startAtNanos = startAtNanos;
    this.endAtNanos = endAtNanos;
    this.kills = kills;
    for (Outcome o : Outcome.values()) {
      outcomes.put(o, new AtomicLong());
    }
  }

  long outcome(Outcome o) {
    return outcomes.get(o).get();
  }

  @Override
  public void run() {
    try {
      sleepUntil(startAtNanos);
      while (running()) {
        int sessionTracks = Math.min(Listener.MAX_SESSION_TRACKS, 1 + geometric(Listener.MEAN_SESSION_TRACKS - 1));
        int current = popularity.sample(random);
        for (int i = 0; i < sessionTracks && running(); i++) {
          int next = random.nextDouble() < Listener.SEQUENTIAL_SHARE ? (current + 1) % tracks.size()
              : popularity.sample(random);
          double fraction = random.nextDouble() < Listener.SKIP_PROBABILITY ? 0.1 + 0.5 * random.nextDouble() : 1.0;
          play(tracks.get(current), fraction);
          current = next;
        }
        sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(2000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void play(DemoCatalog.Track track, double fraction) throws InterruptedException {
    byte[] expected = content.get(track.manifest().trackId());
    int killsBefore = kills == null ? 0 : kills.getAsInt();
    long position = 0;
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) new URL(baseUrl + "tracks/" + track.manifest().trackId().toHex()).openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(READ_TIMEOUT_MILLIS);
      // A connection per play: a kept-alive one to a node that was killed and restarted on the
      // same port would end at byte 0 on the next play, which is the player's doing, not the node's.
      c.setRequestProperty("Connection", "close");
      int status = c.getResponseCode();
      if (status != 200) {
        ended(Outcome.HTTP_ERROR, "HTTP " + status + ": " + body(c), killsBefore);
        return;
      }
      long limit = fraction >= 1 ? expected.length : (long) (expected.length * fraction);
      double bytesPerSecond = expected.length / (track.manifest().durationMillis() / 1000.0) * speed;
      double bytesPerNano = bytesPerSecond / 1e9;
      long ahead = (long) (bytesPerSecond / speed * Listener.READ_AHEAD_SECONDS);
      byte[] buffer = new byte[BUFFER_BYTES];
      long playheadOrigin = -1;
      try (InputStream in = c.getInputStream()) {
        while (position < limit) {
          if (!running()) {
            return; // the run ended mid-play: neither complete nor an error
          }
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - position));
          if (n < 0) {
            ended(Outcome.CUT_BY_NODE, "the response ended at byte " + position + " of " + expected.length,
                killsBefore);
            return;
          }
          for (int i = 0; i < n; i++) {
            if (buffer[i] != expected[(int) position + i]) {
              unverifiedBytes.incrementAndGet();
            }
          }
          long now = System.nanoTime();
          position += n;
          bytesRead.addAndGet(n);
          if (playheadOrigin < 0) {
            playheadOrigin = now;
            playsStarted.incrementAndGet();
          }
          long playhead = (long) ((now - playheadOrigin) * bytesPerNano);
          if (playhead > position) { // the buffer ran dry: the player waited here
            stutters.incrementAndGet();
            playheadOrigin = now - (long) (position / bytesPerNano);
          }
          sleepUntil(Math.min(playheadOrigin + (long) ((position - ahead) / bytesPerNano), endAtNanos));
        }
      }
      completedAt.add(System.nanoTime());
      outcomes.get(Outcome.COMPLETE).incrementAndGet();
    } catch (SocketTimeoutException e) {
      ended(Outcome.HUNG, "no byte for " + READ_TIMEOUT_MILLIS / 1000 + " s at byte " + position, killsBefore);
    } catch (ConnectException e) {
      ended(Outcome.HTTP_ERROR, "connection refused: " + e.getMessage(), killsBefore);
      sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
    } catch (IOException e) {
      ended(Outcome.CUT_BY_NODE, e.toString() + " at byte " + position, killsBefore);
    } catch (RuntimeException e) {
      ended(Outcome.OTHER, e.toString(), killsBefore);
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  /** An ended play that did not complete; a play its node's kill cut short counts as {@code NODE_KILLED}. */
  private void ended(Outcome outcome, String detail, int killsBefore) {
    if (!running()) {
      return;
    }
    boolean killed = kills != null && (kills.getAsInt() != killsBefore || outcome == Outcome.HTTP_ERROR
        && detail.startsWith("connection refused"));
    Outcome o = killed && outcome != Outcome.HUNG ? Outcome.NODE_KILLED : outcome;
    if (outcomes.get(o).incrementAndGet() <= 3) { // the first few of each kind
      errorSamples.add("player " + number + ": " + o + ": " + detail);
    }
  }

  private static String body(HttpURLConnection c) {
    try (InputStream err = c.getErrorStream()) {
      if (err == null) {
        return "(no body)";
      }
      String text = new String(err.readNBytes(300), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "(empty body)" : text;
    } catch (IOException e) {
      return "(body unreadable: " + e + ")";
    }
  }

  private boolean running() {
    return System.nanoTime() < endAtNanos && !Thread.currentThread().isInterrupted();
  }

  private int geometric(int mean) {
    double p = 1.0 / (mean + 1);
    return (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - p));
  }

  private void sleepUntil(long deadlineNanos) throws InterruptedException {
    while (true) {
      long left = Math.min(deadlineNanos, endAtNanos) - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
    }
  }
}
