package dev.chorus.tracker;

import dev.chorus.protocol.limits.TokenBucket;
import dev.chorus.protocol.netty.NoiseHandler;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ReachabilityVerdict;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Finds out whether a node can be dialled: connects to the IP it connected from at the port its
 * {@code Hello} gave, and runs the Noise handshake as initiator with the node's key pinned. Only a
 * completed handshake proves it is the node (anything else may answer on a port); no {@code
 * Hello} follows, so the node never takes the probe for a peer. Bounded: a token bucket and a cap
 * on probes in flight for the whole tracker, a timeout for each, and only the addresses the
 * {@link TraversalConfig} allows.
 */
final class ReachabilityProbe {
  private final TraversalConfig config;
  private final EventLoopGroup group;
  private final Transport transport;
  private final NoiseKeyPair keyPair;
  private final LongSupplier nanoTime;
  private final TokenBucket rate;
  private int inFlight;

  ReachabilityProbe(TraversalConfig config, EventLoopGroup group, Transport transport, NoiseKeyPair keyPair,
      LongSupplier nanoTime) {
    this.config = config;
    this.group = group;
    this.transport = transport;
    this.keyPair = keyPair;
    this.nanoTime = nanoTime;
    this.rate = new TokenBucket(config.probesPerSecond(), config.probeBurst(), nanoTime.getAsLong());
  }

  /**
   * The verdict on the node with {@code staticKey} at {@code ip}:{@code port}: {@code UNREACHABLE}
   * for port 0, {@code NOT_PROBED} outside the probe ranges, {@code UNKNOWN} when the probe
   * budget is used up, else what the dial-back found. Never completes exceptionally.
   */
  CompletableFuture<ReachabilityVerdict> probe(InetAddress ip, int port, byte[] staticKey) {
    if (port <= 0) {
      return CompletableFuture.completedFuture(ReachabilityVerdict.VERDICT_UNREACHABLE);
    }
    if (!config.probes(ip)) {
      return CompletableFuture.completedFuture(ReachabilityVerdict.VERDICT_NOT_PROBED);
    }
    synchronized (this) {
      if (inFlight >= config.maxProbesInFlight() || !rate.tryTake(nanoTime.getAsLong())) {
        return CompletableFuture.completedFuture(ReachabilityVerdict.VERDICT_UNKNOWN);
      }
      inFlight++;
    }
    CompletableFuture<ReachabilityVerdict> verdict = new CompletableFuture<>();
    verdict.whenComplete((v, e) -> {
      synchronized (this) {
        inFlight--;
      }
    });
    SecureChannelConfig secure = SecureChannelConfig.builder(keyPair)
        .pinnedRemoteKey(staticKey)
        .handshakeTimeout(config.probeTimeout())
        .build();
    long timeoutMillis = config.probeTimeout().toMillis();
    Channel ch = new Bootstrap()
        .group(group)
        .channel(transport.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            NoiseHandler noise = new NoiseHandler(secure, true);
            ch.pipeline().addLast(noise, new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // a failed probe is a verdict, not an error
              }
            });
            noise.handshakeFuture().addListener(f -> {
              verdict.complete(f.isSuccess() ? ReachabilityVerdict.VERDICT_REACHABLE : ReachabilityVerdict.VERDICT_UNREACHABLE);
              ch.close();
            });
          }
        })
        .connect(new InetSocketAddress(ip, port))
        .addListener(f -> {
          if (!f.isSuccess()) {
            verdict.complete(ReachabilityVerdict.VERDICT_UNREACHABLE);
          }
        })
        .channel();
    ch.closeFuture().addListener(f -> verdict.complete(ReachabilityVerdict.VERDICT_UNREACHABLE));
    ch.eventLoop().schedule(() -> {
      verdict.complete(ReachabilityVerdict.VERDICT_UNREACHABLE);
      ch.close();
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    return verdict;
  }
}
