package dev.chorus.node.internal.peer;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.netty.CloseReason;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.wire.ErrorCode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@link PeerNetwork}'s bookkeeping, under one lock: the admitted connection of each identity, the
 * connects in progress, the connection slots in use, the bans, and whether the network is closing.
 *
 * <p>Why one lock for all of it: admission must see the limit, the bans, the pending connects and
 * the existing link of an identity at one instant, or two connections to one node could both be
 * admitted. Nothing under the lock does I/O or calls out; what completes a connect future is
 * returned as a {@link Runnable} and run after the lock is released, because a future's callbacks
 * may call back into the network.
 *
 * <p>Duplicates are resolved at admission, after the handshake has named the peer: the same
 * initiator again means the old connection is dead to its dialler, so the newer one wins; a
 * simultaneous connect (opposite initiators) keeps the connection initiated by the node with the
 * smaller id, which both sides compute alike, so each ends with the same single link.
 */
final class LinkRegistry {
  private final PeerNetworkConfig config;
  private final NodeId localId;
  private final EventLoopGroup group;

  private final Object lock = new Object();
  /** Admitted connections, at most one per identity; guarded by lock. */
  private final Map<NodeId, PeerChannelHandler> registered = new HashMap<>();
  /** Connect attempts awaiting a link; guarded by lock. */
  private final Map<NodeId, PendingConnect> connecting = new HashMap<>();
  /** Bans by key and by address; guarded by lock. */
  private final PeerBans bans;
  /** Outgoing connections not yet admitted (they hold a slot); guarded by lock. */
  private int outgoingInFlight;
  /** Incoming connections still in their handshake; guarded by lock. */
  private int incomingHandshakes;
  private boolean closing;

  /** What {@link #ban} found: the address also banned (or null), the link and the connect to end (or null). */
  record Banned(InetAddress address, PeerChannelHandler linked, PendingConnect pending) {}

  /** What {@link #close} leaves to end: the admitted connections and the connects in progress. */
  record Closed(List<PeerChannelHandler> links, List<PendingConnect> pending) {}

  LinkRegistry(PeerNetworkConfig config, NodeId localId, EventLoopGroup group, LongSupplier nanoTime) {
    this.config = config;
    this.localId = localId;
    this.group = group;
    this.bans = new PeerBans(nanoTime);
  }

  /**
   * An incoming connection is starting its handshake: counts it, or says why it is refused (then
   * it is closed at once, as nothing can be said securely before the handshake).
   */
  String acceptIncoming(PeerChannelHandler handler) {
    synchronized (lock) {
      if (closing || incomingHandshakes >= config.maxConnections()) {
        // A flood of handshakes is bounded here.
        return closing ? "shutting down" : incomingHandshakes + " handshakes already in progress";
      }
      incomingHandshakes++;
      handler.countedIncoming = true;
      return null;
    }
  }

  /**
   * What a connect or a wait for {@code id} gets without starting anything: a failure (closing,
   * this node's own key, a ban), the connected link, or a share of a connect in progress; null
   * when none applies. Called under the lock.
   */
  private CompletableFuture<PeerLink> settledOrShared(NodeId id) {
    if (closing) {
      return failed(id, ErrorCode.SHUTTING_DOWN, "the peer network is closed");
    }
    if (id.equals(localId)) {
      return failed(id, ErrorCode.NONE, "that is this node's own key");
    }
    long banLeft = bans.leftNanos(id);
    if (banLeft > 0) {
      return failed(id, ErrorCode.BANNED, "banned by this node for another " + TimeUnit.NANOSECONDS.toSeconds(banLeft) + " s");
    }
    PeerChannelHandler existing = registered.get(id);
    if (existing != null && existing.link.connected) {
      return CompletableFuture.completedFuture(existing.link);
    }
    PendingConnect c = connecting.get(id);
    return c == null ? null : c.future.copy();
  }

