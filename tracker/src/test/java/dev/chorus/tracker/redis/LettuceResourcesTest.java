package dev.chorus.tracker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.lettuce.core.resource.ClientResources;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LettuceResourcesTest {
  @Test
  void recordsNoCommandLatencies() {
    ClientResources resources = LettuceResources.create();
    try {
      assertFalse(resources.commandLatencyRecorder().isEnabled());
    } finally {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Test
  void flushConsolidationSitsNextToTheSocket() {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter());
    new LettuceResources.ConsolidateFlushes().afterChannelInitialized(channel);
    assertInstanceOf(FlushConsolidationHandler.class, channel.pipeline().first());
    channel.finishAndReleaseAll();
  }

  /** Counts the flushes that reach the socket. */
  private static final class SocketFlushes extends ChannelOutboundHandlerAdapter {
    int count;

    @Override
    public void flush(ChannelHandlerContext ctx) {
      count++;
      ctx.flush();
    }
  }

  private static SocketFlushes customized(EmbeddedChannel channel) {
    new LettuceResources.ConsolidateFlushes().afterChannelInitialized(channel);
    SocketFlushes socket = new SocketFlushes();
    channel.pipeline().addFirst(socket); // between the consolidation and the socket
    return socket;
  }

  @Test
  void commandsFlushedInOneTurnOfTheEventLoopLeaveInOneFlushAtItsEnd() {
    EmbeddedChannel channel = new EmbeddedChannel();
    SocketFlushes socket = customized(channel);
    // EmbeddedChannel runs its pending tasks on every write, which a real event loop does not, so
    // the commands are written first and their three flushes come in one turn.
    channel.pipeline().write("GET a");
    channel.pipeline().write("GET b");
    channel.pipeline().write("GET c");
    channel.eventLoop().execute(() -> {
      channel.pipeline().flush();
      channel.pipeline().flush();
      channel.pipeline().flush();
      assertEquals(0, socket.count, "held until the turn ends");
    });
    channel.runPendingTasks();
    assertEquals(1, socket.count);
    assertEquals("GET a", channel.readOutbound());
    assertEquals("GET b", channel.readOutbound());
    assertEquals("GET c", channel.readOutbound());
    assertFalse(channel.finish());
  }

  @Test
  void flushesDuringAReadGoOutOnceWhenTheReadCompletes() {
    EmbeddedChannel channel = new EmbeddedChannel();
    SocketFlushes socket = customized(channel);
    channel.pipeline().fireChannelRead("reply 1"); // as Lettuce's decoder sends the next commands
    channel.pipeline().writeAndFlush("MGET x");
    channel.pipeline().fireChannelRead("reply 2");
    channel.pipeline().writeAndFlush("MGET y");
    assertEquals(0, socket.count);
    channel.pipeline().fireChannelReadComplete();
    assertEquals(1, socket.count);
    assertEquals("MGET x", channel.readOutbound());
    assertEquals("MGET y", channel.readOutbound());
    assertEquals("reply 1", channel.readInbound());
    assertEquals("reply 2", channel.readInbound());
    assertFalse(channel.finish());
  }

  @Test
  void aLongRunOfFlushesGoesOutWithoutWaitingForTheTurnToEnd() {
    EmbeddedChannel channel = new EmbeddedChannel();
    SocketFlushes socket = customized(channel);
    channel.pipeline().fireChannelRead("reply");
    for (int i = 0; i < LettuceResources.FLUSHES_PER_WRITE; i++) {
      channel.pipeline().writeAndFlush("PING " + i);
    }
    assertEquals(1, socket.count);
    for (int i = 0; i < LettuceResources.FLUSHES_PER_WRITE; i++) {
      assertEquals("PING " + i, channel.readOutbound());
    }
    channel.pipeline().fireChannelReadComplete();
    assertEquals(1, socket.count, "nothing left to flush");
    assertEquals("reply", channel.readInbound());
    assertFalse(channel.finish());
  }
}
