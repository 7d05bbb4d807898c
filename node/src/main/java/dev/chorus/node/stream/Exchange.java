package dev.chorus.node.stream;

import dev.chorus.node.TrackStream;
import dev.chorus.node.internal.originclient.OriginException;
import dev.chorus.protocol.http.ByteRange;
import dev.chorus.protocol.manifest.TrackId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One track response. Its blocking work — {@code node.open} (waits for the manifest) and reads of
 * the {@link TrackStream} (wait for verified chunks) — runs on the server's pool, one task at a
 * time: a task writes what it reads until the channel stops being writable, then ends;
 * {@link #resume} (on writability) starts the next. The stream is used by those tasks only, one
 * after the other, and closed by the last one (or by {@link #cancel} when none is running).
 */
final class Exchange {
  private static final Logger log = LoggerFactory.getLogger(StreamServer.class);
  private static final int READ_BYTES = 64 * 1024;
  /** Longest reason a 502 body repeats from the failure (a message can quote a whole URL). */
  private static final int MAX_REASON_CHARS = 300;

  private final StreamHandler handler;
  private final Channel ch;
  private final Request request;
  private final TrackId trackId;

  // Used by the pool tasks only (one at a time, each starting after the previous ended).
  private TrackStream stream;
  private ByteRange range;
  private int status;
  private long remaining;
  private long sent;
  private byte[] buf;

  // Guarded by this.
  private boolean running;
  private boolean finished;
  private boolean cancelled;
  private boolean streamClosed;
  private Future<?> task;

  Exchange(StreamHandler handler, Channel ch, Request request, TrackId trackId) {
    this.handler = handler;
    this.ch = ch;
    this.request = request;
    this.trackId = trackId;
  }

  /** Starts a task unless one is running or the exchange is over. Any thread. */
  void resume() {
    synchronized (this) {
      if (running || finished || cancelled) {
        return;
      }
      running = true;
      try {
        task = handler.server().blocking().submit(this::run);
      } catch (RejectedExecutionException e) { // the server is closing
        running = false;
        cancelled = true;
      }
    }
    if (isCancelled()) {
      ch.close();
    }
  }

  /** The client went away (event loop): stop, interrupting a blocked read, and close the stream. */
  void cancel() {
    boolean idle;
    boolean wasFinished;
    synchronized (this) {
      wasFinished = finished;
      cancelled = true;
      if (task != null) {
        task.cancel(true);
      }
      idle = !running;
    }
    if (idle) {
      closeStream();
    }
    if (!wasFinished) {
      handler.ended(request, status, rangeText(), sent, false);
    }
  }

  private synchronized boolean isCancelled() {
    return cancelled;
  }

  private void run() {
    try {
      if (stream == null && !open()) {
        return;
      }
      pump();
    } catch (IOException e) {
      if (!isCancelled() && !(e instanceof InterruptedIOException)) {
        log.warn("stream endpoint: {} {}: {} (after {} bytes); closing the connection", request.method(),
            request.shownPath(), e.getMessage(), sent);
        boolean wasFinished;
        synchronized (this) {
          wasFinished = finished;
          finished = true;
        }
        if (!wasFinished && status != 0) {
          handler.ended(request, status, rangeText(), sent, false);
        }
        ch.close();
      }
    } catch (RuntimeException e) {
      log.warn("stream endpoint: {} {} failed", request.method(), request.shownPath(), e);
      synchronized (this) {
        finished = true;
      }
      ch.close();
    } finally {
      boolean again;
      boolean close;
      synchronized (this) {
        running = false;
        task = null;
        close = finished || cancelled;
        again = !close && ch.isWritable();
      }
      if (close) {
        closeStream();
      }
      Thread.interrupted(); // a cancel that came too late must not reach the pool's next task
      if (again) {
        resume();
      }
    }
  }

  /** Opens the stream and sends the status line and headers; false if the exchange is over. */
  private boolean open() throws IOException {
    TrackStream s;
    try {
      s = handler.server().node().open(trackId);
    } catch (IOException e) {
      if (isCancelled() || e instanceof InterruptedIOException) {
        return false;
      }
      finish();
      if (isUnknownTrack(e)) {
        shortAnswer(HttpResponseStatus.NOT_FOUND, "unknown track", Map.of());
      } else if (handler.server().isClosed() || String.valueOf(e.getMessage()).contains("shut down")) {
        shortAnswer(HttpResponseStatus.SERVICE_UNAVAILABLE, "the node is shut down", Map.of());
      } else {
        log.warn("stream endpoint: {} {}: {}", request.method(), request.shownPath(), e.getMessage());
        shortAnswer(HttpResponseStatus.BAD_GATEWAY, unavailable(e), Map.of());
      }
      return false;
    }
    synchronized (this) {
      stream = s;
      if (cancelled) {
        return false; // closed by run's finally
      }
    }
    long length = s.length();
    String etag = "\"" + trackId.toHex() + "\"";
    boolean rangeApplies = request.ifRange() == null || request.ifRange().strip().equals(etag);
    range = ByteRange.parse(rangeApplies ? request.range() : null, length);
    if (range.kind() == ByteRange.Kind.UNSATISFIABLE) {
      finish();
      shortAnswer(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "range not satisfiable",
          Map.of(HttpHeaderNames.CONTENT_RANGE.toString(), range.contentRange(),
              HttpHeaderNames.ACCEPT_RANGES.toString(), "bytes"));
      return false;
    }
    boolean partial = range.kind() == ByteRange.Kind.PARTIAL;
    if (range.first() > 0) {
      s.seek(range.first()); // the node fetches from here first
    }
    HttpResponseStatus st = partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK;
    status = st.code();
    HttpResponse res = request.isHead()
        ? new DefaultFullHttpResponse(request.version(), st, Unpooled.EMPTY_BUFFER)
        : new DefaultHttpResponse(request.version(), st);
    HttpHeaders h = res.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, s.contentType());
    h.set(HttpHeaderNames.CONTENT_LENGTH, range.size());
    h.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
    h.set(HttpHeaderNames.ETAG, etag);
    if (partial) {
      h.set(HttpHeaderNames.CONTENT_RANGE, range.contentRange());
    }
    HttpUtil.setKeepAlive(res, request.keepAlive());
    if (!request.isHead() && range.size() > 0) {
      s.awaitReady(); // nothing goes out until the track can play without running dry
    }
    handler.server().listener().responded(request.method().name(), request.shownPath(), status,
        range.size() == 0 ? -1 : range.first(), range.size() == 0 ? -1 : range.last());
    if (request.isHead()) {
      finish();
      ch.writeAndFlush(res).addListener((ChannelFutureListener) f -> {
        handler.ended(request, status, rangeText(), 0, f.isSuccess());
        handler.completed(this, request.keepAlive() && f.isSuccess());
      });
      return false;
    }
    ch.writeAndFlush(res);
    remaining = range.size();
    buf = new byte[(int) Math.min(READ_BYTES, Math.max(1, remaining))];
    return true;
  }

  /** Sends verified bytes while the channel is writable; the last content when all are sent. */
  private void pump() throws IOException {
    while (remaining > 0) {
      if (isCancelled() || !ch.isActive() || !ch.isWritable()) {
        return;
      }
      int n = stream.read(buf, 0, (int) Math.min(buf.length, remaining));
      if (n < 0) {
        throw new EOFException("the track ended " + remaining + " bytes early");
      }
      remaining -= n;
      sent += n;
      ByteBuf b = ch.alloc().buffer(n);
      b.writeBytes(buf, 0, n);
      ch.writeAndFlush(new DefaultHttpContent(b));
    }
    finish();
    ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener((ChannelFutureListener) f -> {
      handler.ended(request, status, rangeText(), sent, f.isSuccess());
      handler.completed(this, request.keepAlive() && f.isSuccess());
    });
  }

  /**
   * The body of a 502: why the node could not open the track (the player's user can act on "the
   * origin refused the connection" but not on "unavailable"), on one line and bounded.
   */
  static String unavailable(IOException e) {
    String reason = String.valueOf(e.getMessage()).replaceAll("[\\r\\n\\t]+", " ").strip();
    if (reason.isEmpty() || reason.equals("null")) {
      reason = e.getClass().getSimpleName();
    }
    if (reason.length() > MAX_REASON_CHARS) {
      reason = reason.substring(0, MAX_REASON_CHARS) + "…";
    }
    return "track unavailable: " + reason + " (the node's log has the details)";
  }

  private void shortAnswer(HttpResponseStatus st, String message, Map<String, String> headers) {
    status = st.code();
    handler.respond(ch, request, st, message, headers, this);
  }

  private synchronized void finish() {
    finished = true;
  }

  private void closeStream() {
    TrackStream s;
    synchronized (this) {
      if (streamClosed || stream == null) {
        return;
      }
      streamClosed = true;
      s = stream;
    }
    s.close();
  }

  private String rangeText() {
    return range == null || range.kind() != ByteRange.Kind.PARTIAL ? "" : " " + range.first() + "-" + range.last();
  }

  /** Whether the origin said it does not have the track (404/410 everywhere). */
  static boolean isUnknownTrack(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OriginException o && o.kind() == OriginException.Kind.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }
}
