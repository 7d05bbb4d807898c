package dev.chorus.protocol.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.testing.NativeLibrary;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TransportTest {
  /**
   * Passes if {@code transport} runs here; fails where the project bundles it but it does not load
   * (a broken build), and skips the test elsewhere.
   */
  static void requireRunsHere(Transport transport) {
    NativeLibrary.require(transport.isAvailable() ? transport.toString()
        : transport + " (" + io.netty.channel.epoll.Epoll.unavailabilityCause() + ")",
        transport.isAvailable(), Transport.epollBundled());
  }

  @Test
  void epollIsPreferredWhereItIsBundledAndNioElsewhere() {
    assertEquals(Transport.epollBundled() ? Transport.EPOLL : Transport.NIO, Transport.preferred());
    requireRunsHere(Transport.preferred());
  }

  @Test
  void namesAreReadInAnyCaseAndAutoIsThePreferredOne() {
    assertSame(Transport.preferred(), Transport.named("auto"));
    assertSame(Transport.preferred(), Transport.named("AUTO"));
    assertSame(Transport.NIO, Transport.named("nio"));
    assertSame(Transport.NIO, Transport.named("Nio"));
    if (Transport.EPOLL.isAvailable()) {
      assertSame(Transport.EPOLL, Transport.named("epoll"));
    } else {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.named("epoll"));
      assertTrue(e.getMessage().contains("use the nio transport"), e.getMessage());
    }
    assertEquals("epoll", Transport.EPOLL.toString());
    assertEquals("nio", Transport.NIO.toString());
  }

  @Test
  void anUnknownNameSaysWhichOnesThereAre() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.named("kqueue"));
    assertEquals("unknown transport 'kqueue': use auto, epoll or nio", e.getMessage());
  }

  @Test
  void nioHandsOutNioGroupsAndChannels() throws InterruptedException {
    assertSame(NioServerSocketChannel.class, Transport.NIO.serverSocketChannel());
    assertSame(NioSocketChannel.class, Transport.NIO.socketChannel());
    EventLoopGroup group = Transport.NIO.newGroup(1, new DefaultThreadFactory("transport-test", true));
    try {
      assertInstanceOf(NioEventLoopGroup.class, group);
      assertSame(Transport.NIO, Transport.of(group));
      assertTrue(Transport.NIO.owns(group));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void epollHandsOutEpollGroupsAndChannels() throws InterruptedException {
    requireRunsHere(Transport.EPOLL);
    assertSame(EpollServerSocketChannel.class, Transport.EPOLL.serverSocketChannel());
    assertSame(EpollSocketChannel.class, Transport.EPOLL.socketChannel());
    EventLoopGroup group = Transport.EPOLL.newGroup(1, new DefaultThreadFactory("transport-test", true));
    try {
      assertInstanceOf(EpollEventLoopGroup.class, group);
      assertSame(Transport.EPOLL, Transport.of(group));
      assertTrue(!Transport.NIO.owns(group));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void aGroupOfAnotherTransportIsRefusedByName() {
    EventLoopGroup other = new io.netty.channel.DefaultEventLoopGroup(1);
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transport.of(other));
      assertTrue(e.getMessage().startsWith("not an epoll or NIO event loop group: io.netty.channel.DefaultEventLoopGroup"),
          e.getMessage());
    } finally {
      other.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
