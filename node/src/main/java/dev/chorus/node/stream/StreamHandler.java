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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: parses requests, refuses those whose {@code Host} ({@link HostRule}) or token
 * is wrong (answered, counted, logged once, then the connection is closed and what the client
 * pipelined after them is dropped), answers the ones it can at once (400, 404, 405, the page's
 * static parts) on the event loop, the page's JSON when it is ready (put together off the event
 * loop), hands track requests to an {@link Exchange} (which blocks on the server's pool, never
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
  /** A request was refused: the connection closes after answering it; later requests are dropped. */
  private boolean refusing;
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
      if (!(msg instanceof HttpRequest req) || refusing) {
        return; // request bodies (a GET has none worth reading) are dropped, and all after a refusal
      }
      if (req.decoderResult().isFailure()) {
        queued.clear();
        Request r = new Request(HttpMethod.GET, "?", HttpVersion.HTTP_1_1, false, null, null, null);
        log.debug("stream endpoint: bad request from {}: {}", ctx.channel().remoteAddress(),
            req.decoderResult().cause().toString());
        if (busy == null) {
          respond(r, HttpResponseStatus.BAD_REQUEST, "bad request", Map.of());
        } else {
          ctx.close();
        }
        return;
      }
      List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
      HostRule.Refusal refusal = server.hostRule().check(hosts);
      Request r = Request.of(req, refusal);
      if (refusal != null) {
        refusing = true;
        logRefusal(refusal.reason(), hosts.isEmpty() ? "no Host" : "Host: " + shown(String.join(" | ", hosts)));
      }
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
    if (r.refusal() != null) {
      refuse(r, r.refusal().status(), r.refusal().reason(), r.refusal().status().code() == 421
          ? r.refusal().reason() + ": this endpoint answers to " + server.hostRule().accepted()
          : r.refusal().reason());
      return;
    }
    String target = r.uri();
    if (server.requiresToken()) {
      target = server.afterToken(target);
      if (target == null) {
        refusing = true;
        logRefusal(StreamServer.WRONG_TOKEN, r.method() + " " + r.shownPath());
        refuse(r.closing(), HttpResponseStatus.FORBIDDEN, StreamServer.WRONG_TOKEN, StreamServer.WRONG_TOKEN);
        return;
      }
    }
    if (!HttpMethod.GET.equals(r.method()) && !HttpMethod.HEAD.equals(r.method())) {
      respond(r, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed",
          Map.of(HttpHeaderNames.ALLOW.toString(), "GET, HEAD"));
      return;
    }
    String path;
    try {
      path = new QueryStringDecoder(target).path();
    } catch (IllegalArgumentException e) {
      respond(r, HttpResponseStatus.BAD_REQUEST, "bad request", Map.of());
      return;
    }
    NodePage.Asset asset = NodePage.asset(path);
    if (asset != null) {
      Object token = new Object();
      busy = token;
      respond(ctx.channel(), r, HttpResponseStatus.OK, asset.body(), asset.contentType(), NodePage.PAGE_HEADERS,
          token);
      return;
    }
    if (NodePage.isJson(path)) {
      json(r, path);
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

  /** The page's JSON: put together off the event loop (the core is asked on its own thread), then sent. */
  private void json(Request r, String path) {
    Object token = new Object();
    busy = token;
    Channel ch = ctx.channel();
    CompletableFuture<byte[]> body;
    try {
      body = server.page().json(path, server.blocking());
    } catch (RejectedExecutionException e) {
      body = CompletableFuture.failedFuture(e);
    }
    body.whenComplete((json, error) -> {
      if (error != null) {
        respond(ch, r, HttpResponseStatus.SERVICE_UNAVAILABLE, "the node is shut down", Map.of(), token);
      } else {
        respond(ch, r, HttpResponseStatus.OK, json, "application/json", NodePage.JSON_HEADERS, token);
      }
    });
  }

  /** Answers a refused request (with {@code Connection: close}); nothing after it is answered. */
  private void refuse(Request r, HttpResponseStatus status, String reason, String message) {
    queued.clear();
    server.listener().requestRefused(reason);
    respond(r, status, message, Map.of());
  }

  /** Logs the first refusal on this connection (the only one: it is closed after answering it). */
  private void logRefusal(String reason, String detail) {
    log.info("stream endpoint: refused a request from {}: {} ({}); closing the connection",
        ctx.channel().remoteAddress(), reason, detail);
  }

  /** An untrusted value for the log: printable ASCII, at most 100 characters. */
  private static String shown(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 100; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return s.length() > 100 ? b + "…" : b.toString();
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
    respond(ch, r, status, (message + "\n").getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", headers,
        token);
  }

  /** Writes a whole answer from any thread; then, on the event loop, {@link #completed} with {@code token}. */
  void respond(Channel ch, Request r, HttpResponseStatus status, byte[] body, String contentType,
      Map<String, String> headers, Object token) {
    ByteBuf content = r.isHead() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    FullHttpResponse res = new DefaultFullHttpResponse(r.version(), status, content);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
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
