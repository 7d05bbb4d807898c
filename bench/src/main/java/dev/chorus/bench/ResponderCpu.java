package dev.chorus.bench;

import dev.chorus.protocol.noise.NoiseDh;
import dev.chorus.protocol.noise.NoiseHandshake;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.netty.NoiseHandler;
import dev.chorus.protocol.netty.NoiseHandshakeCompletionEvent;
import dev.chorus.protocol.netty.SecureChannelConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What one server core accepts: Noise XX handshakes per second of the <em>responder's</em> CPU
 * time, with the initiators on another thread (the X25519 implementation is this JVM's; BenchMain
 * starts one JVM per implementation). Two measurements:
 *
 * <ol>
 *   <li>sans-IO: the responder's half of {@code Noise_XX_25519_AESGCM_SHA256} (read e; write e, ee,
 *       s, es; read s, se; split) on one thread, the initiators' halves on another, messages handed
 *       over in queues;
 *   <li>Netty: a server whose single event loop accepts loopback TCP connections, installs a
 *       {@link NoiseHandler}, completes the handshake and closes the connection; clients connect
 *       from another event loop, 16 at a time. The server thread's CPU time per handshake
 *       includes accepting, channel and pipeline setup, the socket reads and writes and the close.
 * </ol>
 *
 * <p>Prints one line: {@code <implementation> <sans-IO per CPU s> <Netty per CPU s>}.
 */
final class ResponderCpu {
  private static final String PROTOCOL = SecureChannelConfig.DEFAULT_PROTOCOL;
  private static final int IN_FLIGHT = 16;

  private ResponderCpu() {}

  public static void main(String[] args) throws Exception {
    long warmupNanos = TimeUnit.SECONDS.toNanos(Integer.parseInt(args[0]));
    long measureNanos = TimeUnit.SECONDS.toNanos(Integer.parseInt(args[1]));
    double sansIo = sansIo(warmupNanos, measureNanos);
    double netty = netty(warmupNanos, measureNanos);
    System.out.println(String.format(Locale.ROOT, "%s %.0f %.0f", NoiseDh.X25519.implementation(),
        sansIo, netty));
  }

  private record Message(NoiseHandshake initiator, NoiseHandshake responder, byte[] bytes) {}

