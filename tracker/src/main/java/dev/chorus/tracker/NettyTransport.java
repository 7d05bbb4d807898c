package dev.chorus.tracker;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The tracker's event loops and channel types: Linux's epoll where Netty's native library loads,
 * NIO elsewhere. Epoll because a tracker under light load reads, answers and sleeps once per
 * message: epoll costs fewer system calls and wake-ups per message than NIO's selector, and its
 * timers are not rounded up to milliseconds (bench/README.md, tracker tail latency).
 */
final class NettyTransport {
  private NettyTransport() {}

  /** True where the epoll transport is used. */
  static boolean epoll() {
    return Epoll.isAvailable();
  }

  static EventLoopGroup group(int threads, String threadName) {
    DefaultThreadFactory threadFactory = new DefaultThreadFactory(threadName, true);
    return epoll() ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
  }

  static Class<? extends ServerChannel> serverChannel() {
    return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static Class<? extends SocketChannel> socketChannel() {
    return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  static String describe() {
    return epoll() ? "epoll" : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
  }
}
