package dev.chorus.bench.tracker;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Generator-side shortcut, installed just before the standard message decoder: a frame whose
 * envelope is a {@code LookupResult} is reduced to its lookup id and peer count (a {@link Reply})
 * without building the 30 {@code TrackerPeer} messages; every other frame goes on to the real
 * decoder. The tracker's own work is unchanged; this only keeps the load generator, which shares
 * the machine, from spending as much CPU parsing replies as the tracker spends building them.
 * {@code --client-decode full} leaves it out.
 */
final class LookupReplyDecoder extends ChannelInboundHandlerAdapter {
  /** TrackerMessage.lookup_result: field 5, length-delimited. */
  private static final int LOOKUP_RESULT_TAG = (5 << 3) | 2;
  private static final int LOOKUP_ID_TAG = (1 << 3);
  private static final int PEERS_TAG = (2 << 3) | 2;

  /** A LookupResult, reduced. */
  static final class Reply {
    final long lookupId;
    final int peers;

    Reply(long lookupId, int peers) {
      this.lookupId = lookupId;
      this.peers = peers;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf) {
      ByteBuf frame = (ByteBuf) msg;
      if (frame.isReadable() && frame.getByte(frame.readerIndex()) == LOOKUP_RESULT_TAG) {
        Reply reply;
        try {
          reply = parse(frame);
        } finally {
          frame.release();
        }
        ctx.fireChannelRead(reply);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static Reply parse(ByteBuf in) {
    in.skipBytes(1);
    int length = (int) varint(in);
    int end = in.readerIndex() + length;
    long lookupId = 0;
    int peers = 0;
    while (in.readerIndex() < end) {
      int tag = (int) varint(in);
      if (tag == LOOKUP_ID_TAG) {
        lookupId = varint(in);
      } else if (tag == PEERS_TAG) {
        peers++;
        in.skipBytes((int) varint(in));
      } else {
        skip(in, tag);
      }
    }
    return new Reply(lookupId, peers);
  }

  private static void skip(ByteBuf in, int tag) {
    switch (tag & 7) {
      case 0:
        varint(in);
        break;
      case 1:
        in.skipBytes(8);
        break;
      case 2:
        in.skipBytes((int) varint(in));
        break;
      case 5:
        in.skipBytes(4);
        break;
      default:
        throw new IllegalStateException("unexpected wire type in a LookupResult: " + (tag & 7));
    }
  }

  private static long varint(ByteBuf in) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.readByte();
      v |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new IllegalStateException("malformed varint");
  }
}
