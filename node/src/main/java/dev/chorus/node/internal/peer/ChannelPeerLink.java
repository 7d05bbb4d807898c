package dev.chorus.node.internal.peer;

import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.PeerMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link PeerLink} over one Netty channel; writes go in at the application handler's context. */
final class ChannelPeerLink implements PeerLink {
  private static final Logger log = LoggerFactory.getLogger(ChannelPeerLink.class);

  /** Write failures on a live channel are bugs of ours (e.g. a message over the frame limit): say so. */
  private static final ChannelFutureListener LOG_WRITE_FAILURE = f -> {
    if (!f.isSuccess() && f.channel().isActive() && !(f.cause() instanceof ClosedChannelException)) {
      log.warn("a write to {} failed", f.channel().remoteAddress(), f.cause());
    }
  };

  private final Channel channel;
  private final ChannelHandlerContext ctx;
  private final PeerIdentity identity;
  private final InetSocketAddress remoteAddress;
  private final boolean initiatedLocally;
  /** Set (under the network's lock) when both Hellos are exchanged and this is the identity's link. */
  volatile boolean connected;
  private volatile boolean closeRequested;
  private volatile Hello remoteHello = Hello.getDefaultInstance();
  private volatile long rttNanos = -1;
  private volatile VivaldiCoordinate remoteCoordinate = VivaldiCoordinate.ORIGIN;

  ChannelPeerLink(ChannelHandlerContext ctx, PeerIdentity identity, boolean initiatedLocally) {
    this.channel = ctx.channel();
    this.ctx = ctx;
    this.identity = identity;
    this.remoteAddress = (InetSocketAddress) channel.remoteAddress();
    this.initiatedLocally = initiatedLocally;
  }

  Channel channel() {
    return channel;
  }

  void remoteHello(Hello hello) {
    this.remoteHello = hello;
    this.remoteCoordinate = VivaldiCoordinate.fromWireOrOrigin(hello.getCoordinate());
  }

  void remoteCoordinate(VivaldiCoordinate coordinate) {
    this.remoteCoordinate = coordinate;
  }

  void rttNanos(long rttNanos) {
    this.rttNanos = rttNanos;
  }

  /** True once a close was asked for, by us or by the protocol error handler. */
  boolean isClosing() {
    return closeRequested || channel.attr(ProtocolErrorHandler.CLOSE_REASON).get() != null;
  }

  @Override
  public PeerIdentity identity() {
    return identity;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  @Override
  public Hello remoteHello() {
    return remoteHello;
  }

  @Override
  public boolean initiatedLocally() {
    return initiatedLocally;
  }

  @Override
  public boolean send(PeerMessage message) {
    return write(message, true);
  }

  @Override
  public boolean write(PeerMessage message) {
    return write(message, false);
  }

  @Override
  public boolean sendAll(java.util.List<PeerMessage> messages) {
    for (PeerMessage m : messages) {
      check(m);
    }
    if (!isOpen()) {
      return false;
    }
    if (ctx.executor().inEventLoop()) {
      writeBatch(messages);
    } else {
      ctx.executor().execute(() -> writeBatch(messages));
    }
    return true;
  }

  private void writeBatch(java.util.List<PeerMessage> messages) {
    for (PeerMessage m : messages) {
      ctx.write(m).addListener(LOG_WRITE_FAILURE);
    }
    ctx.flush();
  }

  private static void check(PeerMessage message) {
    switch (message.getBodyCase()) {
      case HELLO:
      case GOODBYE:
      case PING:
      case PONG:
      case BODY_NOT_SET:
        throw new IllegalArgumentException("the peer network sends " + message.getBodyCase() + " itself");
      default:
        break;
    }
  }

  private boolean write(PeerMessage message, boolean flush) {
    switch (message.getBodyCase()) {
      case HELLO:
      case GOODBYE:
      case PING:
      case PONG:
      case BODY_NOT_SET:
        throw new IllegalArgumentException("the peer network sends " + message.getBodyCase() + " itself");
      default:
        break;
    }
    if (!isOpen()) {
      return false;
    }
    (flush ? ctx.writeAndFlush(message) : ctx.write(message)).addListener(LOG_WRITE_FAILURE);
    return true;
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void close(ErrorCode reason, String detail) {
    closeRequested = true;
    ProtocolException goodbye = new ProtocolException(reason, detail == null ? "" : detail);
    if (ctx.executor().inEventLoop()) {
      sayGoodbye(goodbye);
    } else {
      ctx.executor().execute(() -> sayGoodbye(goodbye));
    }
  }

  private void sayGoodbye(ProtocolException goodbye) {
    // Fired from the application handler's context, the error handler at the tail says Goodbye
    // with this code, records it as the close reason and closes. A closed channel has no
    // pipeline left to say it: nothing to do.
    if (channel.isActive() && !ctx.isRemoved()) {
      ctx.fireExceptionCaught(goodbye);
    }
  }

  @Override
  public boolean isOpen() {
    return channel.isActive() && !isClosing();
  }

  @Override
  public long rttNanos() {
    return rttNanos;
  }

  @Override
  public VivaldiCoordinate remoteCoordinate() {
    return remoteCoordinate;
  }

  @Override
  public String toString() {
    return "PeerLink[" + identity.nodeId() + " at " + remoteAddress + (initiatedLocally ? ", outgoing" : ", incoming") + "]";
  }
}