  /** Responder handshakes per second of the responder thread's CPU time. */
  private static double sansIo(long warmupNanos, long measureNanos) throws Exception {
    SecureRandom random = new SecureRandom();
    NoiseKeyPair initiatorStatic = NoiseKeyPair.generateX25519(random);
    NoiseKeyPair responderStatic = NoiseKeyPair.generateX25519(random);
    BlockingQueue<Message> toResponder = new LinkedBlockingQueue<>();
    BlockingQueue<Message> toInitiator = new LinkedBlockingQueue<>();
    Thread initiators = new Thread(() -> {
      byte[] empty = new byte[0];
      int inFlight = 0;
      try {
        while (!Thread.currentThread().isInterrupted()) {
          if (inFlight < IN_FLIGHT) {
            NoiseHandshake a = NoiseHandshake.builder(PROTOCOL, true).localStatic(initiatorStatic)
                .random(random).build();
            toResponder.put(new Message(a, null, a.writeMessage(empty)));
            inFlight++;
          } else {
            Message m = toInitiator.take();
            m.initiator().readMessage(m.bytes());
            toResponder.put(new Message(null, m.responder(), m.initiator().writeMessage(empty)));
            m.initiator().split();
            inFlight--;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "initiators");
    initiators.setDaemon(true);
    initiators.start();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    byte[] empty = new byte[0];
    long completed = 0;
    CpuWindow window = new CpuWindow(threads, warmupNanos, measureNanos);
    while (!window.done(completed)) {
      Message m = toResponder.take();
      if (m.responder() == null) {
        NoiseHandshake b = NoiseHandshake.builder(PROTOCOL, false).localStatic(responderStatic)
            .random(random).build();
        b.readMessage(m.bytes());
        toInitiator.put(new Message(m.initiator(), b, b.writeMessage(empty)));
      } else {
        m.responder().readMessage(m.bytes());
        m.responder().split();
        completed++;
      }
    }
    initiators.interrupt();
    initiators.join();
    return window.perCpuSecond();
  }

  /** Accepted handshakes per second of the server event loop's CPU time. */
  private static double netty(long warmupNanos, long measureNanos) throws Exception {
    SecureRandom random = new SecureRandom();
    SecureChannelConfig serverConfig = SecureChannelConfig.builder(NoiseKeyPair.generateX25519(random)).build();
    SecureChannelConfig clientConfig = SecureChannelConfig.builder(NoiseKeyPair.generateX25519(random)).build();
    EventLoopGroup server = new NioEventLoopGroup(1, new DefaultThreadFactory("responder", true));
    EventLoopGroup clients = new NioEventLoopGroup(1, new DefaultThreadFactory("initiators", true));
    try {
      long serverThread = server.submit(() -> Thread.currentThread().getId()).get();
      AtomicLong accepted = new AtomicLong();
      Channel listener = new ServerBootstrap().group(server, server).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new NoiseHandler(serverConfig, false), new CloseOnHandshake(accepted),
                  new Quiet());
            }
          })
          .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
      Semaphore slots = new Semaphore(IN_FLIGHT);
      CountDownLatch stopped = new CountDownLatch(1);
      Bootstrap connect = new Bootstrap().group(clients).channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new NoiseHandler(clientConfig, true), new Quiet());
            }
          });
      Thread driver = new Thread(() -> {
        try {
          while (!Thread.currentThread().isInterrupted()) {
            slots.acquire();
            ChannelFuture f = connect.connect(listener.localAddress());
            f.addListener(done -> {
              if (!f.isSuccess()) {
                slots.release();
                return;
              }
              f.channel().closeFuture().addListener(closed -> slots.release());
            });
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          stopped.countDown();
        }
      }, "driver");
      driver.setDaemon(true);
      driver.start();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      CpuWindow window = new CpuWindow(() -> threads.getThreadCpuTime(serverThread), warmupNanos, measureNanos);
      while (!window.done(accepted.get())) {
        Thread.sleep(20);
      }
      driver.interrupt();
      stopped.await(10, TimeUnit.SECONDS);
      listener.close().sync();
      return window.perCpuSecond();
    } finally {
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      server.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /** Counts handshakes the server completed and closes each connection then. */
  private static final class CloseOnHandshake extends ChannelInboundHandlerAdapter {
    private final AtomicLong accepted;

    CloseOnHandshake(AtomicLong accepted) {
      this.accepted = accepted;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof NoiseHandshakeCompletionEvent) {
        accepted.incrementAndGet();
        ctx.close();
      }
      super.userEventTriggered(ctx, evt);
    }
  }

  /**
   * Handshakes cut short when the measurement stops (connections closed as the event loops shut
   * down) are expected: closes without logging them.
   */
  private static final class Quiet extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** A warm-up then a measured window, both in CPU time of one thread; counts only in the latter. */
  private static final class CpuWindow {
    private final LongSupplier cpu;
    private final long measureStart;
    private final long end;
    private boolean measuring;
    private long startCount;
    private long startCpu;
    private long count;
    private long cpuUsed;

    CpuWindow(ThreadMXBean threads, long warmupNanos, long measureNanos) {
      this(threads::getCurrentThreadCpuTime, warmupNanos, measureNanos);
    }

    CpuWindow(LongSupplier cpu, long warmupNanos, long measureNanos) {
      this.cpu = cpu;
      long now = cpu.getAsLong();
      this.measureStart = now + warmupNanos;
      this.end = measureStart + measureNanos;
    }

    /** Call with the running count; true once the measured window is over. */
    boolean done(long runningCount) {
      long now = cpu.getAsLong();
      if (!measuring) {
        if (now >= measureStart) {
          measuring = true;
          startCount = runningCount;
          startCpu = now;
        }
        return false;
      }
      if (now >= end) {
        count = runningCount - startCount;
        cpuUsed = now - startCpu;
        return true;
      }
      return false;
    }

    double perCpuSecond() {
      return count / (cpuUsed / 1e9);
    }
  }
}
