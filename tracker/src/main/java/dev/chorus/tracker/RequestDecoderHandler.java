package dev.chorus.tracker;

import dev.chorus.protocol.netty.HelloHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Netty shell of {@link RequestReader}, between the frame decoder and the generated message
 * decoder: once the node's Hello has arrived, Lookup and Announce frames it takes go on as
 * {@link RequestReader.LookupFields} / {@link RequestReader.AnnounceFields} (handled, then the
 * frame released); every other frame, and every frame before the Hello (which the Hello handler
 * must see), goes on to the generated parser as before. Not sharable.
 */
final class RequestDecoderHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "requests";

  private final RequestReader reader;
  private boolean helloReceived;

  RequestDecoderHandler(int maxTracksPerAnnounce) {
    this.reader = new RequestReader(maxTracksPerAnnounce);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf && helloReceived(ctx)) {
      ByteBuf frame = (ByteBuf) msg;
      Object request = reader.read(frame);
      if (request != null) {
        try {
          ctx.fireChannelRead(request);
        } finally {
          frame.release();
        }
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private boolean helloReceived(ChannelHandlerContext ctx) {
    if (!helloReceived) {
      helloReceived = ctx.channel().attr(HelloHandler.REMOTE_HELLO).get() != null;
    }
    return helloReceived;
  }
}
