package dev.chorus.node;

import dev.chorus.node.internal.core.StartPolicy;
import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.node.internal.core.TrackLayout;
import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The player's side: {@link TrackStream}s reading a track's verified bytes in order, and the
 * playhead each one implies. A stream is ready to play when the core's {@link StartPolicy} says
 * the buffer and the measured download rate will carry playback to the end (asked at every arrival
 * while a reader waits in {@link #awaitReady}); the chunk under the read position is then read and
 * verified, and the play starts: the start latency is from {@code open} to that moment. A player
 * reads ahead of what it plays, so the read position is not the playhead; the playhead is
 * modelled as real-time playback from the moment the stream became ready (or ready again after a
 * seek), paused while the reader waits for data, and never ahead of what was read. The core is
 * told where it is (deadlines follow from it). A wait with the playhead at the read position is a
 * stutter, and the reader is then held until the policy says ready again. Readers block on their
 * own threads; the core is only ever reached through {@link CoreLoop#post}.
 */
final class Playback {
  private static final long READ_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long MANIFEST_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final CoreLoop loop;
  private final ReceivedChunks received;
  private final ChunkStore store;
  private final NodeStatsRecorder stats;
  private final NodeListener listener;
  private final String origins;
  private final StartPolicy startPolicy;
  private final Map<TrackStream, StreamState> streams = new IdentityHashMap<>();
  private volatile StreamState current;
  /** The stream opened last, open or closed: what the node's page shows. */
  private volatile StreamState shown;

  /** Per-stream bookkeeping; see the class comment. */
  private static final class StreamState {
    final TrackStream stream;
    final long openedAtNanos;
    final PlayedBytesLedger.Play play;
    final double bytesPerNano;
    final StartPolicy.Play start;
    /** When the stream first became ready to play; -1 before. */
    long startedAtNanos = -1;
    long originNanos = -1;
    long originOffset;
    long stalledNanos;
    volatile long readPosition;

    StreamState(TrackStream stream, long openedAtNanos, PlayedBytesLedger.Play play, StartPolicy.Play start) {
      this.stream = stream;
      this.openedAtNanos = openedAtNanos;
      this.play = play;
      this.start = start;
      TrackManifest m = stream.manifest();
      this.bytesPerNano = (double) m.sizeBytes() / (m.durationMillis() * 1_000_000.0);
    }

    synchronized long playhead(long now) {
      if (originNanos < 0) {
        return originOffset;
      }
      long played = originOffset + (long) ((now - originNanos - stalledNanos) * bytesPerNano);
      return Math.max(originOffset, Math.min(readPosition, played));
    }

    /** A seek: the playhead waits at {@code offset} until the stream is ready again. */
    synchronized void restart(long offset) {
      originOffset = offset;
      originNanos = -1;
      stalledNanos = 0;
      readPosition = offset;
    }

    /** Ready to play: the playhead runs from the read position (a first start, or after a seek). */
    synchronized void running(long now) {
      if (originNanos < 0) {
        originNanos = now;
        originOffset = readPosition;
      }
    }

    synchronized boolean started() {
      return startedAtNanos >= 0;
    }

    synchronized void stalled(long nanos) {
      stalledNanos += nanos;
    }

    /** Whether the policy says ready now; {@code held} is what the node holds of the track. */
    synchronized boolean policyReady(long now, long position, BitSet held) {
      TrackLayout layout = start.layout();
      start.observe(now, StartPolicy.heldBytes(layout, held));
      int from = layout.chunkAt(position);
      int missing = held.nextClearBit(from);
      long bufferedEnd = missing >= layout.chunkCount() ? layout.sizeBytes() : layout.chunkOffset(missing);
      return start.ready(now, position, bufferedEnd);
    }
  }

  Playback(CoreLoop loop, ReceivedChunks received, ChunkStore store, NodeStatsRecorder stats,
      NodeListener listener, String origins, StartPolicy startPolicy) {
    this.loop = loop;
    this.startPolicy = startPolicy;
    this.received = received;
    this.store = store;
    this.stats = stats;
    this.listener = listener;
    this.origins = origins;
  }

  TrackStream open(TrackId trackId) throws IOException {
    long opened = loop.now();
    received.retry(trackId);
    loop.post(core -> core.play(trackId, loop.now()));
    store.touch(trackId);
    store.playing(trackId);
    TrackManifest manifest = received.awaitManifest(trackId, MANIFEST_TIMEOUT_NANOS, origins);
    TrackStream stream = new TrackStream(trackId, manifest, this);
    stats.chunkSources().playing(trackId);
    TrackLayout layout = TrackLayout.of(manifest);
    StartPolicy.Play start = startPolicy.begin(layout, StartPolicy.heldBytes(layout, received.held(trackId)), opened);
    StreamState st = new StreamState(stream, opened, stats.ledger().open(trackId), start);
    synchronized (streams) {
      streams.put(stream, st);
    }
    current = st;
    shown = st;
    return stream;
  }

  /**
   * Blocks until the stream is ready to play from its read position (see the class comment) and
   * returns the chunk under it, read and verified; null at the end of the track. The first time,
   * the play starts: its latency (from {@code open}) is counted and reported.
   */
  byte[] awaitReady(TrackStream stream) throws IOException {
    StreamState st = state(stream);
    if (st == null) {
      throw new IOException("stream closed");
    }
    return waitUntilReady(stream, st, loop.now());
  }

  private byte[] waitUntilReady(TrackStream stream, StreamState st, long waitStart) throws IOException {
    TrackId id = stream.trackId();
    long position = stream.position();
    if (position >= stream.length()) {
      st.running(loop.now());
      return null;
    }
    int index = (int) (position / stream.manifest().chunkSizeBytes());
    long deadline = waitStart + READ_TIMEOUT_NANOS;
    while (true) {
      long seen = received.generation();
      if (st.policyReady(loop.now(), position, received.held(id))) {
        byte[] data = received.read(id, index); // read and verified: part of the start's cost
        if (data != null) {
          started(stream, st);
          return data;
        }
      }
      long left = deadline - loop.now();
      if (left <= 0) {
        throw new IOException("track " + id.toHex() + " not ready to play at byte " + position
            + " within 60 s: no peer delivered enough of it and the origin " + origins + " did not answer");
      }
      received.awaitArrival(seen, Math.min(left, WAIT_SLICE_NANOS));
    }
  }

  private void started(TrackStream stream, StreamState st) {
    long now = loop.now();
    boolean first;
    synchronized (st) {
      st.running(now);
      first = st.startedAtNanos < 0;
      if (first) {
        st.startedAtNanos = now;
      }
    }
    if (first) {
      long latency = now - st.openedAtNanos;
      stats.started(latency);
      listener.playbackStarted(stream.trackId(), latency);
    }
  }

  /**
   * Blocks until chunk {@code index} of the stream's track is verified, and returns it. If the
   * playhead has reached the read position (a stutter), the reader is held until the policy says
   * ready again.
   */
  byte[] awaitChunk(TrackStream stream, int index) throws IOException {
    TrackId id = stream.trackId();
    StreamState st = state(stream);
    byte[] data = received.read(id, index);
    if (data != null) {
      return data;
    }
    long waitStart = loop.now();
    if (st != null && st.started() && st.playhead(waitStart) >= stream.position()) {
      data = waitUntilReady(stream, st, waitStart);
      st.stalled(loop.now() - waitStart);
      stats.stutter();
      listener.stutter(id, stream.position());
      return data;
    }
    long deadline = waitStart + READ_TIMEOUT_NANOS;
    while (true) {
      long seen = received.generation();
      data = received.read(id, index);
      if (data != null) {
        return data;
      }
      long left = deadline - loop.now();
      if (left <= 0) {
        throw new IOException("no data for chunk " + index + " of track " + id.toHex()
            + " within 60 s: no peer delivered it and the origin " + origins + " did not answer");
      }
      received.awaitArrival(seen, Math.min(left, WAIT_SLICE_NANOS));
    }
  }

  /**
   * The stream handed bytes {@code [from, to)}, all of chunk {@code index}, to its reader (the
   * ledger attributes them to where the chunk came from).
   */
  void played(TrackStream stream, int index, long from, long to) {
    StreamState st = state(stream);
    if (st == null) {
      return;
    }
    st.play.delivered(index, from, to);
    st.readPosition = to;
  }

  /**
   * The stream opened last (still {@code open}, or closed: a player that read the whole track
   * closes its stream while it goes on playing), and its read position; null before the first.
   */
  record Shown(TrackStream stream, PlayedBytesLedger.Play play, long readPosition, boolean open) {}

  Shown shown() {
    StreamState st = shown;
    if (st == null) {
      return null;
    }
    boolean open;
    synchronized (streams) {
      open = streams.containsKey(st.stream);
    }
    return new Shown(st.stream, st.play, st.readPosition, open);
  }

  void seek(TrackStream stream, long offset) {
    StreamState st = state(stream);
    if (st != null) {
      st.restart(offset);
    }
    TrackId id = stream.trackId();
    loop.post(core -> core.seek(id, offset, loop.now()));
  }

  /** Tells the core where the current stream's playhead is. On the core's thread. */
  void reportPlayhead(SwarmCore core) {
    StreamState st = current;
    if (st != null && st.started()) {
      long now = loop.now();
      core.seek(st.stream.trackId(), st.playhead(now), now);
    }
  }

  void closed(TrackStream stream) {
    synchronized (streams) {
      streams.remove(stream);
    }
    StreamState st = current;
    if (st != null && st.stream == stream) {
      current = null;
      store.playing(null);
    }
  }

  private StreamState state(TrackStream stream) {
    synchronized (streams) {
      return streams.get(stream);
    }
  }
}
