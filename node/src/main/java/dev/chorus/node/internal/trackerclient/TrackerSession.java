package dev.chorus.node.internal.trackerclient;

import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.TrackerMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The application handler of one tracker connection: dispatches what the tracker sends to the
 * client (runs on the client's event loop, like everything else of it). A goodbye is passed on to
 * the protocol's error handler, which records the reason and closes.
 */
final class TrackerSession extends ChannelInboundHandlerAdapter {
  private final TrackerClient client;
  private final PendingLookups lookups;

  TrackerSession(TrackerClient client, PendingLookups lookups) {
    this.client = client;
    this.lookups = lookups;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    TrackerMessage message = (TrackerMessage) msg;
    switch (message.getBodyCase()) {
      case HELLO:
        client.trackerHello(ctx.channel(), message.getHello());
        break;
      case LOOKUP_RESULT:
        lookups.answered(message.getLookupResult());
        break;
      case REACHABILITY:
        client.reachabilityReported(ctx.channel(), message.getReachability());
        break;
      case CONNECT_TO:
        client.connectToRequested(ctx.channel(), message.getConnectTo());
        break;
      case PUNCH_WITH:
        client.punchRequested(ctx.channel(), message.getPunchWith());
        break;
      case ERROR:
        client.trackerError(message.getError());
        break;
      case GOODBYE:
        ctx.fireChannelRead(msg); // the error handler records the reason and closes
        break;
      default:
        throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE,
            "a tracker does not send " + Envelope.TRACKER.kindOf(message) + " to a node");
    }
  }
}
