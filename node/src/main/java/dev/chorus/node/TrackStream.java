package dev.chorus.node;

import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.manifest.TrackManifest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The bytes of one track in order, as they are verified. The first {@link #read} (and the first
 * after a {@link #seek}) blocks until the node judges the track ready to play ({@link
 * #awaitReady}); later reads block only until the next verified bytes are there, or, when the
 * player has caught up with the download (a stutter), until the track is ready to play again.
 * {@link #seek} moves the read position and tells the node, which then fetches from there first. Not thread-safe: one reader per stream. Closing it does not stop the
 * download (the node keeps the track for the cache and for other peers).
 */
public final class TrackStream extends InputStream {
  private final TrackId trackId;
  private final TrackManifest manifest;
  private final Playback playback;
  private long position;
  private byte[] chunk;
  private int chunkIndex = -1;
  /** Whether the node said ready to play from here (false again after a seek). */
  private boolean ready;
  private boolean closed;

  TrackStream(TrackId trackId, TrackManifest manifest, Playback playback) {
    this.trackId = Objects.requireNonNull(trackId);
    this.manifest = Objects.requireNonNull(manifest);
    this.playback = Objects.requireNonNull(playback);
  }

  public TrackId trackId() {
    return trackId;
  }

  /** The track's verified manifest (MIME type, duration, size). */
  public TrackManifest manifest() {
    return manifest;
  }

  /** The track's size in bytes. */
  public long length() {
    return manifest.sizeBytes();
  }

  /** The MIME type to serve it with, e.g. {@code audio/ogg; codecs=opus}. */
  public String contentType() {
    return manifest.mimeType();
  }

  /** The next byte to be read. */
  public long position() {
    return position;
  }

  /** Moves the read position (0 ≤ offset ≤ length); the node fetches from there first. */
  public void seek(long offset) throws IOException {
    ensureOpen();
    if (offset < 0 || offset > length()) {
      throw new IOException("seek to " + offset + " outside the track's 0.." + length() + " bytes");
    }
    position = offset;
    ready = false;
    playback.seek(this, offset);
  }

  /**
   * Blocks until the node judges that the track can play from the read position to its end
   * without running dry: enough is buffered ahead, given the download rate it measured (the rule:
   * node/README.md, "Start and stall"). The first time, playback starts: the start latency (from
   * {@code open} to this moment) goes to {@link NodeStats} and {@link
   * NodeListener#playbackStarted}. A read waits for it by itself, so calling this is optional; a
   * player calls it to show "buffering" until then. After a {@link #seek} the stream waits again.
   *
   * @throws IOException if the stream is closed, or not enough arrived within 60 s
   */
  public void awaitReady() throws IOException {
    ensureOpen();
    if (ready) {
      return;
    }
    byte[] first = playback.awaitReady(this);
    ready = true;
    if (first != null) {
      chunk = first;
      chunkIndex = (int) (position / manifest.chunkSizeBytes());
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    if (len == 0) {
      return 0;
    }
    if (position >= length()) {
      return -1;
    }
    awaitReady();
    int index = (int) (position / manifest.chunkSizeBytes());
    if (index != chunkIndex) {
      chunk = playback.awaitChunk(this, index);
      chunkIndex = index;
    }
    int within = (int) (position - manifest.chunkOffset(index));
    int n = Math.min(len, chunk.length - within);
    System.arraycopy(chunk, within, b, off, n);
    long from = position;
    position += n;
    playback.played(this, index, from, position);
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    if (n <= 0) {
      return 0;
    }
    long target = Math.min(length(), position + n);
    long skipped = target - position;
    seek(target);
    return skipped;
  }

  @Override
  public int available() {
    return chunk == null ? 0 : (int) Math.max(0, manifest.chunkOffset(chunkIndex) + chunk.length - position);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      playback.closed(this);
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
  }
}
