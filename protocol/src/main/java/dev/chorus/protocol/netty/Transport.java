package dev.chorus.protocol.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * The Netty transport a component's sockets run on: Java NIO, or Linux's native epoll through
 * Netty's bundled library for Linux x86-64.
 *
 * <p>Why NIO stays the default: side by side on the same jar, epoll measured the same as NIO for
 * the tracker's CPU per response and for a node's CPU per GB transferred (bench/README.md,
 * Results, 2026-12-06: both paths make one system call per read and per flush; what costs is
 * AES-GCM, framing and the kernel's loopback copies, the same on both), and NIO is the path every
 * earlier measurement and deployment ran on. Epoll is there for operators who want it
 * ({@code --transport epoll}, or {@code auto}: epoll where it loads), and the servers' tests run
 * on both. One difference matters to callers: Netty 4.1's epoll takes {@code SO_REUSEPORT} as a
 * bootstrap option on listening sockets only ({@link #reusePort()}); a connecting socket gets it
 * from {@link #reusePortBeforeConnect}, on its file descriptor after registration.
 *
 * <p>An event loop group and the channels registered on it must be of the same transport, so a
 * component picks one {@code Transport} and takes its group, its channel classes and its socket
 * options from it.
 */
public enum Transport {
  EPOLL,
  NIO;

  /** Epoll where it is available, NIO otherwise. */
  public static Transport preferred() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  /**
   * The transport named {@code auto}, {@code epoll} or {@code nio} (any case); {@code auto} is
   * {@link #preferred()}.
   *
   * @throws IllegalArgumentException for another name, or for {@code epoll} where epoll does not
   *     load (the message says why and what to use instead)
   */
  public static Transport named(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "auto":
        return preferred();
      case "nio":
        return NIO;
      case "epoll":
        EPOLL.requireAvailable();
        return EPOLL;
      default:
        throw new IllegalArgumentException("unknown transport '" + name + "': use auto, epoll or nio");
    }
  }

  /**
   * Whether the project ships Netty's epoll library for this platform (Linux on x86-64: the
   * {@code linux-x86_64} classifier in protocol/pom.xml), so that epoll not loading here is a
   * broken installation rather than a platform without it.
   */
  public static boolean epollBundled() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  /** Whether this transport can run here. */
  public boolean isAvailable() {
    return this == NIO || Epoll.isAvailable();
  }

  /**
   * @throws IllegalArgumentException if this transport cannot run here, saying why
   */
  public void requireAvailable() {
    if (!isAvailable()) {
      Throwable cause = Epoll.unavailabilityCause();
      throw new IllegalArgumentException("the epoll transport is not available here ("
          + (cause == null ? "unknown reason" : cause.toString())
          + "); it needs Linux on x86-64 with Netty's native library: use the nio transport (--transport nio or auto)");
    }
  }

  /** A new event loop group of {@code threads} threads made by {@code threadFactory}. */
  public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
    requireAvailable();
    return this == EPOLL ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
  }

  /** The class of a listening socket on this transport's groups. */
  public Class<? extends ServerSocketChannel> serverSocketChannel() {
    return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** The class of a connected socket on this transport's groups. */
  public Class<? extends SocketChannel> socketChannel() {
    return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * {@code SO_REUSEPORT} as this transport's server bootstraps take it (on epoll, listening
   * sockets only: see the class comment).
   */
  public ChannelOption<Boolean> reusePort() {
    return this == EPOLL ? EpollChannelOption.SO_REUSEPORT : NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
  }

  /**
   * Sets {@code SO_REUSEPORT} on a connecting socket of this transport, so that it may bind a port
   * a listening socket already has (a hole punch dials from the listen port). Call it in the
   * channel's initializer: after registration, before the connect binds the socket. On epoll the
   * bootstrap option would be ignored with a log line ("Unknown channel option"), so it goes on
   * the file descriptor.
   *
   * @throws IOException if the socket refuses the option
   */
  public void reusePortBeforeConnect(Channel ch) throws IOException {
    if (this == EPOLL) {
      ((Socket) ((EpollSocketChannel) ch).fd()).setReusePort(true);
    } else if (!ch.config().setOption(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true)) {
      throw new IOException("SO_REUSEPORT not supported on " + ch);
    }
  }

  /** Whether {@code group} is one of this transport's groups. */
  public boolean owns(EventLoopGroup group) {
    return this == EPOLL ? group instanceof EpollEventLoopGroup : group instanceof NioEventLoopGroup;
  }

  /** The transport {@code group} belongs to. */
  public static Transport of(EventLoopGroup group) {
    for (Transport t : values()) {
      if (t.owns(group)) {
        return t;
      }
    }
    throw new IllegalArgumentException("not an epoll or NIO event loop group: " + group.getClass().getName());
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
