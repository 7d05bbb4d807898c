package dev.chorus.node.internal.peer;

import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.wire.Hello;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Netty side of {@link PeerNetwork}: the server and client bootstraps, the handlers installed
 * on each peer channel (upload shaper, Noise, admission, idle timeout, the link's handler), the
 * shaper shared by all channels, and the set of open channels. It decides nothing: who is accepted
 * or dialled, and when, is {@link PeerNetwork}'s business.
 */
final class PeerPipeline {
  /** Outbound buffer water marks: a run of 64 chunks of 16 KiB is 1 MiB. */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 << 10, 1 << 20);
  /** Name of the upload shaper in each pipeline (nearest the socket, so it counts wire bytes). */
  static final String SHAPER = "uploadCap";
  static final String ADMISSION = "admission";
  static final String IDLE = "idle";

  private final PeerNetworkConfig config;
  private final EventLoopGroup group;
  /** The group's transport: its channels must be of the same kind. */
  private final Transport transport;
  private final Supplier<VivaldiCoordinate> localCoordinate;
  private final SecureChannelConfig secure;
  private final GlobalTrafficShapingHandler shaper;
  /** Every open channel, handshaking or linked. */
  private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

  PeerPipeline(PeerNetworkConfig config, EventLoopGroup group, Supplier<VivaldiCoordinate> localCoordinate) {
    this.config = config;
    this.group = group;
    this.transport = Transport.of(group);
    this.localCoordinate = localCoordinate;
    this.secure = SecureChannelConfig.builder(config.localKey())
        .maxFrameBytes(config.maxFrameBytes())
        .handshakeTimeout(config.handshakeTimeout())
        .build();
    this.shaper = config.uploadBytesPerSecond() == 0 && config.downloadBytesPerSecond() == 0 ? null
        : new GlobalTrafficShapingHandler(group, config.uploadBytesPerSecond(), config.downloadBytesPerSecond(), 100);
  }

  /** Binds the server; {@code accepted} gets each incoming channel. Returns the server channel. */
  Channel bind(Consumer<SocketChannel> accepted) throws IOException {
    ServerBootstrap server = new ServerBootstrap();
    if (config.punching()) {
      refuseIfTaken();
      // A punch dials from the listen port while the server listens on it (Linux needs
      // SO_REUSEPORT on both sockets for that). It also lets another process of the same user
      // bind the port: a node's port is its own only as far as the machine's users are trusted.
      server.option(ChannelOption.SO_REUSEADDR, true)
          .option(transport.reusePort(), true);
    }
    ChannelFuture bound = server
        .group(group)
        .channel(transport.serverSocketChannel())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            accepted.accept(ch);
          }
        })
        .bind(config.listenAddress())
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      // Named the same on both transports: NIO's BindException says "Address already in use",
      // epoll's NativeIoException "bind(..) failed: Address already in use"; neither says where.
      Throwable cause = bound.cause();
      throw new IOException("cannot listen on " + config.listenAddress() + ": "
          + (cause instanceof IOException && cause.getMessage() != null ? cause.getMessage() : cause.toString()), cause);
    }
    return bound.channel();
  }

  /**
   * Fails if something already listens on the configured port: with {@code SO_REUSEPORT} a second
   * node would otherwise bind it too and take half of the first one's connections. (A plain bind
   * fails against a listener, shared or not; a moment later the port could be taken still, but
   * only by a program that also asks to share it.)
   */
  private void refuseIfTaken() throws IOException {
    if (config.listenPort() == 0) {
      return;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.bind(config.listenAddress());
    } catch (IOException e) {
      throw new IOException("cannot listen on " + config.listenAddress() + ": " + e.getMessage()
          + " (another node on this port? choose another --listen-port)", e);
    }
  }

  /** Opens a connection to {@code address}; {@code init} gets its channel once registered. */
  ChannelFuture dial(InetSocketAddress address, Consumer<Channel> init) {
    // Bound to one address, the node also dials from it: peers then see (and ban, if need be)
    // the address it listens on, not whatever source the system picks. A loopback address can
    // reach only loopback, so elsewhere the system chooses.
    InetAddress bound = config.bindAddress();
    InetAddress to = address.getAddress();
    boolean fromBound = !bound.isAnyLocalAddress() && to != null && to.getClass() == bound.getClass()
        && (!bound.isLoopbackAddress() || to.isLoopbackAddress());
    return new Bootstrap()
        .localAddress(fromBound ? new InetSocketAddress(bound, 0) : null)
        .group(group)
        .channel(transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.handshakeTimeout().toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            init.accept(ch);
          }
        })
        .connect(address);
  }

  /**
   * Opens a connection to {@code address} from this node's listen address and port, with the
   * options that let it share the port with the server (one side of a hole punch: both sides dial
   * from the port the other was told); {@code init} gets its channel once registered.
   */
  ChannelFuture dialFromListenPort(int listenPort, InetSocketAddress address, long timeoutMillis, Consumer<Channel> init) {
    return new Bootstrap()
        .localAddress(new InetSocketAddress(config.bindAddress(), listenPort))
        .group(group)
        .channel(transport.socketChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis)))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) throws IOException {
            transport.reusePortBeforeConnect(ch);
            init.accept(ch);
          }
        })
        .connect(address);
  }

  /**
   * Installs the peer protocol on {@code ch}, with {@code handler} as its application handler;
   * an outgoing connection pins the key it must reach ({@code pinnedKey}, null for incoming ones).
   */
  void install(Channel ch, PeerChannelHandler handler, byte[] pinnedKey, int listenPort) {
    channels.add(ch);
    ch.closeFuture().addListener(f -> channels.remove(ch));
    ChannelPipeline p = ch.pipeline();
    if (shaper != null) {
      p.addLast(SHAPER, shaper);
    }
    Hello hello = Hello.newBuilder()
        .setListenPort(config.acceptIncoming() ? listenPort : 0)
        .addAllCapabilities(config.capabilities())
        .setCoordinate(localCoordinate.get().toWire())
        .build();
    SecureChannelConfig channelConfig = pinnedKey == null ? secure : secure.withPinnedRemoteKey(pinnedKey);
    ChorusPipeline.install(p, channelConfig, handler.initiatedLocally, Envelope.PEER, hello, handler);
    p.addBefore(ChorusPipeline.HELLO, ADMISSION, handler.admission());
    p.addBefore(ChorusPipeline.APPLICATION, IDLE,
        new IdleStateHandler(config.idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
  }

  /** The open channels, a snapshot. */
  List<Channel> openChannels() {
    return new ArrayList<>(channels);
  }

  /** The upload shaper, or null when uploads are not capped. */
  GlobalTrafficShapingHandler shaper() {
    return shaper;
  }

  void releaseShaper() {
    if (shaper != null) {
      shaper.release();
    }
  }
}
