package dev.chorus.node.internal.trackerclient;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.netty.CloseReason;
import dev.chorus.protocol.netty.Goodbyes;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.wire.ConnectTo;
import dev.chorus.protocol.wire.Coordinate;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.ReachabilityReport;
import dev.chorus.protocol.wire.ReachabilityVerdict;
import dev.chorus.protocol.wire.ReverseConnect;
import dev.chorus.protocol.wire.PunchRequest;
import dev.chorus.protocol.wire.PunchWith;
import dev.chorus.protocol.wire.TrackerMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's connection to its tracker. Keeps one Noise connection (the tracker's static key
 * pinned) and, every time it is (re)established, announces the node's whole cache from {@link
 * HoldingsSource#snapshot()}, split into messages of at most {@link
 * TrackerClientConfig#maxTracksPerAnnounce()} tracks. After that it sends deltas ({@link
 * #announce}, {@link #withdraw}), gathered for {@link TrackerClientConfig#deltaDelay()} and
 * coalesced per track, and the whole cache again every {@link TrackerClientConfig#refreshInterval()}
 * so that the tracker's entries never reach their TTL. A lost connection is re-made after an
 * exponential backoff with full jitter; a tracker that sends the node away ({@code BANNED}, {@code
 * TOO_MANY_CONNECTIONS}, {@code DUPLICATE_CONNECTION}, a protocol complaint) is retried only after
 * the maximum backoff.
 *
 * <p><b>While disconnected</b> deltas are dropped: the full announce on reconnect supersedes them.
 * Call {@link #announce}/{@link #withdraw} only after the change is visible in {@link
 * HoldingsSource#snapshot()}, so that nothing falls between a snapshot and a delta. {@link #lookup}
 * fails at once with {@link TrackerException.Reason#NOT_CONNECTED} rather than waiting: a node
 * without its tracker should fetch from the CDN now, not later.
 *
 * <p><b>Threading.</b> Everything happens on one event loop of the caller's group (which the caller
 * owns and shuts down after {@link #close()}); public methods are thread-safe and hop onto it. Lookup
 * futures complete on that event loop: do not block in stages that depend on them (use the {@code
 * *Async} variants for slow work).
 *
 * <p><b>Design.</b> This class is the facade and owns the connection's life (connect, hello,
 * refresh, close, reconnect with {@link Backoff}); its parts are package-private and share its event
 * loop, so none of them needs a lock: {@link AnnounceBatcher} builds announce and withdraw messages
 * (coalesced deltas, the full announce in parts), {@link PendingLookups} keeps the lookups waiting
 * for an answer with their timeouts and limits, and {@link TrackerSession} is the Netty handler that
 * hands what the tracker sends back to them.
 */
public final class TrackerClient implements TrackerConnection, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrackerClient.class);

  /** Serialized tracks per message at most, well under the tracker's 1 MiB frame limit. */
  static final int MAX_ANNOUNCE_BYTES = 256 * 1024;
  /** Lookups waiting for an answer at most; more fail at once ({@code LIMITED}). */
  static final int MAX_PENDING_LOOKUPS = 1024;
  /** How long {@link #close()} waits for the goodbye to go out and the connection to end. */
  static final long CLOSE_WAIT_MILLIS = 5000;

  private final TrackerClientConfig config;
  /** The transport of the caller's group: the tracker connection's channel must match its loop. */
  private final Transport transport;
  private final EventLoop loop;
  private final HoldingsSource source;
  private final TrackerClientListener listener;
  private final SecureChannelConfig secure;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The node's playback counters, or null when the node sends no reports. */
  private final PlaybackSource playback;

  // Event-loop state: touched only on `loop`.
  private final Backoff backoff;
  private final AnnounceBatcher announces;
  private final PendingLookups lookups;
  private Channel channel;
  private boolean ready;
  private ScheduledFuture<?> reconnectTimer;
  private ScheduledFuture<?> fullAnnounceTimer;
  private ScheduledFuture<?> reportTimer;
  /** What has been reported so far; kept across connections, so nothing played is lost or sent twice. */
  private PlaybackDeltas reported;
  private final Reversals reversals = new Reversals();
  private final Reversals punches = new Reversals("punch", dev.chorus.protocol.wire.Error::getPunchId);
  /** The tracker coordinates punches (its Hello lists the capability) and this node punches. */
  private boolean trackerPunching;
  /** The tracker relays reversals (its Hello lists the capability) and this node takes part. */
  private boolean trackerTraversal;

  /** Mirrors for other threads. */
  private volatile ReachabilityVerdict verdict = ReachabilityVerdict.VERDICT_UNKNOWN;
  private volatile InetSocketAddress observed;
  private volatile ConnectToHandler connectToHandler;
  private volatile PunchHandler punchHandler;

  /** Dials a node from this node's listen port, as the tracker said (hole punching). */
  @FunctionalInterface
  public interface PunchHandler {
    void punch(NodeId node, byte[] staticKey, InetSocketAddress address, java.time.Duration startDelay);
  }

  /** The largest start delay a {@code PunchWith} may ask for. */
  static final int MAX_PUNCH_DELAY_MILLIS = 10_000;

  /** Dials a node that asked, through the tracker, to be connected to (connection reversal). */
  @FunctionalInterface
  public interface ConnectToHandler {
    void connectTo(NodeId node, byte[] staticKey, InetSocketAddress address);
  }

  /** Whether a LIMIT_EXCEEDED since the last full announce was logged as a warning. */
  private boolean limitWarned;

  /** Mirrors {@code ready} for other threads. */
  private volatile boolean connected;
  /** The port sent in the next Hello: the configured one, or the gateway's mapped port. */
  private int listenPort;
  /** The connection is being closed to say hello again with a new port: reconnect at once. */
  private boolean rehello;

  private TrackerClient(TrackerClientConfig config, Transport transport, EventLoop loop, HoldingsSource source,
      TrackerClientListener listener, RandomGenerator random, PlaybackSource playback) {
    this.config = config;
    this.transport = transport;
    this.playback = config.telemetryInterval().isZero() ? null : playback;
    this.loop = loop;
    this.source = source;
    this.listener = listener;
    this.secure = SecureChannelConfig.builder(config.keyPair())
        .pinnedRemoteKey(config.tracker().publicKey())
        .handshakeTimeout(config.connectTimeout())
        .build();
    this.backoff = new Backoff(config.reconnectInitialBackoff().toMillis(),
        config.reconnectMaxBackoff().toMillis(), random);
    this.lookups = new PendingLookups(config, loop, listener);
    this.announces = new AnnounceBatcher(config, loop, source, listener, () -> ready ? channel : null);
    this.listenPort = config.listenPort();
  }

  /**
   * Starts the client: connects in the background and keeps connected until {@link #close()}.
   *
   * @param group an epoll or NIO event loop group the caller owns; the client uses one of its loops
   *     and dials on the group's {@link Transport}
   * @param source the node's cache, read on every (re)connect and refresh
   * @param listener events for metrics and logs ({@link TrackerClientListener#NOOP} for none)
   */
  public static TrackerClient start(TrackerClientConfig config, EventLoopGroup group, HoldingsSource source,
      TrackerClientListener listener) {
    return start(config, group, source, listener, new SecureRandom(), null);
  }

  /**
   * As above, and reports what the node played to a tracker that accepts playback reports, every
   * {@link TrackerClientConfig#telemetryInterval()} (none if that is zero).
   */
  public static TrackerClient start(TrackerClientConfig config, EventLoopGroup group, HoldingsSource source,
      TrackerClientListener listener, PlaybackSource playback) {
    return start(config, group, source, listener, new SecureRandom(), Objects.requireNonNull(playback, "playback"));
  }

  /** As above with the backoff jitter's randomness injected (tests). */
  static TrackerClient start(TrackerClientConfig config, EventLoopGroup group, HoldingsSource source,
      TrackerClientListener listener, RandomGenerator random) {
    return start(config, group, source, listener, random, null);
  }

  /** As above with reports from {@code playback} (null: none). */
  static TrackerClient start(TrackerClientConfig config, EventLoopGroup group, HoldingsSource source,
      TrackerClientListener listener, RandomGenerator random, PlaybackSource playback) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(listener, "listener");
    Transport transport = Transport.of(Objects.requireNonNull(group, "group"));
    TrackerClient client = new TrackerClient(config, transport, group.next(), source, listener,
        Objects.requireNonNull(random), playback);
    client.loop.execute(client::connect);
    return client;
  }

  /** True while the tracker connection is up (hello exchanged, full announce sent). */
  public boolean isConnected() {
    return connected;
  }

  public TrackerClientConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- deltas

  /** Announces that the node now holds these (replacing what it announced for the same tracks). */
  public void announce(Holding... holdings) {
    announce(List.of(holdings));
  }

  /** As {@link #announce(Holding...)}. */
  @Override
  public void announce(Collection<Holding> holdings) {
    List<Holding> copy = List.copyOf(holdings);
    if (copy.isEmpty()) {
      return;
    }
    onLoop(() -> {
      if (ready) { // else superseded by the full announce on (re)connect
        announces.announce(copy);
      }
    });
  }

  /** Announces that the node no longer holds these tracks. */
  @Override
  public void withdraw(Collection<TrackId> tracks) {
    List<TrackId> copy = List.copyOf(tracks);
    if (copy.isEmpty()) {
      return;
    }
    onLoop(() -> {
      if (ready) {
        announces.withdraw(copy);
      }
    });
  }

  /**
   * Changes the port the node announces (a port mapping was made, changed or lost). The port goes
   * in the Hello, which is sent once per connection, so a connection that is up is closed with a
   * goodbye and made again at once.
   */
  public void listenPort(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("listenPort must be in 0..65535, was " + port);
    }
    onLoop(() -> {
      if (port == listenPort) {
        return;
      }
      listenPort = port;
      Channel ch = channel;
      if (ch != null && !closed.get()) {
        log.info("announcing peer port {} to the tracker: reconnecting to say hello again", port);
        rehello = true;
        if (ready && ch.isActive()) {
          Goodbyes.sendAndClose(ch, Envelope.TRACKER.goodbye(ErrorCode.NONE, "listen port changed"));
        } else {
          ch.close();
        }
      }
    });
  }

  /** The port the next Hello carries (tests). */
  int announcedListenPort() {
    return listenPort;
  }

  // ---------------------------------------------------------------- lookups

  /** {@link #lookup(TrackId, BitSet, int)} for any chunks and the configured number of peers. */
  public CompletableFuture<List<TrackerPeerInfo>> lookup(TrackId track) {
    return lookup(track, null, config.maxPeersPerLookup());
  }

  /**
   * Asks the tracker who holds {@code track}: up to {@code maxPeers} peers (the tracker caps it,
   * at 50 by default), nearest first, those holding the {@code wanted} chunks first.
   *
   * @param wanted the chunks wanted, or null (or empty) for any
   * @return completes with the peers, or fails with a {@link TrackerException}: at once if the
   *     client is not connected or over its lookup rate; when the tracker refuses ({@code REFUSED}
   *     with its code); after {@link TrackerClientConfig#lookupTimeout()}; or when the connection
   *     ends first
   */
  @Override
  public CompletableFuture<List<TrackerPeerInfo>> lookup(TrackId track, BitSet wanted, int maxPeers) {
    Objects.requireNonNull(track, "track");
    if (maxPeers < 1 || maxPeers > 1000) {
      throw new IllegalArgumentException("maxPeers must be 1..1000, was " + maxPeers);
    }
    if (wanted != null && wanted.length() > Holding.MAX_CHUNKS) {
      throw new IllegalArgumentException("wanted chunk " + (wanted.length() - 1) + " is past the limit of "
          + Holding.MAX_CHUNKS + " chunks per track");
    }
    byte[] wantedBits = wanted == null || wanted.isEmpty() ? null : wanted.toByteArray();
    CompletableFuture<List<TrackerPeerInfo>> result = new CompletableFuture<>();
    if (!connected) {
      failLookup(result, TrackerException.Reason.NOT_CONNECTED, ErrorCode.NONE, "not connected to the tracker");
      return result;
    }
    if (!onLoop(() -> startLookup(track, wantedBits, maxPeers, result))) {
      failLookup(result, TrackerException.Reason.CLOSED, ErrorCode.NONE, "the tracker client is closed");
    }
    return result;
  }

  private void startLookup(TrackId track, byte[] wanted, int maxPeers, CompletableFuture<List<TrackerPeerInfo>> result) {
    if (!ready) {
      failLookup(result, TrackerException.Reason.NOT_CONNECTED, ErrorCode.NONE, "not connected to the tracker");
      return;
    }
    lookups.start(channel, track, wanted, maxPeers, result);
  }

  private void failLookup(CompletableFuture<?> result, TrackerException.Reason reason, ErrorCode code, String message) {
    lookups.fail(result, reason, code, message);
  }


  // ---------------------------------------------------------------- connection

  private void connect() {
    reconnectTimer = null;
    if (closed.get()) {
      return;
    }
    ChannelFuture connecting = new Bootstrap()
        .group(loop)
        .channel(transport.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Hello.Builder hello = Hello.newBuilder().setListenPort(listenPort).setCoordinate(coordinate());
            if (config.traversal()) {
              hello.addCapabilities(Reachability.TRAVERSAL_CAPABILITY);
            }
            if (config.punching()) {
              hello.addCapabilities(Reachability.PUNCH_CAPABILITY);
            }
            ChorusPipeline.install(ch.pipeline(), secure, true, Envelope.TRACKER, hello.build(), new TrackerSession(TrackerClient.this, lookups));
          }
        })
        .localAddress(sourceAddress(config.localAddress(), config.tracker().host()))
        .connect(config.tracker().host(), config.tracker().port());
    Channel ch = connecting.channel();
    channel = ch;
    ch.closeFuture().addListener(f -> channelClosed(ch, connecting));
  }

  /**
   * Where to dial the tracker from: {@code bound} when the tracker's host is an IP literal of the
   * same family that {@code bound} can reach (a loopback source reaches only loopback); otherwise
   * (a name, no bound address) the system's choice, null.
   */
  static InetSocketAddress sourceAddress(java.net.InetAddress bound, String trackerHost) {
    java.net.InetAddress literal = io.netty.util.NetUtil.createInetAddressFromIpAddressString(trackerHost);
    if (bound == null || literal == null || literal.getClass() != bound.getClass()
        || bound.isLoopbackAddress() && !literal.isLoopbackAddress()) {
      return null;
    }
    return new InetSocketAddress(bound, 0);
  }

  /** The tracker said hello: the connection is ready; announce everything. */
  void trackerHello(Channel ch, Hello hello) {
    if (ch != channel || closed.get()) {
      return;
    }
    ready = true;
    connected = true;
    trackerTraversal = config.traversal() && hello.getCapabilitiesList().contains(Reachability.TRAVERSAL_CAPABILITY);
    trackerPunching = trackerTraversal && config.punching() && hello.getCapabilitiesList().contains(Reachability.PUNCH_CAPABILITY);
    int tracks = announceAll(ch);
    if (playback != null && hello.getCapabilitiesList().contains(PlaybackReports.CAPABILITY)) {
      startReports();
    }
    log.info("connected to tracker {} at {}; announced {} tracks", config.tracker().host() + ":" + config.tracker().port(),
        ch.remoteAddress(), tracks);
    listener.connected((InetSocketAddress) ch.remoteAddress());
  }

  /**
   * Sends the whole cache (full announce), superseding any pending delta, and schedules the next
   * refresh. Returns the number of tracks, or -1 if the source failed.
   */
  private int announceAll(Channel ch) {
    limitWarned = false;
    cancel(fullAnnounceTimer);
    fullAnnounceTimer = null;
    announces.clear();
    Collection<Holding> snapshot;
    try {
      snapshot = source.snapshot();
    } catch (RuntimeException e) {
      log.error("could not read the cache to announce it to the tracker; retrying in {}", config.reconnectMaxBackoff(), e);
      scheduleFullAnnounce(config.reconnectMaxBackoff().toNanos());
      return -1;
    }
    ChannelFuture last = announces.writeAnnounce(ch, true, snapshot);
    ch.flush();
    last.addListener(f -> {
      if (f.isSuccess() && ch == channel) {
        backoff.reset(); // this connection lived past its full announce
      }
    });
    listener.announceSent(snapshot.size(), true);
    if (!config.refreshInterval().isZero()) {
      scheduleFullAnnounce(config.refreshInterval().toNanos());
    }
    return snapshot.size();
  }

  private void scheduleFullAnnounce(long delayNanos) {
    if (fullAnnounceTimer != null && fullAnnounceTimer.getDelay(TimeUnit.NANOSECONDS) <= delayNanos) {
      return;
    }
    cancel(fullAnnounceTimer);
    fullAnnounceTimer = loop.schedule(() -> {
      fullAnnounceTimer = null;
      if (ready) {
        announceAll(channel);
      }
    }, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** Reports every interval while this connection lasts; an older tracker gets none (protocol/README.md). */
  private void startReports() {
    long interval = config.telemetryInterval().toNanos();
    if (reported == null) {
      PlaybackTotals start = totals();
      if (start == null) {
        return;
      }
      reported = new PlaybackDeltas(start, config.telemetryInterval().toSeconds());
    }
    reportTimer = loop.scheduleAtFixedRate(this::sendReport, interval, interval, TimeUnit.NANOSECONDS);
  }

  private void sendReport() {
    PlaybackTotals now = totals();
    if (!ready || now == null) {
      return;
    }
    channel.writeAndFlush(TrackerMessage.newBuilder().setPlaybackReport(reported.next(now)).build());
  }

  private PlaybackTotals totals() {
    try {
      return playback.totals();
    } catch (RuntimeException e) {
      log.warn("could not read the playback counters for the tracker; skipping this report", e);
      return null;
    }
  }

  private Coordinate coordinate() {
    return announces.coordinate();
  }

  /**
   * Who handles the tracker's {@code ConnectTo}s; set it right after {@link #start} (one that
   * arrives before is dropped with a log line).
   */
  public void onConnectTo(ConnectToHandler handler) {
    connectToHandler = Objects.requireNonNull(handler, "handler");
  }

  /** Who handles the tracker's {@code PunchWith}s (both sides of a punch); as {@link #onConnectTo}. */
  public void onPunch(PunchHandler handler) {
    punchHandler = Objects.requireNonNull(handler, "handler");
  }

  /** What the tracker last said about this node's reachability; {@code VERDICT_UNKNOWN} until it does. */
  public ReachabilityVerdict reachability() {
    return verdict;
  }

  /** The address the tracker sees this node's connection come from; null until it says. */
  public InetSocketAddress observedAddress() {
    return observed;
  }

  @Override
  public void requestReversal(NodeId holder, Consumer<TrackerException> refused) {
    Objects.requireNonNull(holder, "holder");
    onLoop(() -> {
      if (!ready || !trackerTraversal) {
        refused.accept(new TrackerException(TrackerException.Reason.NOT_CONNECTED, ErrorCode.NONE,
            ready ? "the tracker relays no reversals" : "not connected to the tracker"));
        return;
      }
      long id = reversals.add(refused);
      loop.schedule(() -> reversals.forget(id), config.lookupTimeout().toMillis(), TimeUnit.MILLISECONDS);
      channel.writeAndFlush(TrackerMessage.newBuilder().setReverseConnect(ReverseConnect.newBuilder()
          .setReversalId(id).setNodeId(ByteString.copyFrom(holder.bytes()))).build());
    });
  }

  @Override
  public void requestPunch(NodeId holder, Consumer<TrackerException> refused) {
    Objects.requireNonNull(holder, "holder");
    onLoop(() -> {
      if (!ready || !trackerPunching) {
        refused.accept(new TrackerException(TrackerException.Reason.NOT_CONNECTED, ErrorCode.NONE,
            ready ? "the tracker coordinates no punches" : "not connected to the tracker"));
        return;
      }
      long id = punches.add(refused);
      loop.schedule(() -> punches.forget(id), config.lookupTimeout().toMillis(), TimeUnit.MILLISECONDS);
      channel.writeAndFlush(TrackerMessage.newBuilder().setPunchRequest(PunchRequest.newBuilder()
          .setPunchId(id).setNodeId(ByteString.copyFrom(holder.bytes()))).build());
    });
  }

  /**
   * The tracker's verdict on this node's reachability. An unreachable node is indexed without its
   * port from now on, and the tracker dropped what it had indexed with it: announce everything again.
   */
  void reachabilityReported(Channel ch, ReachabilityReport report) {
    if (ch != channel || !ready) {
      return;
    }
    try {
      observed = new InetSocketAddress(InetAddress.getByAddress(report.getObserved().getIp().toByteArray()),
          report.getObserved().getPort());
    } catch (UnknownHostException | IllegalArgumentException e) {
      observed = null;
    }
    verdict = report.getVerdict();
    log.info("the tracker sees this node at {}, listen port {}: {}", observed, config.listenPort(), verdict);
    listener.reachabilityReported(verdict != ReachabilityVerdict.VERDICT_UNREACHABLE);
    if (verdict == ReachabilityVerdict.VERDICT_UNREACHABLE) {
      announceAll(ch);
    }
  }

  /** The tracker relays a reversal: a reachable node wants this one to connect to it. */
  void connectToRequested(Channel ch, ConnectTo request) throws ProtocolException {
    if (ch != channel || !config.traversal()) {
      return;
    }
    if (request.getStaticKey().size() != 32) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "ConnectTo with a key of " + request.getStaticKey().size() + " bytes");
    }
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByAddress(request.getAddress().getIp().toByteArray()),
          request.getAddress().getPort());
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "ConnectTo with a bad address: " + e.getMessage());
    }
    byte[] key = request.getStaticKey().toByteArray();
    NodeId node = NodeId.ofStaticKey(key);
    ConnectToHandler handler = connectToHandler;
    if (handler == null) {
      log.info("dropping the tracker's request to connect to {}: the node is still starting", node);
      return;
    }
    log.debug("the tracker asks us to connect to {} at {}", node, address);
    handler.connectTo(node, key, address);
  }

  /** The tracker coordinates a punch (ours or another node's): dial the other side from our listen port. */
  void punchRequested(Channel ch, PunchWith request) throws ProtocolException {
    if (ch != channel || !config.punching()) {
      return;
    }
    if (request.getStaticKey().size() != 32) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "PunchWith with a key of " + request.getStaticKey().size() + " bytes");
    }
    if (Integer.toUnsignedLong(request.getStartDelayMs()) > MAX_PUNCH_DELAY_MILLIS) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "PunchWith with a start delay of "
          + Integer.toUnsignedLong(request.getStartDelayMs()) + " ms; at most " + MAX_PUNCH_DELAY_MILLIS);
    }
    int port = request.getAddress().getPort();
    if (!Reachability.acceptsIncoming(port)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "PunchWith with port " + Integer.toUnsignedLong(port));
    }
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByAddress(request.getAddress().getIp().toByteArray()), port);
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "PunchWith with a bad address: " + e.getMessage());
    }
    byte[] key = request.getStaticKey().toByteArray();
    NodeId node = NodeId.ofStaticKey(key);
    PunchHandler handler = punchHandler;
    if (handler == null) {
      log.info("dropping the tracker's request to punch to {}: the node is still starting", node);
      return;
    }
    log.debug("the tracker asks us to punch to {} at {} in {} ms", node, address, request.getStartDelayMs());
    handler.punch(node, key, address, java.time.Duration.ofMillis(request.getStartDelayMs()));
  }

  /** The tracker refused something: a lookup we still wait for, a reversal, a playback report, an announce or withdraw. */
  void trackerError(dev.chorus.protocol.wire.Error error) {
    if (lookups.refused(error) || reversals.refused(error) || punches.refused(error)) {
      return;
    }
    if (error.getReportSequence() != 0) {
      reportRefused(error);
      return;
    }
    if (error.getLookupId() != 0) {
      log.debug("ignoring an error for lookup {}: timed out or unknown", error.getLookupId());
      return;
    }
    if (error.getCode() == ErrorCode.LIMIT_EXCEEDED) {
      holdingsRefused(error);
      return;
    }
    // An announce or withdraw was dropped (e.g. RATE_LIMITED): what the tracker has may now be
    // wrong, so announce everything again once things have calmed down.
    log.warn("tracker refused an announce or withdraw: {} ({}); announcing the whole cache again in {}",
        error.getCode(), error.getDetail(), config.reconnectMaxBackoff());
    listener.requestRefused(error.getCode(), error.getDetail());
    scheduleFullAnnounce(config.reconnectMaxBackoff().toNanos());
  }

  /**
   * The tracker refused playback report {@code error.report_sequence}. Over its rate
   * ({@code RATE_LIMITED}) it did not read it, so the figures go out again with the next report;
   * any other refusal (figures it finds implausible, {@code BAD_REQUEST}) would come back the same,
   * so they are dropped, as the tracker dropped them.
   */
  private void reportRefused(dev.chorus.protocol.wire.Error error) {
    boolean carried = error.getCode() == ErrorCode.RATE_LIMITED && reported != null
        && reported.refused(error.getReportSequence());
    if (carried) {
      log.debug("tracker refused playback report {} ({}); its figures go out with the next one",
          error.getReportSequence(), error.getCode());
    } else {
      log.warn("tracker refused playback report {}: {} ({}); its figures are dropped", error.getReportSequence(),
          error.getCode(), error.getDetail());
    }
    listener.playbackReportRefused(error.getCode(), carried);
  }

  /**
   * The tracker indexed only part of an announce: one of its bounds (holdings per node or per
   * network, partial-bitmap bytes, its memory budget) is reached. The rule (node/README.md,
   * "Tracker client"): nothing is sent early because of it — the refused holdings are offered
   * again with the regular full announce ({@link TrackerClientConfig#refreshInterval()}), which
   * also keeps the accepted ones from expiring — the connection stays, lookups go on, and peers
   * that know the node keep being served. At most one warning per full announce; every refusal
   * goes to the listener.
   */
  private void holdingsRefused(dev.chorus.protocol.wire.Error error) {
    listener.requestRefused(error.getCode(), error.getDetail());
    if (limitWarned) {
      log.debug("tracker refused holdings again: {}", error.getDetail());
      return;
    }
    limitWarned = true;
    log.warn("tracker {}:{} did not index all of this node's cache ({}): it is at one of its limits (holdings per node "
        + "or per network, or its memory budget). Peers that know this node, and the holdings it did index, are "
        + "unaffected; the node offers the rest again with its regular full announce in {}, not sooner. If this "
        + "persists, lower this node's cache size, or ask the tracker's operator to raise --max-holdings-per-key, "
        + "--max-holdings-per-prefix or --max-index-bytes", config.tracker().host(), config.tracker().port(),
        error.getDetail(), config.refreshInterval());
  }

  private void channelClosed(Channel ch, ChannelFuture connecting) {
    if (ch != channel) {
      return;
    }
    channel = null;
    boolean wasReady = ready;
    ready = false;
    connected = false;
    cancel(fullAnnounceTimer);
    fullAnnounceTimer = null;
    cancel(reportTimer);
    reportTimer = null;
    announces.clear();
    trackerTraversal = false;

    CloseReason reason = ch.attr(ProtocolErrorHandler.CLOSE_REASON).get();
    ErrorCode code = reason == null ? ErrorCode.NONE : reason.code();
    String why;
    if (reason != null) {
      why = reason.toString();
    } else if (connecting.cause() != null) {
      why = String.valueOf(connecting.cause().getMessage());
    } else {
      why = wasReady ? "connection closed without a goodbye" : "connection closed during the handshake";
    }
    boolean isClosed = closed.get();
    if (code == ErrorCode.LIMIT_EXCEEDED && reason != null && !reason.isLocal() && wasReady) {
      // The only message a tracker closes the connection over with LIMIT_EXCEEDED is an announce
      // (or withdraw) with more tracks than it takes: the same announce after the backoff would be
      // refused again, forever.
      int was = announces.tracksPerMessage();
      int now = announces.halveMessageSize();
      log.warn("tracker {}:{} closed the connection over a message of up to {} tracks ({}); sending at most {} "
          + "per message from now on", config.tracker().host(), config.tracker().port(), was, why, now);
    }
    lookups.failAll(isClosed ? TrackerException.Reason.CLOSED : TrackerException.Reason.DISCONNECTED, code,
        "the tracker connection ended: " + why);
    reversals.disconnected(code);
    punches.disconnected(code);
    long retry = isClosed ? -1 : rehello ? reconnectNow() : scheduleReconnect(code, reason != null && !reason.isLocal());
    rehello = false;
    String tracker = config.tracker().host() + ":" + config.tracker().port();
    if (code == ErrorCode.DUPLICATE_CONNECTION) {
      log.error("tracker {} dropped this connection for a newer one with the same key: another node instance "
          + "is running with this node's identity; retrying in {} ms", tracker, retry);
    } else if (code == ErrorCode.AUTHENTICATION_FAILED) {
      log.warn("tracker at {} did not prove the pinned key {}: wrong key configured, or someone else at that "
          + "address; retrying in {} ms", tracker, config.tracker().toString().substring(0, 16) + "…", retry);
    } else if (isClosed) {
      log.info("disconnected from tracker {}: client closed", tracker);
    } else if (wasReady) {
      log.info("disconnected from tracker {}: {}; reconnecting in {} ms", tracker, why, retry);
    } else {
      log.info("could not connect to tracker {}: {}; retrying in {} ms", tracker, why, retry);
    }
    if (wasReady) {
      listener.disconnected(code, retry);
    } else {
      listener.connectFailed(code, retry);
    }
  }

  private long reconnectNow() {
    reconnectTimer = loop.schedule(this::connect, 0, TimeUnit.MILLISECONDS);
    return 0;
  }

  /** Schedules the next attempt; returns its delay in milliseconds. */
  private long scheduleReconnect(ErrorCode code, boolean remote) {
    long delay = remote && sentAway(code) ? backoff.atMax() : backoff.next();
    reconnectTimer = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    return delay;
  }

  /** Codes with which a tracker tells a node to go away (or to fix itself) rather than to come back soon. */
  static boolean sentAway(ErrorCode code) {
    switch (code) {
      case BANNED:
      case TOO_MANY_CONNECTIONS:
      case DUPLICATE_CONNECTION:
      case RATE_LIMITED:
      case LIMIT_EXCEEDED:
      case BAD_REQUEST:
      case UNEXPECTED_MESSAGE:
      case MALFORMED_MESSAGE:
      case EMPTY_MESSAGE:
      case FRAME_TOO_LARGE:
      case PROTOCOL_VERSION_UNSUPPORTED:
        return true;
      default:
        return false;
    }
  }


  // ---------------------------------------------------------------- closing

  /**
   * Sends a last playback report if reports are on, says goodbye ({@code NONE}) to the tracker, stops reconnecting, and fails pending lookups with
   * {@link TrackerException.Reason#CLOSED}. Waits (up to a few seconds, not at all on the client's
   * own event loop) for the connection to end. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    connected = false;
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean scheduled = onLoop(() -> {
      cancel(reconnectTimer);
      reconnectTimer = null;
      Channel ch = channel;
      if (ch == null) {
        done.complete(null);
        return;
      }
      ch.closeFuture().addListener(f -> done.complete(null));
      if (ready && ch.isActive()) {
        if (reportTimer != null) {
          sendReport(); // what was played since the last report would otherwise be lost
        }
        Goodbyes.sendAndClose(ch, Envelope.TRACKER.goodbye(ErrorCode.NONE, "node closing"));
      } else {
        ch.close();
      }
    });
    if (!scheduled || loop.inEventLoop()) {
      return;
    }
    try {
      done.get(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("tracker connection still closing after {} ms", CLOSE_WAIT_MILLIS);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Runs {@code task} on the client's event loop; false if the loop no longer accepts tasks. */
  private boolean onLoop(Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
      return true;
    }
    try {
      loop.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  @Override
  public String toString() {
    return "TrackerClient[" + config.tracker().host() + ":" + config.tracker().port()
        + (connected ? ", connected" : closed.get() ? ", closed" : ", connecting") + "]";
  }
}