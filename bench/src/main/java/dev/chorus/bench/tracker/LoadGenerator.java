package dev.chorus.bench.tracker;

import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.netty.ChorusPipeline;
import dev.chorus.protocol.netty.NoiseHandler;
import dev.chorus.protocol.netty.SecureChannelConfig;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.protocol.wire.Hello;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load generator: {@code connections} simulated nodes, each on its own real connection to the
 * tracker through the standard Chorus pipeline (Noise XX with the tracker's key pinned, framing,
 * protobuf, hello), on {@code clientThreads} Netty event loops of its own (epoll where it loads, for
 * the open loop's 100 µs timer, which NIO would round up to 1 ms; NIO elsewhere). Drives them closed loop
 * ({@link #startClosedLoop}) or open loop at a fixed rate ({@link #startOpenLoop}); lookup round
 * trips go to one HdrHistogram {@link Recorder}, read and reset by {@link #snapshot}.
 */
final class LoadGenerator implements AutoCloseable {
  /** What the connections do with a reply. */
  enum Mode {
    IDLE,
    CLOSED_LOOP,
    OPEN_LOOP,
    CLOSING
  }

  /** Generator settings. */
  static final class Settings {
    int connections = 128;
    int inFlight = 16;
    int clientThreads = 1;
    double announcesPerLookup = 1;
    int maxPeers = 30;
    int cacheTracks = 256;
    int maxTracksPerAnnounce = 3;
    boolean fastDecode = true;
    long seed = 42;
    /** Open loop: how often each event loop wakes to send what is due. */
    long tickNanos = TimeUnit.MICROSECONDS.toNanos(100);

    @Override
    public String toString() {
      return connections + " connections x " + inFlight + " lookups in flight (closed loop), "
          + clientThreads + " client thread(s), " + announcesPerLookup + " announces (1.." + maxTracksPerAnnounce
          + " tracks) per lookup of " + maxPeers + " peers, " + cacheTracks + " tracks cached per node, replies "
          + (fastDecode ? "reduced to id + peer count" : "fully parsed");
    }
  }

  /** Counters at one moment, and the latencies recorded since the previous snapshot. */
  static final class Snapshot {
    final long nanos;
    final long lookups;
    final long peers;
    final long fullReplies;
    final long announcesSent;
    final long errors;
    final long overflows;
    final Histogram latencies;
    /** Open loop: how late each lookup left the generator after it was due (its own share of the latency). */
    final Histogram sendLag;

    Snapshot(long nanos, long lookups, long peers, long fullReplies, long announcesSent, long errors,
        long overflows, Histogram latencies, Histogram sendLag) {
      this.nanos = nanos;
      this.lookups = lookups;
      this.peers = peers;
      this.fullReplies = fullReplies;
      this.announcesSent = announcesSent;
      this.errors = errors;
      this.overflows = overflows;
      this.latencies = latencies;
      this.sendLag = sendLag;
    }
  }

  final LongAdder lookups = new LongAdder();
  final LongAdder peers = new LongAdder();
  final LongAdder fullReplies = new LongAdder();
  final LongAdder announcesSent = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder overflows = new LongAdder();
  /** Latencies are recorded up to this (larger ones as this). */
  static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
  private final Recorder recorder = new Recorder(MAX_LATENCY_NANOS, 3);
  private final Recorder sendLag = new Recorder(MAX_LATENCY_NANOS, 3);
  private final Map<String, Boolean> errorSamples = new ConcurrentHashMap<>();
  private final Settings settings;
  private final Workload workload;
  private final EventLoopGroup group;
  private final List<LoadConnection> connections = new ArrayList<>();
  private final CountDownLatch ready;
  private final LongSupplier announcesProcessed;
  private final long maxAnnounceBacklog;
  private volatile Mode mode = Mode.IDLE;
  private final List<ScheduledFuture<?>> ticks = new ArrayList<>();

  private LoadGenerator(Settings settings, Workload workload, LongSupplier announcesProcessed) {
    this.settings = settings;
    this.workload = workload;
    this.announcesProcessed = announcesProcessed;
    this.maxAnnounceBacklog = (long) settings.connections * settings.inFlight;
    DefaultThreadFactory threads = new DefaultThreadFactory("loadgen", true);
    this.group = Epoll.isAvailable() ? new EpollEventLoopGroup(settings.clientThreads, threads)
        : new NioEventLoopGroup(settings.clientThreads, threads);
    this.ready = new CountDownLatch(settings.connections);
  }

  /**
   * Connects every node, completes handshakes and hellos, and sends each node's full announce.
   * {@code announcesProcessed} counts the announces the tracker has finished (announces are not
   * answered on the wire); in closed loop the generator keeps at most {@code connections x
   * inFlight} delta announces unprocessed, as it does lookups, so that a backend slower at
   * announces than at lookups (Redis) is not fed an ever-growing backlog.
   */
  static LoadGenerator connect(Settings settings, Workload workload, InetSocketAddress tracker, byte[] trackerKey,
      LongSupplier announcesProcessed) throws Exception {
    LoadGenerator g = new LoadGenerator(settings, workload, announcesProcessed);
    try {
      g.connectAll(tracker, trackerKey);
      return g;
    } catch (Exception | Error e) {
      g.close();
      throw e;
    }
  }

  private void connectAll(InetSocketAddress tracker, byte[] trackerKey) throws Exception {
    SecureRandom keys = new SecureRandom();
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < settings.connections; i++) {
      NoiseKeyPair key = NoiseKeyPair.generateX25519(keys);
      SecureChannelConfig secure = SecureChannelConfig.builder(key).pinnedRemoteKey(trackerKey).build();
      Hello hello = Hello.newBuilder().setListenPort(20_000 + i)
          .setCoordinate(Workload.randomCoordinate(new java.util.SplittableRandom(settings.seed + i)).toWire())
          .build();
      LoadConnection connection = new LoadConnection(this, workload, settings, settings.seed * 31 + i);
      connections.add(connection);
      // Spread the nodes over loopback addresses in different /24s, as real nodes would be.
      String localIp = "127." + (1 + (i >>> 8) % 250) + "." + (i & 0xff) + ".1";
      Channel ch = new Bootstrap().group(group)
          .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
              ChorusPipeline.install(c.pipeline(), secure, true, Envelope.TRACKER, hello, connection);
              if (settings.fastDecode) {
                c.pipeline().addBefore(ChorusPipeline.MESSAGE_DECODER, "lookupReplies", new LookupReplyDecoder());
              }
            }
          })
          .localAddress(localIp, 0)
          .connect(tracker).sync().channel();
      channels.add(ch);
    }
    for (Channel ch : channels) {
      NoiseHandler.of(ch).handshakeFuture().get(30, TimeUnit.SECONDS);
    }
    if (!ready.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(ready.getCount() + " of " + settings.connections
          + " connections did not complete the hello exchange within 60 s; errors: " + errorSamples.keySet());
    }
    // The full announces are setup, not load: let the tracker finish them before anything is measured.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (announcesProcessed.getAsLong() < settings.connections) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the tracker processed " + announcesProcessed.getAsLong() + " of "
            + settings.connections + " full announces within 300 s");
      }
      Thread.sleep(10);
    }
  }

  void connectionReady() {
    ready.countDown();
  }

  Mode mode() {
    return mode;
  }

  /** Closed loop: may another announce go out now? */
  boolean announceWindowOpen() {
    return announcesSent.sum() - announcesProcessed.getAsLong() < maxAnnounceBacklog;
  }

  void replied(long latencyNanos, int peerCount, boolean full) {
    recorder.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(1, latencyNanos)));
    lookups.increment();
    peers.add(peerCount);
    if (full) {
      fullReplies.increment();
    }
  }

  /** Open loop: a lookup due at some time was written {@code lagNanos} later. */
  void sentLate(long lagNanos) {
    sendLag.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, lagNanos)));
  }

  /** Keeps a few distinct error descriptions for the report. */
  void noteError(String what) {
    errors.increment();
    if (errorSamples.size() < 10) {
      errorSamples.putIfAbsent(what, Boolean.TRUE);
    }
  }

  List<String> errorSamples() {
    return new ArrayList<>(errorSamples.keySet());
  }

  /** Every connection keeps {@code settings.inFlight} lookups outstanding until {@link #stop}. */
  void startClosedLoop() {
    mode = Mode.CLOSED_LOOP;
    for (LoadConnection c : connections) {
      c.channel().eventLoop().execute(() -> c.startClosedLoop(settings.inFlight));
    }
  }

  /**
   * Sends {@code operationsPerSecond} operations (each one lookup plus its share of announces),
   * spread evenly over the connections and in time, until {@link #stop}. Each event loop wakes
   * every {@code tickNanos} (a timer of its own: no pacer thread to wake it, which on two
   * cores was one more thread queueing for them) and sends what is due; latency counts from when
   * an operation was due, so a stalled tracker (or generator) shows in the figures.
   */
  void startOpenLoop(double operationsPerSecond) {
    int n = connections.size();
    long period = Math.max(1, Math.round(n * 1e9 / operationsPerSecond));
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
    Map<EventLoop, List<LoadConnection>> byLoop = new IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      LoadConnection c = connections.get(i);
      long first = start + period * i / n;
      c.channel().eventLoop().execute(() -> c.startOpenLoop(first, period));
      byLoop.computeIfAbsent(c.channel().eventLoop(), l -> new ArrayList<>()).add(c);
    }
    mode = Mode.OPEN_LOOP;
    byLoop.forEach((loop, mine) -> ticks.add(loop.scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      for (LoadConnection c : mine) {
        c.sendDue(now);
      }
    }, 0, settings.tickNanos, TimeUnit.NANOSECONDS)));
  }

  /** Stops sending, then waits (up to {@code maxWaitMillis}) for outstanding lookups to be answered. */
  void stop(long maxWaitMillis) throws InterruptedException, java.util.concurrent.ExecutionException {
    mode = Mode.IDLE;
    stopTicks();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
    while (System.nanoTime() < deadline) {
      int outstanding = 0;
      for (LoadConnection c : connections) {
        outstanding += c.channel().eventLoop().submit(c::outstanding).get();
      }
      if (outstanding == 0) {
        return;
      }
      Thread.sleep(20);
    }
  }

  private void stopTicks() {
    for (ScheduledFuture<?> tick : ticks) {
      tick.cancel(false);
    }
    ticks.clear();
  }

  /** Counters now, and the latency histogram since the last snapshot (which resets it). */
  Snapshot snapshot() {
    Histogram h = recorder.getIntervalHistogram();
    return new Snapshot(System.nanoTime(), lookups.sum(), peers.sum(), fullReplies.sum(), announcesSent.sum(),
        errors.sum(), overflows.sum(), h, sendLag.getIntervalHistogram());
  }

  @Override
  public void close() {
    mode = Mode.CLOSING;
    stopTicks();
    for (LoadConnection c : connections) {
      if (c.channel() != null) {
        c.channel().close();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
