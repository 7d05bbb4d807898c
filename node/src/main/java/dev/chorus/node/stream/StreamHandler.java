package dev.chorus.node.stream;

import dev.chorus.protocol.manifest.TrackId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: parses requests, answers the ones it can at once (400, 404, 405) on the event
 * loop, hands track requests to an {@link Exchange} (which blocks on the server's pool, never
 * here), and answers pipelined requests one after the other. Its fields belong to the event loop.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(StreamServer.class);
  private static final String PREFIX = "/tracks/";
  private static final Pattern TRACK_ID = Pattern.compile("[0-9a-f]{64}");
  private static final int MAX_QUEUED = 8;

  private final StreamServer server;
  private final ArrayDeque<Request> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean admitted;
  /** The response in progress: an {@link Exchange}, or a token for a short answer; null when idle. */
  private Object busy;

  StreamHandler(StreamServer server) {
    this.server = server;
  }

  StreamServer server() {
    return server;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (!server.admit(ctx.channel())) {
      ctx.close();
      return;
    }
    admitted = true;
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (admitted) {
      admitted = false;
      server.released();
    }
    queued.clear();
    if (busy instanceof Exchange e) {
      e.cancel();
    }
    busy = null;
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!(msg instanceof HttpRequest req)) {
        return; // request bodies (a GET has none worth reading) are dropped
      }
      if (req.decoderResult().isFailure()) {
        queued.clear();
        Request r = new Request(HttpMethod.GET, "?", HttpVersion.HTTP_1_1, false, null, null);
        log.debug("stream endpoint: bad request from {}: {}", ctx.channel().remoteAddress(),
            req.decoderResult().cause().toString());
        if (busy == null) {
          respond(r, HttpResponseStatus.BAD_REQUEST, "bad request", Map.of());
        } else {
          ctx.close();
        }
        return;
      }
      Request r = Request.of(req);
      if (busy == null) {
        start(r);
      } else if (queued.size() < MAX_QUEUED) {
        queued.add(r);
      } else {
        log.warn("stream endpoint: more than {} pipelined requests from {}, closing", MAX_QUEUED,
            ctx.channel().remoteAddress());
        ctx.close();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void start(Request r) {
    if (!HttpMethod.GET.equals(r.method()) && !HttpMethod.HEAD.equals(r.method())) {
      respond(r, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed",
          Map.of(HttpHeaderNames.ALLOW.toString(), "GET, HEAD"));
      return;
    }
    String path;
    try {
      path = new QueryStringDecoder(r.uri()).path();
    } catch (IllegalArgumentException e) {
      respond(r, HttpResponseStatus.BAD_REQUEST, "bad request", Map.of());
      return;
    }
    if (!path.startsWith(PREFIX) || path.indexOf('/', PREFIX.length()) >= 0) {
      respond(r, HttpResponseStatus.NOT_FOUND, "not found", Map.of());
      return;
    }
    String id = path.substring(PREFIX.length());
    if (!TRACK_ID.matcher(id).matches()) {
      respond(r, HttpResponseStatus.BAD_REQUEST, "malformed track id", Map.of());
      return;
    }
    Exchange e = new Exchange(this, ctx.channel(), r, TrackId.fromHex(id));
    busy = e;
    e.resume();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable() && busy instanceof Exchange e) {
      e.resume();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent && busy == null) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("stream endpoint: connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /** A short text answer on the event loop; the next request starts when it is written. */
  private void respond(Request r, HttpResponseStatus status, String message, Map<String, String> headers) {
    Object token = new Object();
    busy = token;
    respond(ctx.channel(), r, status, message, headers, token);
  }

  /**
   * Writes a short text answer from any thread, then (on the event loop) calls {@link #completed}
   * with {@code token}.
   */
  void respond(Channel ch, Request r, HttpResponseStatus status, String message, Map<String, String> headers,
      Object token) {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuf content = r.isHead() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    FullHttpResponse res = new DefaultFullHttpResponse(r.version(), status, content);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    HttpUtil.setContentLength(res, body.length);
    headers.forEach(res.headers()::set);
    boolean keepAlive = r.keepAlive();
    HttpUtil.setKeepAlive(res, keepAlive);
    server.listener().responded(r.method().name(), r.shownPath(), status.code(), -1, -1);
    ch.writeAndFlush(res).addListener((ChannelFutureListener) f -> {
      ended(r, status.code(), "", 0, f.isSuccess());
      completed(token, keepAlive && f.isSuccess());
    });
  }

  /** One log line per request, and the listener. */
  void ended(Request r, int status, String range, long bytes, boolean complete) {
    log.debug("{} {} {}{} {} bytes{}", r.method(), r.shownPath(), status, range, bytes, complete ? "" : " (cut short)");
    server.listener().ended(r.method().name(), r.shownPath(), status, bytes, complete);
  }

  /** On the event loop: the response {@code token} is written; go on with the next request. */
  void completed(Object token, boolean keepAlive) {
    if (token != busy) {
      return; // the connection closed meanwhile
    }
    busy = null;
    if (!keepAlive) {
      ctx.close();
      return;
    }
    Request next = queued.poll();
    if (next != null) {
      start(next);
    }
  }
}
