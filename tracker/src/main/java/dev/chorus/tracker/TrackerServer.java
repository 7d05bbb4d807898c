package dev.chorus.tracker;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.netty.Goodbyes;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.LookupPolicy;
import dev.chorus.tracker.index.PeerIndex;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker: accepts Noise connections from nodes, keeps what they announce in a {@link
 * PeerIndex}, and answers lookups with the nearest peers. Start with {@link #start}, stop with
 * {@link #close}, which says goodbye ({@code SHUTTING_DOWN}) to every connected node first.
 */
public final class TrackerServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrackerServer.class);

  private final TrackerConfig config;
  private final PeerIndex index;
  private final TrackerListener listener;
  private final LookupPolicy lookups;
  private final AbuseGuard guard;
  private final LongSupplier nanoTime;
  private final LongSupplier epochMillis;
  private final SplittableRandom seeds;
  private final ConcurrentMap<NodeId, Channel> sessions = new ConcurrentHashMap<>();
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup ioGroup;
  private final ByteCounter byteCounter;
  private final SecureChannelConfig secure;
  private final LookupReplyEncoder replies;
  private final ReachabilityProbe probe;
  private volatile Channel serverChannel;
  private volatile boolean closing;
  /** Refreshed by housekeeping, so metrics scrapes never wait on (or hammer) a remote index. */
  private volatile IndexStats lastStats = new IndexStats(0, 0, 0);

  private TrackerServer(TrackerConfig config, PeerIndex index, TrackerListener listener,
      LongSupplier nanoTime, LongSupplier epochMillis, long seed) {
    this.config = config;
    this.index = index;
    this.listener = listener;
    this.lookups = config.lookupPolicy();
    this.guard = new AbuseGuard(config.maxConnectionsPerIp(), config.violationsBeforeBan(),
        config.violationWindow().toNanos(), config.banDuration().toNanos(), 100_000);
    this.nanoTime = nanoTime;
    this.epochMillis = epochMillis;
    this.seeds = new SplittableRandom(seed);
    this.bossGroup = config.transport().newGroup(1, new DefaultThreadFactory("tracker-accept", true));
    this.ioGroup = config.transport().newGroup(config.ioThreads(), new DefaultThreadFactory("tracker-io", true));
    this.byteCounter = new ByteCounter(listener);
    this.secure = SecureChannelConfig.builder(config.keyPair())
        .maxFrameBytes(config.maxFrameBytes())
        .handshakeTimeout(config.handshakeTimeout())
        .build();
    this.replies = new LookupReplyEncoder(secure.frameFormat());
    this.probe = new ReachabilityProbe(config.traversal(), ioGroup, config.transport(), config.keyPair(), nanoTime);
  }

  /**
   * Starts a tracker on {@code config.listenAddress()} serving {@code index}, which it does not
   * own (the caller closes it after the server).
   */
  public static TrackerServer start(TrackerConfig config, PeerIndex index, TrackerListener listener)
      throws InterruptedException {
    return start(config, index, listener, System::nanoTime, System::currentTimeMillis, System.nanoTime());
  }

  /** As above with the clocks and the ranking randomness injected (tests). */
  static TrackerServer start(TrackerConfig config, PeerIndex index, TrackerListener listener,
      LongSupplier nanoTime, LongSupplier epochMillis, long seed) throws InterruptedException {
    TrackerServer server = new TrackerServer(config, index, listener, nanoTime, epochMillis, seed);
    try {
      server.bind();
    } catch (InterruptedException | RuntimeException e) {
      server.shutdownGroups();
      throw e;
    }
    return server;
  }

  private void bind() throws InterruptedException {
    Hello.Builder helloBuilder = Hello.newBuilder().addCapabilities("tracker").addCapabilities(PlaybackReports.CAPABILITY);
    if (config.traversal().reversal()) {
      helloBuilder.addCapabilities(Reachability.TRAVERSAL_CAPABILITY);
    }
    if (config.traversal().punching()) {
      helloBuilder.addCapabilities(Reachability.PUNCH_CAPABILITY);
    }
    Hello hello = helloBuilder.build();
    ChannelFuture bound = new ServerBootstrap()
        .group(bossGroup, ioGroup)
        .channel(config.transport().serverSocketChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast("bytes", byteCounter);
            ChorusPipeline.install(ch.pipeline(), secure, false, Envelope.TRACKER, hello,
                new TrackerSessionHandler(TrackerServer.this, nextRandom()));
            // The answers to one read batch flushed once at its end: one write() syscall instead of
            // one per answer (profiled: ~27% kernel time), and above the secure channel, so that
            // they share one Noise record (one AES-GCM pass). Flushes outside a read wait only for
            // the event loop's current task.
            ch.pipeline().addAfter(ChorusPipeline.NOISE, "flushes", new FlushConsolidationHandler(256, true));
            ch.pipeline().addBefore(ChorusPipeline.MESSAGE_DECODER, RequestDecoderHandler.NAME,
                new RequestDecoderHandler(config.maxTracksPerAnnounce()));
            long idle = config.idleTimeout().toNanos();
            ch.pipeline().addBefore(ChorusPipeline.APPLICATION, "idle",
                new IdleStateHandler(idle, 0, 0, TimeUnit.NANOSECONDS));
          }
        })
        .bind(config.listenAddress());
    bound.sync();
    serverChannel = bound.channel();
    scheduleHousekeeping();
    log.info("tracker listening on {} with key {} ({} transport, {} I/O threads)", serverChannel.localAddress(),
        publicKeyHex(), config.transport(), config.ioThreads());
  }

  /**
   * Every {@link TrackerConfig#statsInterval()}: refresh the index sizes for metrics; every
   * {@link TrackerConfig#expireInterval()}: drop entries past their TTL. Runs on the accept
   * thread's loop; the index calls are asynchronous, so nothing blocks it. Several instances
   * sharing one index may all expire: it is idempotent.
   */
  private void scheduleHousekeeping() {
    long statsMillis = config.statsInterval().toMillis();
    long expireMillis = config.expireInterval().toMillis();
    bossGroup.scheduleAtFixedRate(this::refreshStats, 0, statsMillis, TimeUnit.MILLISECONDS);
    bossGroup.scheduleAtFixedRate(this::expireEntries, expireMillis, expireMillis, TimeUnit.MILLISECONDS);
  }

  private void refreshStats() {
    index.stats().whenComplete((stats, error) -> {
      if (error != null) {
        log.warn("could not read the peer index sizes", error);
      } else {
        lastStats = stats;
      }
    });
  }

  private void expireEntries() {
    index.expire(epochMillis()).whenComplete((removed, error) -> {
      if (error != null) {
        log.warn("expiring peer index entries failed", error);
      } else if (removed > 0) {
        log.info("expired {} peer index entries older than {}", removed, config.index().ttl());
      }
    });
  }

  private synchronized SplittableRandom nextRandom() {
    return seeds.split();
  }

  /** The address the server listens on (with the real port if 0 was asked for). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** The tracker's static public key, which nodes pin (`key@host:port`). */
  public byte[] publicKey() {
    return config.keyPair().publicKey();
  }

  public String publicKeyHex() {
    return java.util.HexFormat.of().formatHex(publicKey());
  }

  /** Nodes connected and past the handshake. */
  public int connectedPeers() {
    return sessions.size();
  }

  /** Index sizes as of the last refresh (every {@link TrackerConfig#statsInterval()}), for metrics. */
  public IndexStats indexStats() {
    return lastStats;
  }

  public boolean isRunning() {
    return !closing && serverChannel != null && serverChannel.isActive();
  }

  TrackerConfig config() {
    return config;
  }

  PeerIndex index() {
    return index;
  }

  TrackerListener listener() {
    return listener;
  }

  LookupPolicy lookups() {
    return lookups;
  }

  LookupReplyEncoder replies() {
    return replies;
  }

  ReachabilityProbe probe() {
    return probe;
  }

  /** The current connection of {@code node} to this instance, or null. */
  Channel session(NodeId node) {
    return sessions.get(node);
  }

  AbuseGuard guard() {
    return guard;
  }

  long nanoTime() {
    return nanoTime.getAsLong();
  }

  long epochMillis() {
    return epochMillis.getAsLong();
  }

  /** Makes {@code channel} the connection of {@code identity}; an older one is told to go. */
  void register(PeerIdentity identity, Channel channel) {
    Channel previous = sessions.put(identity.nodeId(), channel);
    if (previous != null && previous != channel) {
      Goodbyes.sendAndClose(previous, Envelope.TRACKER.goodbye(ErrorCode.DUPLICATE_CONNECTION,
          "a newer connection with the same identity replaced this one"));
    }
  }

  /** True if {@code channel} was the current connection of {@code identity} (its entries must go). */
  boolean unregister(PeerIdentity identity, Channel channel) {
    return sessions.remove(identity.nodeId(), channel);
  }

  /** Stops accepting, says goodbye to every node, waits up to the grace period, stops. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      if (serverChannel != null) {
        serverChannel.close().syncUninterruptibly();
      }
      List<ChannelFuture> closed = new ArrayList<>();
      for (Channel channel : sessions.values()) {
        closed.add(Goodbyes.sendAndClose(channel, Envelope.TRACKER.goodbye(ErrorCode.SHUTTING_DOWN, "tracker shutting down")));
      }
      long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
      for (ChannelFuture f : closed) {
        f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      log.info("tracker on {} stopped; said goodbye to {} nodes", serverChannel == null ? "-" : serverChannel.localAddress(), closed.size());
    } finally {
      shutdownGroups();
    }
  }

  private void shutdownGroups() {
    bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Counts bytes on the wire both ways for the metrics; sharable, stateless. */
  @Sharable
  static final class ByteCounter extends ChannelDuplexHandler {
    private final TrackerListener listener;

    ByteCounter(TrackerListener listener) {
      this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof ByteBuf) {
        listener.bytesReceived(((ByteBuf) msg).readableBytes());
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (msg instanceof ByteBuf) {
        listener.bytesSent(((ByteBuf) msg).readableBytes());
      }
      super.write(ctx, msg, promise);
    }
  }
}
