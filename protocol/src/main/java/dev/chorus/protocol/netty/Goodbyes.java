package dev.chorus.protocol.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Ending a connection so that the last message arrives. Closing a TCP socket that still has unread
 * input makes the kernel send a reset, and the remote kernel may then throw away the goodbye it
 * had not delivered yet. So: write the goodbye, half-close (FIN after it), discard whatever still
 * comes in, and close when the remote side closes — or after a short linger at the latest.
 */
public final class Goodbyes {
  /** How long to wait for the remote side to close after our goodbye. */
  static final long LINGER_MILLIS = 2000;
  private static final String DISCARD = "discardAfterGoodbye";

  private Goodbyes() {}

  /**
   * Writes {@code goodbye} (an envelope carrying a Goodbye) and closes as described above.
   *
   * @return the channel's close future
   */
  public static ChannelFuture sendAndClose(Channel channel, Object goodbye) {
    channel.writeAndFlush(goodbye).addListener(written -> linger(channel));
    return channel.closeFuture();
  }

  private static void linger(Channel channel) {
    if (!(channel instanceof DuplexChannel) || !channel.isActive()) {
      channel.close();
      return;
    }
    if (channel.pipeline().get(DISCARD) == null) {
      channel.pipeline().addFirst(DISCARD, Discard.INSTANCE);
    }
    ((DuplexChannel) channel).shutdownOutput();
    channel.eventLoop().schedule(() -> {
      channel.close();
    }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Drops everything read after our goodbye; closes when the remote side has finished. */
  @Sharable
  private static final class Discard extends ChannelInboundHandlerAdapter {
    static final Discard INSTANCE = new Discard();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // e.g. a reset from the remote side: nothing more to do
    }
  }
}
