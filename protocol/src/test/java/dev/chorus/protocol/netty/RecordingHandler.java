package dev.chorus.protocol.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.List;

/** Test application handler: records every message and user event, then passes it on. */
final class RecordingHandler extends ChannelInboundHandlerAdapter {
  final List<Object> messages = new ArrayList<>();
  final List<Object> events = new ArrayList<>();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    messages.add(msg);
    ctx.fireChannelRead(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    events.add(evt);
    ctx.fireUserEventTriggered(evt);
  }

  <T> List<T> messagesOf(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Object m : messages) {
      if (type.isInstance(m)) {
        out.add(type.cast(m));
      }
    }
    return out;
  }
}