  /**
   * A link to {@code id}: the existing one, a share of a connect in progress, a failure, or a new
   * connect, which {@code dial} starts (outside the lock).
   */
  CompletableFuture<PeerLink> connect(NodeId id, Consumer<PendingConnect> dial) {
    PendingConnect c;
    synchronized (lock) {
      CompletableFuture<PeerLink> settled = settledOrShared(id);
      if (settled != null) {
        return settled;
      }
      PeerChannelHandler existing = registered.get(id);
      if (existing == null && registered.size() + outgoingInFlight >= config.maxConnections()) {
        return failed(id, ErrorCode.TOO_MANY_CONNECTIONS,
            "this node's limit of " + config.maxConnections() + " connections is reached");
      }
      c = new PendingConnect(id);
      connecting.put(id, c);
      if (existing != null) {
        return c.future.copy(); // its Hello is on the way
      }
      outgoingInFlight++;
      c.dialing = true;
    }
    dial.accept(c);
    return c.future.copy();
  }

  /**
   * A link to {@code id} that the peer itself will open (connection reversal): the existing link,
   * a share of a connect in progress, or a new wait that fails after {@code timeoutMillis} unless
   * the peer's connection has become a link. {@code ask} (outside the lock) asks for that
   * connection and returns the wait's {@link PendingConnect} so that a refusal can end it early.
   */
  CompletableFuture<PeerLink> awaitIncoming(NodeId id, long timeoutMillis, Consumer<PendingConnect> ask) {
    return awaitIncoming(id, timeoutMillis, "the node did not connect back", "reversal", ask);
  }

  /**
   * As above; the wait's timeout says {@code what} did not happen within the time, by {@code how}
   * (a reversal: the node's own connection; a punch: either side's dial from its listen port).
   */
  CompletableFuture<PeerLink> awaitIncoming(NodeId id, long timeoutMillis, String what, String how,
      Consumer<PendingConnect> ask) {
    PendingConnect c;
    synchronized (lock) {
      CompletableFuture<PeerLink> settled = settledOrShared(id);
      if (settled != null) {
        return settled;
      }
      c = new PendingConnect(id);
      c.awaitingOther = true;
      connecting.put(id, c);
    }
    PendingConnect waiting = c;
    group.schedule(() -> stopAwaitingIncoming(waiting, new PeerConnectException(id, ErrorCode.NONE,
        what + " within " + timeoutMillis + " ms (" + how + ")", null)), timeoutMillis, TimeUnit.MILLISECONDS);
    ask.accept(c);
    return c.future.copy();
  }

  /** The wait {@code c} of {@link #awaitIncoming} ends with {@code failure} unless it is linked already. */
  void stopAwaitingIncoming(PendingConnect c, PeerConnectException failure) {
    Runnable then;
    synchronized (lock) {
      if (!c.awaitingOther) {
        return;
      }
      c.awaitingOther = false;
      if (c.failure == null) {
        c.failure = failure;
      }
      then = settle(c);
    }
    run(then);
  }

  /** A wait of {@link #awaitIncoming} for {@code id}, if one is on, ends with {@code failure} unless it is linked. */
  void stopAwaitingIncoming(NodeId id, PeerConnectException failure) {
    PendingConnect c;
    synchronized (lock) {
      c = connecting.get(id);
    }
    if (c != null) {
      stopAwaitingIncoming(c, failure);
    }
  }

  boolean isClosing() {
    synchronized (lock) {
      return closing;
    }
  }

