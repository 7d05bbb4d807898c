package dev.chorus.node.stream;

import dev.chorus.node.ChorusNode;
import dev.chorus.node.internal.inspect.NodeInspection;
import dev.chorus.node.internal.inspect.NodeInspector;
import dev.chorus.protocol.manifest.TrackId;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local stream endpoint: {@code GET /tracks/<trackId>} (and {@code HEAD}) over HTTP/1.1,
 * so that a stock player plays a track through the node and seeks in it.
 *
 * <pre>{@code
 * try (ChorusNode node = ChorusNode.start(config);
 *      StreamServer server = StreamServer.start(node)) {   // 127.0.0.1, a free port
 *   player.play(server.url(trackId));                       // http://127.0.0.1:port/tracks/<hex>
 * }
 * }</pre>
 *
 * <p>Answers: 200 with the whole track, or 206 with one range ({@code bytes=a-b}, {@code
 * bytes=a-}, {@code bytes=-n}) and {@code Content-Range}; 416 with <code>Content-Range: bytes
 * &#42;/length</code> when the range starts past the end; several ranges get the whole track (RFC 9110
 * allows it). Always {@code Content-Type} (the manifest's MIME type), {@code Content-Length},
 * {@code Accept-Ranges: bytes} and a strong {@code ETag} (the track id: a track's bytes never
 * change), which {@code If-Range} is checked against. A path {@code /tracks/x} whose {@code x} is
 * not 64 lowercase hex digits gets 400 "malformed track id", other paths 404, a track the origin
 * does not know 404 "unknown track", a track the node cannot get (origin unreachable, untrusted
 * publisher) 502 with the reason ("track unavailable: could not connect to origin …"), other
 * methods 405. Connections are kept alive; pipelined requests are answered
 * in order.
 *
 * <p><b>Who may ask: DNS rebinding.</b> A web page on {@code http://evil.example:7402/} whose
 * name its owner re-points at 127.0.0.1 could otherwise send requests here from its own origin
 * and read the answers; but its browser sends {@code Host: evil.example:7402}. So the endpoint
 * answers only requests with exactly one {@code Host} that is {@code localhost}, a 127.0.0.0/8
 * literal (strict dotted decimal) or {@code [::1]}, each with or without a port (any port: a
 * rebinding page uses the real one anyway); when bound to a non-loopback address, also that
 * address as a literal, and when bound to the wildcard address, any IP literal (no DNS answer
 * makes an attacker's page come from a literal address). Every other name is refused —
 * {@code localhost.}, {@code 127.0.0.1.nip.io}, a LAN name — with 421 Misdirected Request; no
 * {@code Host} (HTTP/1.0 too), several, or a malformed one (a zone id, an empty port) get 400
 * as RFC 9112 requires. A refused request gets a one-line text body saying why, is logged once
 * (info) and its connection is closed. Players send the {@code Host} of the URL they were given,
 * so {@link #url} keeps working. The rules are {@code HostRule}'s.
 *
 * <p><b>The per-start token</b> ({@link #startWithToken}, off by default). The {@code Host} check
 * does not stop a page from merely <em>embedding</em> {@code http://127.0.0.1:7402/tracks/<id>}
 * (say in an {@code <audio>} element): it cannot read the bytes, but it can make the node fetch
 * and play a track and learn whether it exists. With a token, every URL is {@code
 * /t/<token>/tracks/<trackId>}, the token being 128 random bits (32 hex digits) made at start,
 * known only to whoever was handed {@link #url} or {@link #urlPrefix}; it is compared in constant
 * time and never logged. Requests without it get 403. It is in the path rather than the query so
 * that the URL still ends in {@code /tracks/<trackId>} and players that drop or mangle queries
 * keep it.
 *
 * <p><b>The node's page.</b> {@code /} (under the token's prefix when there is one) is a page
 * about the node: its catalog with a play button per track (an {@code <audio>} element on this
 * endpoint's track URLs), and live panels fed by {@code /ui/state.json} and {@code
 * /ui/catalog.json} — read-only, under the same {@code Host} rule and token as the tracks, with a
 * Content-Security-Policy that allows nothing from elsewhere ({@code NodePage}).
 *
 * <p>Every request opens a new {@link dev.chorus.node.TrackStream} at the range's first byte: the
 * track becomes the node's current playback (a {@code HEAD} too, since players send it just
 * before playing) and a seek — which players do with a new ranged request — re-prioritises the
 * node's scheduler from there. Bytes go out as soon as they are verified. A client that goes away
 * closes its stream.
 *
 * <p><b>Why Netty</b> rather than the JDK's {@code com.sun.net.httpserver}: that server cannot send
 * {@code Content-Length} for {@code HEAD} (it forces 0), gives no control over keep-alive or
 * write buffering, and needs the non-default {@code jdk.httpserver} module; the node already runs
 * on Netty (peer network), and Netty's channel writability gives backpressure without a thread
 * sleeping on a socket. The event loop never blocks: opening a track (waiting for its manifest)
 * and reading it (waiting for verified chunks) run on a small blocking pool, one task at a time
 * per response, which writes what it read and stops while the channel is not writable; the
 * writability event resumes it.
 *
 * <p>Bounded: at most {@value #MAX_CONNECTIONS} connections (more are closed at once), request
 * line 4 KiB, headers 8 KiB, 8 pipelined requests, connections idle for 2 minutes are closed.
 * One log line per request at debug, refusals at info, failures at warn. Thread-safe; closing it does not close the
 * node.
 */
public final class StreamServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamServer.class);
  static final int MAX_CONNECTIONS = 64;
  static final int IDLE_SECONDS = 120;
  /** Where a per-start token goes: {@code /t/<token>/tracks/<id>}. */
  static final String TOKEN_PREFIX = "/t/";
  static final int TOKEN_BYTES = 16;
  static final String WRONG_TOKEN = "missing or wrong token";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ChorusNode node;
  private final EventLoopGroup group;
  private final ThreadPoolExecutor blocking;
  private final ChannelGroup channels;
  private final Channel serverChannel;
  private final InetSocketAddress address;
  private final StreamListener listener;
  private final HostRule hostRule;
  private final NodePage page;
  /** The per-start token (lowercase hex, ASCII bytes), or null when none is required. */
  private final byte[] token;
  private final AtomicInteger connections = new AtomicInteger();
  private volatile boolean closed;

  private StreamServer(ChorusNode node, EventLoopGroup group, ThreadPoolExecutor blocking,
      ChannelGroup channels, Channel serverChannel, StreamListener listener, byte[] token) {
    this.node = node;
    this.group = group;
    this.blocking = blocking;
    this.channels = channels;
    this.serverChannel = serverChannel;
    this.address = (InetSocketAddress) serverChannel.localAddress();
    this.listener = listener;
    this.hostRule = HostRule.forBind(address.getAddress());
    NodeInspector inspector = NodeInspection.of(node);
    this.page = new NodePage(inspector, new OriginCatalog(inspector.origins(), System::nanoTime));
    this.token = token;
  }

  /** Serves {@code node}'s tracks on 127.0.0.1, on a free port. */
  public static StreamServer start(ChorusNode node) throws IOException {
    return start(node, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /**
   * Serves {@code node}'s tracks on {@code bind} (port 0: a free port). Binding to anything but
   * loopback lets other hosts play through this node, by address: besides the loopback names, the
   * endpoint then answers requests whose {@code Host} is the bound address (or, bound to the
   * wildcard address, any IP literal), never another name (see the class comment).
   *
   * @throws IOException if the address cannot be bound
   */
  public static StreamServer start(ChorusNode node, InetSocketAddress bind) throws IOException {
    return start(node, bind, StreamListener.NO_OP, false);
  }

  /**
   * Like {@link #start(ChorusNode, InetSocketAddress)}, but every request must carry a random
   * token made for this start: {@code /t/<token>/tracks/<trackId>}. Hand the player {@link #url}
   * or {@link #urlPrefix}; requests without the right token get 403. Use it when web pages or
   * other local users must not even start a track through the node (see the class comment).
   *
   * @throws IOException if the address cannot be bound
   */
  public static StreamServer startWithToken(ChorusNode node, InetSocketAddress bind) throws IOException {
    return start(node, bind, StreamListener.NO_OP, true);
  }

  static StreamServer start(ChorusNode node, InetSocketAddress bind, StreamListener listener) throws IOException {
    return start(node, bind, listener, false);
  }

  static StreamServer start(ChorusNode node, InetSocketAddress bind, StreamListener listener, boolean requireToken)
      throws IOException {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(listener, "listener");
    EventLoopGroup group = node.transport().newGroup(1, new DefaultThreadFactory("chorus-stream", true));
    ThreadPoolExecutor blocking = new ThreadPoolExecutor(MAX_CONNECTIONS, MAX_CONNECTIONS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), new DefaultThreadFactory("chorus-stream-read", true));
    blocking.allowCoreThreadTimeOut(true);
    ChannelGroup channels = new DefaultChannelGroup("chorus-stream", group.next());
    StreamServer[] self = new StreamServer[1];
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(node.transport().serverSocketChannel())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast("http", new HttpServerCodec(4096, 8192, 8192))
                .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast("stream", new StreamHandler(self[0]));
          }
        });
    // Not syncUninterruptibly(): it rethrows a failed bind's checked IOException (NIO's
    // BindException, epoll's NativeIoException) past a catch of RuntimeException, which left the
    // group and the pool running.
    ChannelFuture bound = b.bind(bind).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      blocking.shutdownNow();
      Throwable e = bound.cause();
      throw new IOException("cannot bind the stream endpoint to " + bind + ": " + e.getMessage(), e);
    }
    Channel server = bound.channel();
    byte[] token = null;
    if (requireToken) {
      byte[] random = new byte[TOKEN_BYTES];
      RANDOM.nextBytes(random);
      token = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
    }
    StreamServer s = new StreamServer(node, group, blocking, channels, server, listener, token);
    self[0] = s;
    log.info("stream endpoint on http://{}{}tracks/ (Host: {})", hostPort(s.address),
        requireToken ? TOKEN_PREFIX + "<token>/" : "/", s.hostRule.accepted());
    return s;
  }

  /** The bound port. */
  public int port() {
    return address.getPort();
  }

  /**
   * The base of every URL this endpoint serves: {@code http://127.0.0.1:port/}, or {@code
   * http://127.0.0.1:port/t/<token>/} when a token is required; a track is {@code
   * tracks/<trackId>} under it. Not to be logged when it holds a token.
   */
  public URI urlPrefix() {
    return URI.create("http://" + hostPort(address)
        + (token == null ? "/" : TOKEN_PREFIX + new String(token, StandardCharsets.US_ASCII) + "/"));
  }

  /** The URL a player opens to play {@code trackId} through this node (with the token, if any). */
  public URI url(TrackId trackId) {
    Objects.requireNonNull(trackId, "trackId");
    return URI.create(urlPrefix() + "tracks/" + trackId.toHex());
  }

  NodePage page() {
    return page;
  }

  HostRule hostRule() {
    return hostRule;
  }

  boolean requiresToken() {
    return token != null;
  }

  /**
   * The request target after {@code /t/<token>} if it starts with the right token, else null. The
   * token is compared in constant time ({@link MessageDigest#isEqual}; only its length, which is
   * no secret, shows).
   */
  String afterToken(String uri) {
    if (!uri.startsWith(TOKEN_PREFIX)) {
      return null;
    }
    int end = uri.indexOf('/', TOKEN_PREFIX.length());
    if (end < 0) {
      return null;
    }
    byte[] given = uri.substring(TOKEN_PREFIX.length(), end).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(token, given) ? uri.substring(end) : null;
  }

  private static String hostPort(InetSocketAddress a) {
    InetAddress ip = a.getAddress();
    String host = ip.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress() : ip.getHostAddress();
    if (ip.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() instanceof Inet6Address : ip instanceof Inet6Address) {
      int zone = host.indexOf('%');
      host = "[" + (zone < 0 ? host : host.substring(0, zone)) + "]";
    }
    return host + ":" + a.getPort();
  }

  ChorusNode node() {
    return node;
  }

  ThreadPoolExecutor blocking() {
    return blocking;
  }

  StreamListener listener() {
    return listener;
  }

  boolean isClosed() {
    return closed;
  }

  /** A new connection: false if there are too many (the caller closes it). */
  boolean admit(Channel ch) {
    if (closed || connections.incrementAndGet() > MAX_CONNECTIONS) {
      connections.decrementAndGet();
      log.warn("stream endpoint: refusing a connection from {}: {} connections already open",
          ch.remoteAddress(), MAX_CONNECTIONS);
      return false;
    }
    channels.add(ch);
    return true;
  }

  void released() {
    connections.decrementAndGet();
  }

  /** Stops listening, closes every connection (their streams close) and stops the threads. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    serverChannel.close().syncUninterruptibly();
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    blocking.shutdownNow();
    try {
      blocking.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    log.info("stream endpoint on {} stopped", hostPort(address));
  }
}
