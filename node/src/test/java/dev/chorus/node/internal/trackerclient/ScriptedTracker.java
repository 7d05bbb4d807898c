package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.netty.Goodbyes;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.testing.Await;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A scripted tracker for what a real one cannot be made to do on cue: never answer, answer with
 * an error, drop the connection mid-lookup. It speaks the real protocol stack (Noise, frames,
 * hello) and keeps every message a node sends, in order. Timeouts only stop a broken build from
 * hanging.
 */
final class ScriptedTracker implements AutoCloseable {
  static final long WAIT_SECONDS = 20;

  final NoiseKeyPair key;
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final BlockingQueue<TrackerMessage> inbox = new LinkedBlockingQueue<>();
  private final BlockingQueue<Channel> connections = new LinkedBlockingQueue<>();
  private final Channel server;
  private volatile Channel current;

  ScriptedTracker(SecureRandom random) throws InterruptedException {
    this(random, "tracker");
  }

  /** A tracker whose Hello lists {@code capabilities}. */
  ScriptedTracker(SecureRandom random, String... capabilities) throws InterruptedException {
    key = NoiseKeyPair.generateX25519(random);
    SecureChannelConfig secure = SecureChannelConfig.builder(key).build();
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChorusPipeline.install(ch.pipeline(), secure, false, Envelope.TRACKER,
                Hello.newBuilder().addAllCapabilities(java.util.List.of(capabilities)).build(), new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(ChannelHandlerContext ctx) throws Exception {
                    current = ctx.channel();
                    connections.add(ctx.channel());
                    super.channelActive(ctx);
                  }

                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    TrackerMessage m = (TrackerMessage) msg;
                    inbox.add(m);
                    if (m.hasGoodbye()) {
                      ctx.fireChannelRead(msg);
                    }
                  }
                });
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** The pinned form a node is configured with. */
  TrackerEndpoint endpoint() {
    return TrackerEndpoint.of(key.publicKey(), "127.0.0.1", address().getPort());
  }

  Channel awaitConnection() throws InterruptedException {
    Channel c = connections.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (c == null) {
      throw new AssertionError("no connection within " + WAIT_SECONDS + " s");
    }
    return c;
  }

  /** The next message matching {@code which}, skipping others. */
  TrackerMessage await(Predicate<TrackerMessage> which) throws InterruptedException {
    return Await.next(inbox, which, Duration.ofSeconds(WAIT_SECONDS),
        () -> "no matching message within " + WAIT_SECONDS + " s");
  }

  /** The next message, whatever it is. */
  TrackerMessage next() throws InterruptedException {
    return await(m -> true);
  }

  void send(TrackerMessage message) {
    current.writeAndFlush(message);
  }

  /** Says goodbye with {@code code} on the current connection and closes it. */
  void goodbye(ErrorCode code) throws InterruptedException {
    Goodbyes.sendAndClose(current, Envelope.TRACKER.goodbye(code, "scripted")).await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
