package dev.chorus.node;

import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The player's side: {@link TrackStream}s reading a track's verified bytes in order, and the
 * playhead each one implies. A player reads ahead of what it plays, so the read position is not
 * the playhead; the playhead is modelled as real-time playback from the first byte (or the last
 * seek), paused while the reader waits for data, and never ahead of what was read. The core is
 * told where it is (deadlines follow from it), and a wait with the playhead at the read position
 * is a stutter. Readers block on their own threads; the core is only ever reached through {@link
 * CoreLoop#post}.
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
    long firstByteAtNanos = -1;
    long originNanos = -1;
    long originOffset;
    long stalledNanos;
    volatile long readPosition;

    StreamState(TrackStream stream, long openedAtNanos, PlayedBytesLedger.Play play) {
      this.stream = stream;
      this.openedAtNanos = openedAtNanos;
      this.play = play;
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

    synchronized void restart(long offset, long now) {
      originOffset = offset;
      originNanos = firstByteAtNanos < 0 ? -1 : now;
      stalledNanos = 0;
      readPosition = offset;
    }

    synchronized void stalled(long nanos) {
      stalledNanos += nanos;
    }
  }

  Playback(CoreLoop loop, ReceivedChunks received, ChunkStore store, NodeStatsRecorder stats,
      NodeListener listener, String origins) {
    this.loop = loop;
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
    StreamState st = new StreamState(stream, opened, stats.ledger().open(trackId));
    synchronized (streams) {
      streams.put(stream, st);
    }
    current = st;
    shown = st;
    return stream;
  }

  /** Blocks until chunk {@code index} of the stream's track is verified, and returns it. */
  byte[] awaitChunk(TrackStream stream, int index) throws IOException {
    TrackId id = stream.trackId();
    StreamState st = state(stream);
    byte[] data = received.read(id, index);
    if (data != null) {
      return data;
    }
    long waitStart = loop.now();
    boolean stutter = st != null && st.firstByteAtNanos >= 0 && st.playhead(waitStart) >= stream.position();
    long deadline = waitStart + READ_TIMEOUT_NANOS;
    while (true) {
      long seen = received.generation();
      data = received.read(id, index);
      if (data != null) {
        break;
      }
      long left = deadline - loop.now();
      if (left <= 0) {
        throw new IOException("no data for chunk " + index + " of track " + id.toHex()
            + " within 60 s: no peer delivered it and the origin " + origins + " did not answer");
      }
      received.awaitArrival(seen, Math.min(left, WAIT_SLICE_NANOS));
    }
    if (stutter) {
      st.stalled(loop.now() - waitStart);
      stats.stutter();
      listener.stutter(id, stream.position());
    }
    return data;
  }

  /**
   * The stream handed bytes {@code [from, to)}, all of chunk {@code index}, to its reader (the
   * ledger attributes them to where the chunk came from); the first call is playback starting.
   */
  void played(TrackStream stream, int index, long from, long to) {
    StreamState st = state(stream);
    if (st == null) {
      return;
    }
    st.play.delivered(index, from, to);
    st.readPosition = to;
    if (st.firstByteAtNanos < 0) {
      long now = loop.now();
      synchronized (st) {
        st.firstByteAtNanos = now;
        st.originNanos = now;
      }
      long latency = now - st.openedAtNanos;
      stats.started(latency);
      listener.playbackStarted(stream.trackId(), latency);
    }
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
      st.restart(offset, loop.now());
    }
    TrackId id = stream.trackId();
    loop.post(core -> core.seek(id, offset, loop.now()));
  }

  /** Tells the core where the current stream's playhead is. On the core's thread. */
  void reportPlayhead(SwarmCore core) {
    StreamState st = current;
    if (st != null && st.firstByteAtNanos >= 0) {
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
