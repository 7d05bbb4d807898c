package dev.chorus.protocol.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.testing.leaks.NoLeaks;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two real Netty channels over loopback TCP, on each {@link Transport} (one subclass each).
 * Timeouts below only keep a broken build from hanging.
 */
@ExtendWith(NoLeaks.class)
abstract class LoopbackSecureChannelContract {
  private static final int CHUNK = 16 * 1024;
  private static final long TOTAL = 100L * 1024 * 1024;
  private static final Hello HELLO = Hello.newBuilder().setListenPort(0).build();

  private EventLoopGroup group;
  private Channel server;
  private final NoiseKeyPair serverKey = NoiseKeyPair.generateX25519(EmbeddedPair.seeded(100));
  private final NoiseKeyPair clientKey = NoiseKeyPair.generateX25519(EmbeddedPair.seeded(200));
  private final BlockingQueue<Future<PeerIdentity>> serverHandshakes = new LinkedBlockingQueue<>();

  /** The transport both ends run on. */
  abstract Transport transport();

  @BeforeEach
  void start() {
    TransportTest.requireRunsHere(transport());
    group = transport().newGroup(2, new io.netty.util.concurrent.DefaultThreadFactory("loopback-test", true));
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().sync();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private void startServer(Supplier<ChannelHandler> app) throws InterruptedException {
    SecureChannelConfig config = SecureChannelConfig.builder(serverKey).build();
    server = new ServerBootstrap().group(group).channel(transport().serverSocketChannel())
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChorusPipeline.install(ch.pipeline(), config, false, Envelope.PEER, HELLO, app.get());
            serverHandshakes.add(NoiseHandler.of(ch).handshakeFuture());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  private Channel connect(SecureChannelConfig config, ChannelHandler app) throws InterruptedException {
    return new Bootstrap().group(group).channel(transport().socketChannel())
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ChorusPipeline.install(ch.pipeline(), config, true, Envelope.PEER, HELLO, app);
          }
        })
        .connect(server.localAddress()).sync().channel();
  }

  @Test
  void handshakeThenOneHundredMebibytesArriveIntactAndInOrder() throws Exception {
    CompletableFuture<byte[]> received = new CompletableFuture<>();
    startServer(() -> new DigestingReceiver(received));
    Channel client = connect(SecureChannelConfig.builder(clientKey).pinnedRemoteKey(serverKey.publicKey()).build(),
        new ChannelInboundHandlerAdapter());

    PeerIdentity server = NoiseHandler.of(client).handshakeFuture().get(30, TimeUnit.SECONDS);
    assertArrayEquals(serverKey.publicKey(), server.staticKey());
    PeerIdentity clientSeen = serverHandshakes.poll(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
    assertArrayEquals(clientKey.publicKey(), clientSeen.staticKey());

    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    CompletableFuture<Void> allWritten = new CompletableFuture<>();
    client.eventLoop().execute(() -> new ChunkSender(client, sent, allWritten).run());
    allWritten.get(120, TimeUnit.SECONDS);
    assertArrayEquals(sent.digest(), received.get(120, TimeUnit.SECONDS));
    client.close().sync();
  }

  @Test
  void wrongStaticKeyEndsBothSidesOfTheHandshake() throws Exception {
    startServer(ChannelInboundHandlerAdapter::new);
    byte[] impostorCheck = NoiseKeyPair.generateX25519(EmbeddedPair.seeded(300)).publicKey();
    Channel client = connect(SecureChannelConfig.builder(clientKey).pinnedRemoteKey(impostorCheck).build(),
        new ChannelInboundHandlerAdapter());

    assertEquals(ErrorCode.AUTHENTICATION_FAILED, failure(NoiseHandler.of(client).handshakeFuture()).code());
    assertEquals(ErrorCode.HANDSHAKE_FAILED, failure(serverHandshakes.poll(30, TimeUnit.SECONDS)).code());
    client.closeFuture().await(30, TimeUnit.SECONDS);
    assertEquals(ErrorCode.AUTHENTICATION_FAILED, client.attr(ProtocolErrorHandler.CLOSE_REASON).get().code());
  }

  @Test
  void truncatedHandshakeFromARawSocketFailsTheServerSide() throws Exception {
    startServer(ChannelInboundHandlerAdapter::new);
    InetSocketAddress address = (InetSocketAddress) server.localAddress();
    try (Socket raw = new Socket(address.getAddress(), address.getPort())) {
      OutputStream out = raw.getOutputStream();
      out.write(new byte[] {0, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}); // 10 of 32 announced bytes
      out.flush();
    }
    assertEquals(ErrorCode.HANDSHAKE_FAILED, failure(serverHandshakes.poll(30, TimeUnit.SECONDS)).code());
  }

  @Test
  void serverKeepsServingAfterABadClient() throws Exception {
    CompletableFuture<byte[]> unused = new CompletableFuture<>();
    startServer(() -> new DigestingReceiver(unused));
    InetSocketAddress address = (InetSocketAddress) server.localAddress();
    try (Socket raw = new Socket(address.getAddress(), address.getPort())) {
      raw.getOutputStream().write(new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0});
    }
    failure(serverHandshakes.poll(30, TimeUnit.SECONDS));
    Channel client = connect(SecureChannelConfig.builder(clientKey).build(), new ChannelInboundHandlerAdapter());
    NoiseHandler.of(client).handshakeFuture().get(30, TimeUnit.SECONDS);
    client.close().sync();
  }

  private static ProtocolException failure(Future<?> future) throws InterruptedException {
    future.await(30, TimeUnit.SECONDS);
    ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(1, TimeUnit.SECONDS));
    return assertInstanceOf(ProtocolException.class, e.getCause());
  }

  /** Writes TOTAL bytes of 16 KiB chunks, following the channel's writability (no unbounded queue). */
  private static final class ChunkSender implements Runnable {
    private final Channel channel;
    private final MessageDigest digest;
    private final CompletableFuture<Void> done;
    private long written;
    private int index;

    ChunkSender(Channel channel, MessageDigest digest, CompletableFuture<Void> done) {
      this.channel = channel;
      this.digest = digest;
      this.done = done;
      channel.pipeline().addBefore(ChorusPipeline.ERRORS, "sender", new ChannelInboundHandlerAdapter() {
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
          if (ctx.channel().isWritable()) {
            run();
          }
          ctx.fireChannelWritabilityChanged();
        }
      });
    }

    @Override
    public void run() {
      byte[] data = new byte[CHUNK];
      while (written < TOTAL && channel.isWritable()) {
        for (int i = 0; i < CHUNK; i += 8) {
          long v = (written + i) * 0x9E3779B97F4A7C15L;
          for (int b = 0; b < 8; b++) {
            data[i + b] = (byte) (v >>> (8 * b));
          }
        }
        digest.update(data);
        channel.write(PeerMessage.newBuilder()
            .setChunkData(ChunkData.newBuilder().setRequestId(1).setIndex(index++).setData(ByteString.copyFrom(data)))
            .build());
        written += CHUNK;
      }
      channel.flush();
      if (written >= TOTAL && !done.isDone()) {
        done.complete(null);
      }
    }
  }

  /** Hashes every chunk's data in arrival order, checks indices, completes after TOTAL bytes. */
  private static final class DigestingReceiver extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<byte[]> result;
    private final MessageDigest digest;
    private long received;
    private int nextIndex;

    DigestingReceiver(CompletableFuture<byte[]> result) {
      this.result = result;
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      PeerMessage m = (PeerMessage) msg;
      if (!m.hasChunkData()) {
        ctx.fireChannelRead(msg);
        return;
      }
      if (m.getChunkData().getIndex() != nextIndex++) {
        result.completeExceptionally(new AssertionError("chunk " + m.getChunkData().getIndex() + " out of order"));
      }
      m.getChunkData().getData().asReadOnlyByteBufferList().forEach(digest::update);
      received += m.getChunkData().getData().size();
      if (received == TOTAL) {
        result.complete(digest.digest());
      }
    }
  }
}
