package dev.chorus.node.internal.peer;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.wire.ErrorCode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's connections to other nodes: a server for incoming ones (unless the node is
 * unreachable), a pool of outgoing ones with the remote key pinned, one Noise-encrypted link per
 * remote identity, and the limits around them — a hard connection limit, bans, an upload rate
 * cap shared by all links, message validation, idle timeout, and Ping/Pong for RTTs.
 *
 * <p>It moves messages; it decides nothing about what to request or serve. The node runtime
 * reads {@link PeerNetworkListener} events, feeds them to the swarm core and sends what the core
 * says through {@link PeerLink}s; when a peer sends a chunk that fails verification, it calls
 * {@link #ban}.
 *
 * <p><b>Duplicates.</b> {@link #connect} returns the existing link to that identity if there is
 * one, incoming or outgoing, and concurrent connects share one attempt. When two nodes dial each
 * other at the same moment both sides keep the connection initiated by the node with the smaller
 * {@link NodeId} and refuse the other with {@code DUPLICATE_CONNECTION} before any Hello, so each
 * listener sees one {@code connected}. A node that dials again (it lost the old connection)
 * replaces its old link.
 *
 * <p><b>Parts.</b> This class is the facade and does the I/O that follows a decision (dialling,
 * goodbyes, shutdown). {@link LinkRegistry} decides, under one lock, who is admitted, which of
 * two crossing connections is kept and when a connect completes; {@link PeerBans} keeps the bans;
 * {@link PeerPipeline} builds the Netty bootstraps and channel pipelines.
 *
 * <p><b>Threads.</b> The caller owns the event loop group (an NIO one); listener callbacks and
 * connect futures complete on the link's event loop. {@link #close} blocks and must not be
 * called from an event loop.
 */
public final class PeerNetwork implements PeerConnections, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerNetwork.class);
  /** Outgoing connections opened, for tests that must know whether a dial happened. */
  private final AtomicInteger dialsStarted = new AtomicInteger();

  /** How long close() waits for every link to say goodbye and close. */
  private static final long CLOSE_WAIT_MILLIS = 5000;

  private final PeerNetworkConfig config;
  private final PeerNetworkListener listener;
  private final Supplier<VivaldiCoordinate> localCoordinate;
  private final LongSupplier nanoTime;
  private final NodeId localId;
  private final PeerMessageRules rules;
  private final PeerPipeline pipeline;
  private final EventLoopGroup group;

  /** Connections, connects in progress, limits and bans, under one lock. */
  private final LinkRegistry registry;

  private volatile Channel serverChannel;
  private volatile int listenPort;

  private PeerNetwork(PeerNetworkConfig config, EventLoopGroup group, PeerNetworkListener listener,
      Supplier<VivaldiCoordinate> localCoordinate, LongSupplier nanoTime) {
    this.config = config;
    this.listener = listener;
    this.localCoordinate = localCoordinate;
    this.nanoTime = nanoTime;
    this.localId = NodeId.ofStaticKey(config.localKey().publicKey());
    this.registry = new LinkRegistry(config, localId, group, nanoTime);
    this.rules = PeerMessageRules.of(config);
    this.pipeline = new PeerPipeline(config, group, localCoordinate);
    this.group = group;
  }

  /**
   * Starts the peer network: binds the server (unless {@code acceptIncoming} is off) before it
   * returns, so {@link #listenPort()} is known.
   *
   * @param group the event loops for every peer connection (NIO); owned by the caller, who shuts
   *     it down after {@link #close()}
   * @param listener receives link events on the links' event loops; must not block
   * @param localCoordinate our current Vivaldi coordinate, sent in Hellos, Pings and Pongs; called
   *     from event loops, so it must be cheap and thread-safe
   * @throws IOException if the server cannot listen (port in use...)
   */
  public static PeerNetwork start(PeerNetworkConfig config, EventLoopGroup group, PeerNetworkListener listener,
      Supplier<VivaldiCoordinate> localCoordinate) throws IOException {
    return start(config, group, listener, localCoordinate, System::nanoTime);
  }

  /** As above with the clock (ban expiry, RTTs) injected, for tests. */
  static PeerNetwork start(PeerNetworkConfig config, EventLoopGroup group, PeerNetworkListener listener,
      Supplier<VivaldiCoordinate> localCoordinate, LongSupplier nanoTime) throws IOException {
    PeerNetwork network = new PeerNetwork(Objects.requireNonNull(config, "config"), Objects.requireNonNull(group, "group"),
        Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(localCoordinate, "localCoordinate"),
        Objects.requireNonNull(nanoTime, "nanoTime"));
    if (config.acceptIncoming()) {
      try {
        network.bind();
      } catch (IOException | RuntimeException e) {
        network.pipeline.releaseShaper();
        throw e;
      }
    }
    log.info("peer network of node {} started: {}", network.localId,
        config.acceptIncoming() ? "listening on port " + network.listenPort : "not accepting connections");
    return network;
  }

  private void bind() throws IOException {
    serverChannel = pipeline.bind(this::accepted);
    listenPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  private void accepted(SocketChannel ch) {
    PeerChannelHandler handler = new PeerChannelHandler(this, false);
    String refused = registry.acceptIncoming(handler);
    if (refused != null) {
      // Nothing can be said securely before the handshake.
      log.debug("refusing a connection from {}: {}", ch.remoteAddress(), refused);
      ch.close();
      return;
    }
    pipeline.install(ch, handler, null, listenPort);
  }

  /**
   * A link to the node holding {@code expectedStaticKey} at {@code address}: the existing one if
   * there is a link to that node already, else a new connection on which the handshake must
   * prove that key. Fails with {@link PeerConnectException}: at once if the node is banned, the
   * connection limit is reached or the network is closing; {@code AUTHENTICATION_FAILED} if
   * someone else answers; the peer's Goodbye code if it refuses us; {@code NONE} (cause attached)
   * if the network fails. Completes on an event loop.
   *
   * @throws IllegalArgumentException if the key is not 32 bytes
   */
  /** Outgoing connections this network has opened (not the connects a link already answered). */
  int dialsStarted() {
    return dialsStarted.get();
  }

  @Override
  public CompletableFuture<PeerLink> connect(InetSocketAddress address, byte[] expectedStaticKey) {
    Objects.requireNonNull(address, "address");
    if (expectedStaticKey.length != 32) {
      throw new IllegalArgumentException("a static key is 32 bytes, got " + expectedStaticKey.length);
    }
    byte[] key = expectedStaticKey.clone();
    return registry.connect(NodeId.ofStaticKey(key), c -> dial(c, address, key));
  }

  @Override
  public CompletableFuture<PeerLink> awaitIncoming(NodeId node, Duration timeout, Consumer<Consumer<String>> ask) {
    Objects.requireNonNull(node, "node");
    return registry.awaitIncoming(node, timeout.toMillis(), c -> ask.accept(why -> registry.stopAwaitingIncoming(c,
        new PeerConnectException(node, ErrorCode.NONE, "reversal refused: " + why, null))));
  }

  @Override
  public CompletableFuture<PeerLink> awaitPunched(NodeId node, Duration timeout, Consumer<Consumer<String>> ask) {
    Objects.requireNonNull(node, "node");
    return registry.awaitIncoming(node, timeout.toMillis(), "no punched connection", "hole punching",
        c -> ask.accept(why -> registry.stopAwaitingIncoming(c,
            new PeerConnectException(node, ErrorCode.NONE, "punch refused: " + why, null))));
  }

  /**
   * One side of a hole punch the tracker coordinates: after {@code startDelay}, dials {@code
   * address} from this node's listen port, again after a refusal or timeout, until a TCP
   * connection opens or {@code window} has passed. Both sides dialling at once makes one
   * connection that each side "initiated" (a simultaneous open), so the Noise roles come from the
   * ids, not from who dialled: the smaller id is the initiator. The handshake must prove {@code
   * key}, and the connection is then admitted as any other. The future says whether a TCP
   * connection opened (false: none within the window, or punching is off).
   */
  public CompletableFuture<Boolean> punch(NodeId node, byte[] key, InetSocketAddress address, Duration startDelay,
      Duration window) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(address, "address");
    if (key.length != 32) {
      throw new IllegalArgumentException("a static key is 32 bytes, got " + key.length);
    }
    if (!config.punching() || listenPort == 0) {
      return CompletableFuture.completedFuture(false);
    }
    HolePunch punch = new HolePunch(node, key.clone(), address,
        nanoTime.getAsLong() + startDelay.toNanos() + window.toNanos());
    group.schedule(punch::attempt, startDelay.toNanos(), TimeUnit.NANOSECONDS);
    return punch.opened;
  }

  /** Pause between two dials of one punch. */
  static final long PUNCH_RETRY_MILLIS = 200;

  /** The dials of one side of one punch. */
  private final class HolePunch {
    final NodeId node;
    final byte[] key;
    final InetSocketAddress address;
    final long deadlineNanos;
    final CompletableFuture<Boolean> opened = new CompletableFuture<>();
    int dials;

    HolePunch(NodeId node, byte[] key, InetSocketAddress address, long deadlineNanos) {
      this.node = node;
      this.key = key;
      this.address = address;
      this.deadlineNanos = deadlineNanos;
    }

    void attempt() {
      long leftNanos = deadlineNanos - nanoTime.getAsLong();
      if (registry.isClosing() || registry.link(node).isPresent() || leftNanos <= 0) {
        // Already linked (the other side's dial reached our server, say): nothing to punch.
        boolean linked = registry.link(node).isPresent();
        if (!linked) {
          // Our own wait for this punch (if we asked for it) need not run to its timeout.
          registry.stopAwaitingIncoming(node, new PeerConnectException(node, ErrorCode.NONE,
              "no TCP connection within the punch window (" + dials + " dials from port " + listenPort + ")", null));
        }
        opened.complete(linked);
        return;
      }
      dials++;
      dialsStarted.incrementAndGet();
      PeerChannelHandler handler = new PeerChannelHandler(PeerNetwork.this, localId.compareTo(node) < 0);
      ChannelFuture connected = pipeline.dialFromListenPort(listenPort, address, TimeUnit.NANOSECONDS.toMillis(leftNanos),
          ch -> {
            if (registry.isClosing()) {
              ch.close();
              return;
            }
            pipeline.install(ch, handler, key, listenPort);
          });
      connected.addListener(f -> {
        if (f.isSuccess()) {
          log.debug("punch to {} at {}: TCP connection open after {} dial(s); {} in the handshake", node, address,
              dials, handler.initiatedLocally ? "initiator" : "responder");
          opened.complete(true);
        } else {
          log.debug("punch to {} at {}: dial {} failed: {}", node, address, dials, f.cause() == null ? "?" : f.cause().getMessage());
          group.schedule(this::attempt, PUNCH_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
      });
    }
  }

  private void dial(PendingConnect c, InetSocketAddress address, byte[] key) {
    dialsStarted.incrementAndGet();
    PeerChannelHandler handler = new PeerChannelHandler(this, true);
    handler.inFlight = true;
    ChannelFuture connected = pipeline.dial(address, ch -> {
      if (registry.isClosing()) {
        ch.close();
        return;
      }
      pipeline.install(ch, handler, key, listenPort);
    });
    Channel ch = connected.channel();
    ch.closeFuture().addListener(f -> registry.outgoingEnded(c, ch, handler, connected));
  }

  /**
   * The handshake on {@code handler}'s channel has named the peer: admit it as that identity's
   * connection, or say why not (the caller sends the Goodbye). Runs on the channel's event loop.
   */
  ProtocolException admit(PeerChannelHandler handler, PeerIdentity remote, ChannelHandlerContext ctx) {
    return registry.admit(handler, remote, ctx);
  }

  /**
   * The admitted connection of {@code handler} has received the peer's Hello: it is a link now,
   * unless another connection replaced it meanwhile. Returns what completes a waiting connect.
   */
  Runnable helloReceived(PeerChannelHandler handler) {
    return registry.helloReceived(handler);
  }

  /** {@code handler}'s channel has become inactive. */
  void channelEnded(PeerChannelHandler handler) {
    registry.channelEnded(handler);
  }

  /**
   * Bans {@code node} for the configured duration, by key and by the IP address it was last
   * linked from (its current link's, or that of a link that has already ended): its link, if any,
   * ends with Goodbye {@code BANNED} (the detail names {@code reason}), and until the ban ends it
   * is refused both ways — we refuse to call its key at once, and a connection to us from its key
   * or from that address is refused with {@code BANNED} after the handshake.
   */
  @Override
  public void ban(NodeId node, ErrorCode reason, String detail) {
    Objects.requireNonNull(node, "node");
    LinkRegistry.Banned banned = registry.ban(node);
    InetAddress address = banned.address();
    log.info("banning node {} (address {}) for {}: {} {}", node, address == null ? "unknown" : address.getHostAddress(),
        config.banDuration(), reason, detail == null ? "" : detail);
    String why = "banned: " + reason + (detail == null || detail.isEmpty() ? "" : " " + detail);
    if (banned.linked() != null) {
      banned.linked().link.close(ErrorCode.BANNED, why);
    }
    if (banned.pending() != null) {
      // Its connection, if one is on the way, is refused at admission.
      banned.pending().future.completeExceptionally(new PeerConnectException(node, ErrorCode.BANNED, why, null));
    }
  }

  /** True while {@code node} is banned. */
  public boolean isBanned(NodeId node) {
    return registry.isBanned(node);
  }

  /** True while connections from {@code address} are refused. */
  public boolean isBanned(InetAddress address) {
    return registry.isBanned(address);
  }

  /** The connected links, a snapshot. */
  @Override
  public Collection<PeerLink> links() {
    return registry.links();
  }

  /** The connected link to {@code node}, if any. */
  @Override
  public Optional<PeerLink> link(NodeId node) {
    return registry.link(node);
  }

  /** The port the server listens on; 0 when it accepts no incoming connections. */
  public int listenPort() {
    return listenPort;
  }

  /** This node's id. */
  public NodeId nodeId() {
    return localId;
  }

  /** Open channels, linked or still in their handshake (tests). */
  int openChannels() {
    return pipeline.openChannels().size();
  }

  /**
   * Stops accepting, fails pending connects, says Goodbye {@code SHUTTING_DOWN} on every link and
   * waits (a few seconds at most) until they are closed. Blocks: not from an event loop.
   */
  @Override
  public void close() {
    LinkRegistry.Closed closed = registry.close();
    if (closed == null) {
      return;
    }
    List<PeerChannelHandler> links = closed.links();
    try {
      Channel server = serverChannel;
      if (server != null) {
        server.close().awaitUninterruptibly();
      }
      for (PendingConnect c : closed.pending()) {
        c.future.completeExceptionally(new PeerConnectException(c.id, ErrorCode.SHUTTING_DOWN, "the peer network is closed", null));
      }
      for (PeerChannelHandler h : links) {
        h.link.close(ErrorCode.SHUTTING_DOWN, "the node is shutting down");
      }
      List<Channel> open = pipeline.openChannels();
      for (Channel ch : open) {
        if (!isLinked(ch, links)) {
          ch.close(); // still in its handshake: nothing can be said securely
        }
      }
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
      for (Channel ch : open) {
        ch.closeFuture().awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      for (PeerChannelHandler h : links) {
        awaitEnded(h, deadline); // so that every disconnected() has been called when close() returns
      }
      log.info("peer network of node {} closed; said goodbye to {} peers", localId, links.size());
    } finally {
      pipeline.releaseShaper();
    }
  }

  private static void awaitEnded(PeerChannelHandler h, long deadline) {
    try {
      h.ended.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("link {} did not end within {} ms of close", h.link, CLOSE_WAIT_MILLIS);
    }
  }

  private static boolean isLinked(Channel ch, List<PeerChannelHandler> links) {
    for (PeerChannelHandler h : links) {
      if (h.link.channel() == ch) {
        return true;
      }
    }
    return false;
  }

  PeerNetworkConfig config() {
    return config;
  }

  PeerNetworkListener listener() {
    return listener;
  }

  PeerMessageRules rules() {
    return rules;
  }

  VivaldiCoordinate localCoordinate() {
    return localCoordinate.get();
  }

  long nanoTime() {
    return nanoTime.getAsLong();
  }

  /** The upload shaper, or null when uploads are not capped (tests). */
  GlobalTrafficShapingHandler shaper() {
    return pipeline.shaper();
  }
}
