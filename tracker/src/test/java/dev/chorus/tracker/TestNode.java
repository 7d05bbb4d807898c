package dev.chorus.tracker;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.netty.CloseReason;
import dev.chorus.protocol.netty.NoiseHandler;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.testing.Await;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A scripted node for tracker tests: a real Noise connection, messages sent by the test, every
 * message received kept in order. Timeouts only keep a broken build from hanging.
 */
final class TestNode implements AutoCloseable {
  static final long WAIT_SECONDS = 20;

  final NoiseKeyPair key;
  final Channel channel;
  private final BlockingQueue<TrackerMessage> inbox;
  private final RecordCounter records;
  /**
   * Taken when the pipeline is built: a tracker that refuses the node may close the connection
   * before the test asks, and a closed channel's pipeline no longer has the Noise handler.
   */
  private final Future<PeerIdentity> handshake;

  private TestNode(NoiseKeyPair key, Channel channel, BlockingQueue<TrackerMessage> inbox, RecordCounter records,
      Future<PeerIdentity> handshake) {
    this.key = key;
    this.channel = channel;
    this.inbox = inbox;
    this.records = records;
    this.handshake = handshake;
  }

  static TestNode connect(EventLoopGroup group, InetSocketAddress tracker, byte[] trackerKey, NoiseKeyPair key,
      String localIp, int listenPort) throws InterruptedException {
    return connect(group, tracker, trackerKey, key, localIp, Hello.newBuilder().setListenPort(listenPort).build());
  }

  /** As above with the node's whole Hello (capabilities). */
  static TestNode connect(EventLoopGroup group, InetSocketAddress tracker, byte[] trackerKey, NoiseKeyPair key,
      String localIp, Hello hello) throws InterruptedException {
    SecureChannelConfig config = SecureChannelConfig.builder(key).pinnedRemoteKey(trackerKey).build();
    BlockingQueue<TrackerMessage> inbox = new LinkedBlockingQueue<>();
    RecordCounter records = new RecordCounter();
    AtomicReference<Future<PeerIdentity>> handshake =
        new AtomicReference<>();
    Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            c.pipeline().addLast(records);
            ChorusPipeline.install(c.pipeline(), config, true, Envelope.TRACKER,
                hello,
                new SimpleChannelInboundHandler<TrackerMessage>(false) {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, TrackerMessage msg) {
                    inbox.add(msg);
                    ctx.fireChannelRead(msg);
                  }
                });
            handshake.set(NoiseHandler.of(c).handshakeFuture());
          }
        })
        .localAddress(localIp, 0)
        .connect(tracker).sync().channel();
    return new TestNode(key, ch, inbox, records, handshake.get());
  }

  /** Noise records received so far (handshake messages included). */
  long recordsReceived() {
    return records.count.get();
  }

  /** Counts the Noise records in the TCP stream from their 2-byte length headers, passing the bytes on as they are. */
  private static final class RecordCounter extends ChannelInboundHandlerAdapter {
    final AtomicLong count = new AtomicLong();
    private int headerBytesSeen;
    private int header;
    private int bodyLeft;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      int at = in.readerIndex();
      int end = in.writerIndex();
      while (at < end) {
        if (bodyLeft > 0) {
          int skip = Math.min(bodyLeft, end - at);
          bodyLeft -= skip;
          at += skip;
          continue;
        }
        header = (header << 8) | in.getUnsignedByte(at++);
        if (++headerBytesSeen == 2) {
          count.incrementAndGet();
          bodyLeft = header;
          header = 0;
          headerBytesSeen = 0;
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  PeerIdentity awaitHandshake() throws Exception {
    return handshake.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Handshake done on both sides: the tracker sends its Hello once it has completed the handshake
   * and registered this node, so a request sent after this cannot race the registration.
   */
  void awaitReady() throws Exception {
    awaitHandshake();
    await(TrackerMessage::hasHello);
  }

  void send(TrackerMessage message) {
    channel.writeAndFlush(message);
  }

  /** Writes all {@code messages} and flushes once, in one task of the event loop: one Noise record. */
  void sendTogether(List<TrackerMessage> messages) {
    channel.eventLoop().execute(() -> {
      messages.forEach(channel::write);
      channel.flush();
    });
  }

  /** Writes raw plaintext into the encrypted stream, below the message encoder (bad-input tests). */
  void sendRawFrameBytes(ByteBuf bytes) {
    channel.pipeline().context(ChorusPipeline.MESSAGE_ENCODER).writeAndFlush(bytes);
  }

  /** The next received message matching {@code which}, skipping others; fails after a while. */
  TrackerMessage await(Predicate<TrackerMessage> which) throws InterruptedException {
    return Await.next(inbox, which, Duration.ofSeconds(WAIT_SECONDS),
        () -> "no matching message within " + WAIT_SECONDS + " s; channel open: " + channel.isOpen());
  }

  TrackerMessage awaitGoodbye() throws InterruptedException {
    return await(TrackerMessage::hasGoodbye);
  }

  CloseReason awaitClosed() throws InterruptedException {
    channel.closeFuture().await(WAIT_SECONDS, TimeUnit.SECONDS);
    return channel.attr(ProtocolErrorHandler.CLOSE_REASON).get();
  }

  static TrackerMessage announce(boolean full, byte[]... tracks) {
    Announce.Builder a = Announce.newBuilder().setFull(full);
    for (byte[] t : tracks) {
      a.addTracks(TrackHolding.newBuilder().setTrackId(ByteString.copyFrom(t))
          .setChunks(ChunkSet.newBuilder().setComplete(true)).setChunkCount(300));
    }
    return TrackerMessage.newBuilder().setAnnounce(a).build();
  }

  static TrackerMessage lookup(long id, byte[] track, int maxPeers) {
    return TrackerMessage.newBuilder()
        .setLookup(Lookup.newBuilder().setLookupId(id).setTrackId(ByteString.copyFrom(track)).setMaxPeers(maxPeers))
        .build();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