  /** Our outgoing connection {@code ch} for {@code c} has closed, linked or not. */
  void outgoingEnded(PendingConnect c, Channel ch, PeerChannelHandler handler, ChannelFuture connected) {
    Runnable then;
    synchronized (lock) {
      releaseSlots(handler);
      if (!c.dialing) {
        return;
      }
      c.dialing = false;
      CloseReason reason = ch.attr(ProtocolErrorHandler.CLOSE_REASON).get();
      if (reason != null && reason.code() == ErrorCode.DUPLICATE_CONNECTION) {
        // Lost a simultaneous connect: the peer's own connection to us is (or will be) the link.
        c.awaitingOther = true;
        group.schedule(() -> stopAwaitingOther(c), 2 * config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } else if (c.failure == null) {
        c.failure = PendingConnect.failureOf(c.id, ch, handler, connected.cause());
      }
      then = settle(c);
    }
    run(then);
  }

  private void stopAwaitingOther(PendingConnect c) {
    Runnable then;
    synchronized (lock) {
      c.awaitingOther = false;
      if (c.failure == null) {
        c.failure = new PeerConnectException(c.id, ErrorCode.DUPLICATE_CONNECTION,
            "the node refused our connection as a duplicate, but its own never came", null);
      }
      then = settle(c);
    }
    run(then);
  }

  /** With the lock held: what to do now about {@code c} (complete, fail, or nothing yet). */
  private Runnable settle(PendingConnect c) {
    if (connecting.get(c.id) != c) {
      return null;
    }
    PeerChannelHandler current = registered.get(c.id);
    if (current != null && current.link.connected) {
      connecting.remove(c.id);
      ChannelPeerLink link = current.link;
      return () -> c.future.complete(link);
    }
    if (current != null || c.dialing || c.awaitingOther) {
      return null; // something is still on its way
    }
    connecting.remove(c.id);
    PeerConnectException failure = c.failure != null ? c.failure
        : new PeerConnectException(c.id, ErrorCode.NONE, "the connection ended before the hello", null);
    return () -> c.future.completeExceptionally(failure);
  }

  /** See {@link PeerNetwork#admit}. */
  ProtocolException admit(PeerChannelHandler handler, PeerIdentity remote, ChannelHandlerContext ctx) {
    NodeId id = remote.nodeId();
    PeerChannelHandler replaced;
    synchronized (lock) {
      releaseSlots(handler);
      if (closing) {
        return new ProtocolException(ErrorCode.SHUTTING_DOWN, "the node is shutting down");
      }
      if (id.equals(localId)) {
        return new ProtocolException(ErrorCode.DUPLICATE_CONNECTION, "a connection from this node to itself");
      }
      InetAddress from = remoteIp(ctx.channel());
      if (bans.leftNanos(id) > 0 || (!handler.initiatedLocally && from != null && bans.leftNanos(from) > 0)) {
        return new ProtocolException(ErrorCode.BANNED, "this node has banned yours for a while");
      }
      replaced = registered.get(id);
      ProtocolException refusal = replaced == null ? refuseNew(handler, id) : refuseDuplicate(handler, replaced, id);
      if (refusal != null) {
        return refusal;
      }
      handler.link = new ChannelPeerLink(ctx, remote, handler.initiatedLocally);
      registered.put(id, handler);
      if (from != null) {
        bans.linkedFrom(id, from);
      }
    }
    if (replaced != null) {
      replaced.link.close(ErrorCode.DUPLICATE_CONNECTION, "a newer connection between the same nodes replaced this one");
    }
    return null;
  }

  /** With the lock held: why a first connection with {@code id} is refused, or null. */
  private ProtocolException refuseNew(PeerChannelHandler handler, NodeId id) {
    PendingConnect c = connecting.get(id);
    if (!handler.initiatedLocally && localPreferred(id) && c != null && c.dialing) {
      return new ProtocolException(ErrorCode.DUPLICATE_CONNECTION,
          "simultaneous connect: keeping the connection initiated by the node with the smaller id");
    }
    if (registered.size() + outgoingInFlight >= config.maxConnections()) {
      return new ProtocolException(ErrorCode.TOO_MANY_CONNECTIONS,
          "this node has its maximum of " + config.maxConnections() + " peer connections");
    }
    return null;
  }

  /** With the lock held: why a connection with {@code id} does not replace {@code existing}, or null. */
  private ProtocolException refuseDuplicate(PeerChannelHandler handler, PeerChannelHandler existing, NodeId id) {
    // Same initiator: the newer connection wins (the old one is dead to its dialler).
    // Opposite initiators (a simultaneous connect): the smaller id's connection wins.
    boolean wins = existing.initiatedLocally == handler.initiatedLocally || handler.initiatedLocally == localPreferred(id);
    if (!wins) {
      return new ProtocolException(ErrorCode.DUPLICATE_CONNECTION,
          "a connection between these nodes exists; keeping the one initiated by the node with the smaller id");
    }
    return null;
  }

  /** True if, of the connections between us and {@code id}, the one we initiate is kept. */
  private boolean localPreferred(NodeId id) {
    return localId.compareTo(id) < 0;
  }

  /** See {@link PeerNetwork#helloReceived}. */
  Runnable helloReceived(PeerChannelHandler handler) {
    ChannelPeerLink link = handler.link;
    synchronized (lock) {
      if (closing || registered.get(link.nodeId()) != handler) {
        return null;
      }
      link.connected = true;
      PendingConnect c = connecting.get(link.nodeId());
      return c == null ? null : settle(c);
    }
  }

  /** {@code handler}'s channel has become inactive. */
  void channelEnded(PeerChannelHandler handler) {
    Runnable then = null;
    synchronized (lock) {
      releaseSlots(handler);
      ChannelPeerLink link = handler.link;
      if (link != null && registered.remove(link.nodeId(), handler)) {
        PendingConnect c = connecting.get(link.nodeId());
        if (c != null) {
          if (c.failure == null && !handler.initiatedLocally) {
            c.failure = PendingConnect.failureOf(c.id, link.channel(), handler, null);
          }
          then = settle(c);
        }
      }
    }
    run(then);
  }

  /** With the lock held: {@code handler} no longer holds a handshake or outgoing slot. */
  private void releaseSlots(PeerChannelHandler handler) {
    if (handler.countedIncoming) {
      handler.countedIncoming = false;
      incomingHandshakes--;
    }
    if (handler.inFlight) {
      handler.inFlight = false;
      outgoingInFlight--;
    }
  }

  /** Bans {@code node} for the configured duration; the caller ends its link and connect. */
  Banned ban(NodeId node) {
    synchronized (lock) {
      InetAddress address = bans.ban(node, config.banDuration().toNanos());
      return new Banned(address, registered.get(node), connecting.remove(node));
    }
  }

  boolean isBanned(NodeId node) {
    synchronized (lock) {
      return bans.leftNanos(node) > 0;
    }
  }

  boolean isBanned(InetAddress address) {
    synchronized (lock) {
      return bans.leftNanos(address) > 0;
    }
  }

  Collection<PeerLink> links() {
    synchronized (lock) {
      List<PeerLink> links = new ArrayList<>(registered.size());
      for (PeerChannelHandler h : registered.values()) {
        if (h.link.connected) {
          links.add(h.link);
        }
      }
      return links;
    }
  }

  Optional<PeerLink> link(NodeId node) {
    synchronized (lock) {
      PeerChannelHandler h = registered.get(node);
      return h != null && h.link.connected ? Optional.of(h.link) : Optional.empty();
    }
  }

  /** Marks the network closing; null if it already was. */
  Closed close() {
    synchronized (lock) {
      if (closing) {
        return null;
      }
      closing = true;
      List<PendingConnect> pending = new ArrayList<>(connecting.values());
      connecting.clear();
      return new Closed(new ArrayList<>(registered.values()), pending);
    }
  }

  private static InetAddress remoteIp(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  private static CompletableFuture<PeerLink> failed(NodeId id, ErrorCode code, String message) {
    return CompletableFuture.failedFuture(new PeerConnectException(id, code, message, null));
  }

  private static void run(Runnable r) {
    if (r != null) {
      r.run();
    }
  }
}
