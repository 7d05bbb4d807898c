package dev.chorus.node.internal.peer;

import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.netty.CloseReason;
import dev.chorus.protocol.netty.NoiseHandshakeCompletionEvent;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.Ping;
import dev.chorus.protocol.wire.Pong;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application end of one peer connection: admission once the handshake names the peer
 * (limits, bans, one link per identity), then the link's traffic: validation, Ping/Pong, and
 * everything else to the listener. One instance per channel, used from its event loop; the
 * fields marked so are guarded by the network's lock.
 *
 * <p>It sits in the pipeline twice: {@link #admission()} before the Hello handler, so that a
 * refused connection gets a Goodbye without our Hello (the peer never sees it as connected), and
 * the handler itself as the application handler, after it.
 */
final class PeerChannelHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(PeerChannelHandler.class);

  private final PeerNetwork network;
  final boolean initiatedLocally;
  /** Guarded by the network's lock: counted as an incoming connection still in its handshake. */
  boolean countedIncoming;
  /** Guarded by the network's lock: counted as an outgoing connection not yet admitted. */
  boolean inFlight;
  /** Set at admission (under the network's lock). */
  volatile ChannelPeerLink link;
  /** The first error seen on the channel, for a failed connect's report. */
  volatile Throwable firstError;

  /** Completes once the channel is inactive and the listener has heard of it. */
  final CompletableFuture<Void> ended = new CompletableFuture<>();

  private ChannelHandlerContext ctx;
  private PingTracker pings;
  private ScheduledFuture<?> pingTask;

  PeerChannelHandler(PeerNetwork network, boolean initiatedLocally) {
    this.network = network;
    this.initiatedLocally = initiatedLocally;
  }

  /** The handler that decides admission; goes before the Hello handler. */
  ChannelHandler admission() {
    return new Admission();
  }

  private final class Admission extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext actx, Object evt) throws Exception {
      if (evt instanceof NoiseHandshakeCompletionEvent) {
        PeerIdentity remote = ((NoiseHandshakeCompletionEvent) evt).remote();
        ProtocolException refusal = network.admit(PeerChannelHandler.this, remote, ctx);
        if (refusal != null) {
          // Not passed on: the Hello handler sends no Hello, the error handler sends the Goodbye.
          actx.fireExceptionCaught(refusal);
          return;
        }
      }
      super.userEventTriggered(actx, evt);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof PeerMessage)) {
      ctx.fireChannelRead(msg);
      return;
    }
    PeerMessage message = (PeerMessage) msg;
    if (message.hasGoodbye()) {
      ctx.fireChannelRead(msg); // the error handler records the reason and closes
      return;
    }
    ChannelPeerLink l = link;
    if (l == null || l.isClosing()) {
      return; // refused, replaced or ending: nothing it says counts any more
    }
    try {
      network.rules().check(message);
    } catch (ProtocolException e) {
      ctx.fireExceptionCaught(e);
      return;
    }
    switch (message.getBodyCase()) {
      case HELLO:
        hello(l, message);
        break;
      case PING:
        Ping ping = message.getPing();
        l.remoteCoordinate(VivaldiCoordinate.fromWireOrOrigin(ping.getCoordinate()));
        ctx.writeAndFlush(PeerMessage.newBuilder().setPong(Pong.newBuilder()
            .setNonce(ping.getNonce()).setCoordinate(network.localCoordinate().toWire())).build());
        break;
      case PONG:
        pong(l, message.getPong());
        break;
      default:
        if (l.connected) {
          network.listener().message(l, message);
        }
        break;
    }
  }

  private void hello(ChannelPeerLink l, PeerMessage message) {
    l.remoteHello(message.getHello());
    Runnable completeConnect = network.helloReceived(this);
    if (!l.connected) {
      return; // replaced by another connection of the same node before its Hello came
    }
    log.debug("connected to {}", l);
    long interval = network.config().pingInterval().toNanos();
    pings = new PingTracker(ThreadLocalRandom.current().nextLong());
    ping();
    pingTask = ctx.executor().scheduleAtFixedRate(this::ping, interval, interval, TimeUnit.NANOSECONDS);
    network.listener().connected(l);
    if (completeConnect != null) {
      completeConnect.run();
    }
  }

  private void ping() {
    ChannelPeerLink l = link;
    if (l == null || !l.isOpen()) {
      return;
    }
    long nonce = pings.sent(network.nanoTime());
    ctx.writeAndFlush(PeerMessage.newBuilder().setPing(Ping.newBuilder()
        .setNonce(nonce).setCoordinate(network.localCoordinate().toWire())).build());
  }

  private void pong(ChannelPeerLink l, Pong pong) {
    VivaldiCoordinate remote = VivaldiCoordinate.fromWireOrOrigin(pong.getCoordinate());
    l.remoteCoordinate(remote);
    if (pings == null) {
      return;
    }
    long rtt = pings.answered(pong.getNonce(), network.nanoTime());
    if (rtt >= 0) {
      l.rttNanos(rtt);
      network.listener().rttMeasured(l, rtt, remote);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.fireExceptionCaught(new ProtocolException(ErrorCode.IDLE_TIMEOUT,
          "nothing received for " + network.config().idleTimeout()));
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    ChannelPeerLink l = link;
    if (l != null && l.connected) {
      network.listener().writabilityChanged(l, ctx.channel().isWritable());
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (firstError == null) {
      firstError = cause;
    }
    if (cause instanceof IOException) {
      // A reset or a vanished peer: common in a swarm and not a protocol matter. No Goodbye can
      // be sent on a broken connection anyway.
      log.debug("connection to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    try {
      if (pingTask != null) {
        pingTask.cancel(false);
      }
      network.channelEnded(this);
      ChannelPeerLink l = link;
      if (l != null && l.connected) {
        CloseReason reason = ctx.channel().attr(ProtocolErrorHandler.CLOSE_REASON).get();
        ErrorCode code = reason == null ? ErrorCode.NONE : reason.code();
        log.debug("disconnected from {}: {}", l, reason == null ? "connection ended without a goodbye" : reason);
        network.listener().disconnected(l, code);
      }
    } finally {
      ended.complete(null);
    }
    super.channelInactive(ctx);
  }
}
