package dev.chorus.node.trackerclient;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.limits.TokenBucket;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.netty.CloseReason;
import dev.chorus.protocol.netty.Goodbyes;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Coordinate;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import dev.chorus.protocol.wire.Withdraw;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final EventLoop loop;
  private final HoldingsSource source;
  private final TrackerClientListener listener;
  private final SecureChannelConfig secure;
  private final AtomicBoolean closed = new AtomicBoolean();

  // Event-loop state: touched only on `loop`.
  private final Backoff backoff;
  private final TokenBucket lookupLimiter;
  private final Map<TrackId, Holding> pendingAnnounces = new LinkedHashMap<>();
  private final Set<TrackId> pendingWithdraws = new LinkedHashSet<>();
  private final Map<Long, PendingLookup> lookups = new HashMap<>();
  private Channel channel;
  private boolean ready;
  private long nextLookupId;
  private ScheduledFuture<?> reconnectTimer;
  private ScheduledFuture<?> deltaTimer;
  private ScheduledFuture<?> fullAnnounceTimer;

  /** Mirrors {@code ready} for other threads. */
  private volatile boolean connected;

  private TrackerClient(TrackerClientConfig config, EventLoop loop, HoldingsSource source,
      TrackerClientListener listener, RandomGenerator random) {
    this.config = config;
    this.loop = loop;
    this.source = source;
    this.listener = listener;
    this.secure = SecureChannelConfig.builder(config.keyPair())
        .pinnedRemoteKey(config.tracker().publicKey())
        .handshakeTimeout(config.connectTimeout())
        .build();
    this.backoff = new Backoff(config.reconnectInitialBackoff().toMillis(),
        config.reconnectMaxBackoff().toMillis(), random);
    this.lookupLimiter = new TokenBucket(config.lookupsPerSecond(), config.lookupBurst(), System.nanoTime());
  }

  /**
   * Starts the client: connects in the background and keeps connected until {@link #close()}.
   *
   * @param group a {@code NioEventLoopGroup} the caller owns; the client uses one of its loops
   * @param source the node's cache, read on every (re)connect and refresh
   * @param listener events for metrics and logs ({@link TrackerClientListener#NOOP} for none)
   */
  public static TrackerClient start(TrackerClientConfig config, EventLoopGroup group, HoldingsSource source,
      TrackerClientListener listener) {
    return start(config, group, source, listener, new SecureRandom());
  }

  /** As above with the backoff jitter's randomness injected (tests). */
  static TrackerClient start(TrackerClientConfig config, EventLoopGroup group, HoldingsSource source,
      TrackerClientListener listener, RandomGenerator random) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(listener, "listener");
    EventLoop loop = Objects.requireNonNull(group, "group").next();
    if (!(loop instanceof NioEventLoop)) {
      throw new IllegalArgumentException("group must be a NioEventLoopGroup, was " + group.getClass().getName());
    }
    TrackerClient client = new TrackerClient(config, loop, source, listener, Objects.requireNonNull(random));
    loop.execute(client::connect);
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
      if (!ready) {
        return; // superseded by the full announce on (re)connect
      }
      for (Holding h : copy) {
        pendingWithdraws.remove(h.track());
        pendingAnnounces.put(h.track(), h);
      }
      scheduleDeltas();
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
      if (!ready) {
        return;
      }
      for (TrackId t : copy) {
        pendingAnnounces.remove(t);
        pendingWithdraws.add(t);
      }
      scheduleDeltas();
    });
  }

  private void scheduleDeltas() {
    if (deltaTimer == null) {
      deltaTimer = loop.schedule(this::sendDeltas, config.deltaDelay().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void sendDeltas() {
    deltaTimer = null;
    if (!ready || (pendingAnnounces.isEmpty() && pendingWithdraws.isEmpty())) {
      return;
    }
    Channel ch = channel;
    if (!pendingWithdraws.isEmpty()) {
      int count = pendingWithdraws.size();
      Withdraw.Builder w = Withdraw.newBuilder();
      for (TrackId t : pendingWithdraws) {
        if (w.getTrackIdsCount() == config.maxTracksPerAnnounce()) {
          ch.write(TrackerMessage.newBuilder().setWithdraw(w).build());
          w = Withdraw.newBuilder();
        }
        w.addTrackIds(ByteString.copyFrom(t.bytes()));
      }
      ch.write(TrackerMessage.newBuilder().setWithdraw(w).build());
      pendingWithdraws.clear();
      listener.withdrawSent(count);
    }
    if (!pendingAnnounces.isEmpty()) {
      int count = pendingAnnounces.size();
      writeAnnounce(ch, false, pendingAnnounces.values());
      pendingAnnounces.clear();
      listener.announceSent(count, false);
    }
    ch.flush();
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
    if (lookups.size() >= MAX_PENDING_LOOKUPS) {
      failLookup(result, TrackerException.Reason.LIMITED, ErrorCode.LIMIT_EXCEEDED,
          MAX_PENDING_LOOKUPS + " lookups already waiting for the tracker");
      return;
    }
    long now = System.nanoTime();
    if (!lookupLimiter.tryTake(now)) {
      failLookup(result, TrackerException.Reason.LIMITED, ErrorCode.RATE_LIMITED,
          "over the lookup rate of " + config.lookupsPerSecond() + "/s");
      return;
    }
    long id = ++nextLookupId;
    ScheduledFuture<?> timeout = loop.schedule(() -> {
      PendingLookup p = lookups.remove(id);
      if (p != null) {
        failLookup(p.result, TrackerException.Reason.TIMEOUT, ErrorCode.NONE,
            "no answer from the tracker within " + config.lookupTimeout());
      }
    }, config.lookupTimeout().toNanos(), TimeUnit.NANOSECONDS);
    lookups.put(id, new PendingLookup(result, now, timeout));
    Lookup.Builder lookup = Lookup.newBuilder().setLookupId(id)
        .setTrackId(ByteString.copyFrom(track.bytes())).setMaxPeers(maxPeers);
    if (wanted != null) {
      lookup.setWanted(ChunkSets.bitmap(wanted));
    }
    channel.writeAndFlush(TrackerMessage.newBuilder().setLookup(lookup).build());
  }

  private void lookupAnswered(LookupResult answer) {
    PendingLookup p = lookups.remove(answer.getLookupId());
    if (p == null) {
      log.debug("ignoring the answer to lookup {}: timed out or unknown", answer.getLookupId());
      return;
    }
    p.timeout.cancel(false);
    List<TrackerPeerInfo> peers = new ArrayList<>(answer.getPeersCount());
    for (TrackerPeer wire : answer.getPeersList()) {
      TrackerPeerInfo peer = TrackerPeerInfo.fromWire(wire);
      if (peer == null) {
        log.debug("ignoring an unusable peer in a lookup answer: {}", wire);
      } else {
        peers.add(peer);
      }
    }
    listener.lookupAnswered(peers.size(), System.nanoTime() - p.startNanos);
    p.result.complete(List.copyOf(peers));
  }

  private void failLookup(CompletableFuture<?> result, TrackerException.Reason reason, ErrorCode code, String message) {
    listener.lookupFailed(reason, code);
    result.completeExceptionally(new TrackerException(reason, code, message));
  }

  private void failAllLookups(TrackerException.Reason reason, ErrorCode code, String message) {
    List<PendingLookup> pending = new ArrayList<>(lookups.values());
    lookups.clear();
    for (PendingLookup p : pending) {
      p.timeout.cancel(false);
      failLookup(p.result, reason, code, message);
    }
  }

  private static final class PendingLookup {
    final CompletableFuture<List<TrackerPeerInfo>> result;
    final long startNanos;
    final ScheduledFuture<?> timeout;

    PendingLookup(CompletableFuture<List<TrackerPeerInfo>> result, long startNanos, ScheduledFuture<?> timeout) {
      this.result = result;
      this.startNanos = startNanos;
      this.timeout = timeout;
    }
  }

  // ---------------------------------------------------------------- connection

  private void connect() {
    reconnectTimer = null;
    if (closed.get()) {
      return;
    }
    ChannelFuture connecting = new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Hello hello = Hello.newBuilder().setListenPort(config.listenPort()).setCoordinate(coordinate()).build();
            ChorusPipeline.install(ch.pipeline(), secure, true, Envelope.TRACKER, hello, new Session());
          }
        })
        .connect(config.tracker().host(), config.tracker().port());
    Channel ch = connecting.channel();
    channel = ch;
    ch.closeFuture().addListener(f -> channelClosed(ch, connecting));
  }

  /** The tracker said hello: the connection is ready; announce everything. */
  private void trackerHello(Channel ch) {
    if (ch != channel || closed.get()) {
      return;
    }
    ready = true;
    connected = true;
    int tracks = announceAll(ch);
    log.info("connected to tracker {} at {}; announced {} tracks", config.tracker().host() + ":" + config.tracker().port(),
        ch.remoteAddress(), tracks);
    listener.connected((InetSocketAddress) ch.remoteAddress());
  }

  /**
   * Sends the whole cache (full announce), superseding any pending delta, and schedules the next
   * refresh. Returns the number of tracks, or -1 if the source failed.
   */
  private int announceAll(Channel ch) {
    cancel(fullAnnounceTimer);
    fullAnnounceTimer = null;
    cancel(deltaTimer);
    deltaTimer = null;
    pendingAnnounces.clear();
    pendingWithdraws.clear();
    Collection<Holding> snapshot;
    try {
      snapshot = source.snapshot();
    } catch (RuntimeException e) {
      log.error("could not read the cache to announce it to the tracker; retrying in {}", config.reconnectMaxBackoff(), e);
      scheduleFullAnnounce(config.reconnectMaxBackoff().toNanos());
      return -1;
    }
    ChannelFuture last = writeAnnounce(ch, true, snapshot);
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

  /**
   * Writes {@code holdings} as announces of at most maxTracksPerAnnounce tracks and {@link
   * #MAX_ANNOUNCE_BYTES} each; a full one has {@code more} set on all but the last, and is one
   * empty message for an empty cache. Returns the last write's future; the caller flushes.
   */
  private ChannelFuture writeAnnounce(Channel ch, boolean full, Collection<Holding> holdings) {
    Coordinate coordinate = coordinate();
    Announce.Builder part = newAnnounce(full, coordinate);
    int bytes = 0;
    Iterator<Holding> it = holdings.iterator();
    while (it.hasNext()) {
      TrackHolding t = toWire(it.next());
      int size = t.getSerializedSize() + 8;
      if (part.getTracksCount() > 0
          && (part.getTracksCount() >= config.maxTracksPerAnnounce() || bytes + size > MAX_ANNOUNCE_BYTES)) {
        ch.write(TrackerMessage.newBuilder().setAnnounce(part.setMore(full)).build());
        part = newAnnounce(full, coordinate);
        bytes = 0;
      }
      part.addTracks(t);
      bytes += size;
    }
    return ch.write(TrackerMessage.newBuilder().setAnnounce(part.setMore(false)).build());
  }

  private Announce.Builder newAnnounce(boolean full, Coordinate coordinate) {
    Announce.Builder a = Announce.newBuilder().setFull(full).setCoordinate(coordinate);
    if (!config.region().isEmpty()) {
      a.setRegion(config.region());
    }
    return a;
  }

  private static TrackHolding toWire(Holding h) {
    byte[] bitmap = h.bitmap();
    ChunkSet chunks = bitmap == null ? ChunkSets.complete() : ChunkSets.bitmap(bitmap);
    return TrackHolding.newBuilder().setTrackId(ByteString.copyFrom(h.track().bytes()))
        .setChunks(chunks).setChunkCount(h.chunkCount()).build();
  }

  private Coordinate coordinate() {
    return source.coordinate().toWire();
  }

  /** The tracker refused something that was not a lookup we still wait for. */
  private void trackerError(dev.chorus.protocol.wire.Error error) {
    PendingLookup p = error.getLookupId() == 0 ? null : lookups.remove(error.getLookupId());
    if (p != null) {
      p.timeout.cancel(false);
      failLookup(p.result, TrackerException.Reason.REFUSED, error.getCode(),
          "the tracker refused the lookup: " + error.getCode() + (error.getDetail().isEmpty() ? "" : " (" + error.getDetail() + ")"));
      return;
    }
    if (error.getLookupId() != 0) {
      log.debug("ignoring an error for lookup {}: timed out or unknown", error.getLookupId());
      return;
    }
    // An announce or withdraw was dropped (e.g. RATE_LIMITED): what the tracker has may now be
    // wrong, so announce everything again once things have calmed down.
    log.warn("tracker refused an announce or withdraw: {} ({}); announcing the whole cache again in {}",
        error.getCode(), error.getDetail(), config.reconnectMaxBackoff());
    listener.requestRefused(error.getCode(), error.getDetail());
    scheduleFullAnnounce(config.reconnectMaxBackoff().toNanos());
  }

  private void channelClosed(Channel ch, ChannelFuture connecting) {
    if (ch != channel) {
      return;
    }
    channel = null;
    boolean wasReady = ready;
    ready = false;
    connected = false;
    cancel(deltaTimer);
    cancel(fullAnnounceTimer);
    deltaTimer = null;
    fullAnnounceTimer = null;
    pendingAnnounces.clear();
    pendingWithdraws.clear();

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
    failAllLookups(isClosed ? TrackerException.Reason.CLOSED : TrackerException.Reason.DISCONNECTED, code,
        "the tracker connection ended: " + why);
    long retry = isClosed ? -1 : scheduleReconnect(code, reason != null && !reason.isLocal());
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

  /** The application handler of one connection. */
  private final class Session extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      TrackerMessage message = (TrackerMessage) msg;
      switch (message.getBodyCase()) {
        case HELLO:
          trackerHello(ctx.channel());
          break;
        case LOOKUP_RESULT:
          lookupAnswered(message.getLookupResult());
          break;
        case ERROR:
          trackerError(message.getError());
          break;
        case GOODBYE:
          ctx.fireChannelRead(msg); // the error handler records the reason and closes
          break;
        default:
          throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE,
              "a tracker does not send " + Envelope.TRACKER.kindOf(message) + " to a node");
      }
    }
  }

  // ---------------------------------------------------------------- closing

  /**
   * Says goodbye ({@code NONE}) to the tracker, stops reconnecting, and fails pending lookups with
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
