package dev.chorus.node;

import dev.chorus.node.internal.originclient.OriginClient;
import dev.chorus.node.internal.originclient.OriginConfig;
import dev.chorus.node.internal.core.StartPolicy;
import dev.chorus.node.internal.core.SwarmCore;
import dev.chorus.node.internal.inspect.NodeInspection;
import dev.chorus.node.internal.inspect.NodeInspector;
import dev.chorus.node.internal.peer.PeerNetwork;
import dev.chorus.node.internal.peer.PeerNetworkConfig;
import dev.chorus.node.internal.portmap.PortMapper;
import dev.chorus.node.internal.store.ChunkStore;
import dev.chorus.node.internal.store.ChunkStoreConfig;
import dev.chorus.node.internal.store.ChunkStoreListener;
import dev.chorus.node.internal.store.InMemoryChunkStore;
import dev.chorus.node.internal.store.RocksDbChunkStore;
import dev.chorus.node.internal.trackerclient.TrackerClient;
import dev.chorus.node.internal.trackerclient.TrackerClientConfig;
import dev.chorus.node.internal.trackerclient.TrackerEndpoint;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.netty.Transport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Chorus node embedded in an application: it plays tracks from its cache, from nearby peers and
 * from the CDN, caches what it played, and serves it to other peers.
 *
 * <pre>{@code
 * try (ChorusNode node = ChorusNode.start(config)) {
 *   try (TrackStream in = node.open(TrackId.fromHex(id))) {
 *     in.transferTo(player);        // bytes in order, each chunk verified before it is returned
 *   }
 *   System.out.println(node.stats());
 * }
 * }</pre>
 *
 * <p>Thread-safe. Nothing the network or the disk does reaches the caller as an exception other
 * than from {@link #open} and from reads of a {@link TrackStream} (an {@link IOException} saying
 * what went wrong).
 */
public final class ChorusNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChorusNode.class);
  /** The cache size of a node without a cache directory. */
  public static final long DEFAULT_MEMORY_CACHE_BYTES = 256L * 1024 * 1024;

  private final NodeConfig config;
  private final ChunkStore store;
  private final CoreLoop loop;
  private final ReceivedChunks received;
  private final SwarmCommands commands;
  private final Playback playback;
  private final NodeId nodeId;
  private final ScheduledExecutorService coreLoop;
  private final ExecutorService io;
  private final EventLoopGroup group;
  private final OriginClient origin;
  private final PeerNetwork network;
  private final TrackerClient tracker;
  private final NodeStatsRecorder stats;
  private final NodeSelfInspector inspector;
  /** Null unless {@link NodeConfig#portMapping()} is AUTO and the node accepts connections. */
  private final PortMapper portMapper;
  private volatile boolean closed;

  static {
    // The node's page and the demo look inside a node through this bridge, not a public method.
    NodeInspection.install(ChorusNode::inspector);
  }

  /** The parts of a running node, each made complete before the next that needs it. */
  private record Parts(CoreLoop loop, ReceivedChunks received, SwarmCommands commands, Playback playback) {}

  private ChorusNode(NodeConfig config, ChunkStore store, Parts parts, ScheduledExecutorService coreLoop,
      ExecutorService io, EventLoopGroup group, OriginClient origin, PeerNetwork network, TrackerClient tracker,
      NodeStatsRecorder stats, PortMapper portMapper) {
    this.config = config;
    this.store = store;
    this.loop = parts.loop();
    this.received = parts.received();
    this.commands = parts.commands();
    this.playback = parts.playback();
    this.nodeId = NodeId.ofStaticKey(config.identity().publicKey());
    this.coreLoop = coreLoop;
    this.io = io;
    this.group = group;
    this.origin = origin;
    this.network = network;
    this.tracker = tracker;
    this.stats = stats;
    this.portMapper = portMapper;
    this.inspector = new NodeSelfInspector(this, loop, stats, store, received, playback, network,
        this::isTrackerConnected, config.origins());
  }

  /**
   * Starts a node: opens the cache, listens for peers, connects to the tracker (in the
   * background, retrying) and announces the cache.
   *
   * @throws IOException if the cache cannot be opened or the peer port cannot be bound
   * @throws IllegalArgumentException if an {@code s3://} origin at AWS has no region (none
   *     configured, and the AWS SDK's region chain found none)
   */
  public static ChorusNode start(NodeConfig config) throws IOException {
    Objects.requireNonNull(config, "config");
    AtomicReference<ChunkStoreListener> storeEvents = new AtomicReference<>(ChunkStoreListener.NO_OP);
    ChunkStore store = openStore(config, forwarding(storeEvents));
    String name = NodeId.ofStaticKey(config.identity().publicKey()).toHex().substring(0, 8);
    ScheduledExecutorService coreLoop = Executors.newSingleThreadScheduledExecutor(
        new DefaultThreadFactory("chorus-core-" + name, true));
    ExecutorService io = Executors.newFixedThreadPool(4, new DefaultThreadFactory("chorus-io-" + name, true));
    EventLoopGroup group = config.transport().newGroup(2, new DefaultThreadFactory("chorus-net-" + name, true));
    NodeStatsRecorder stats = new NodeStatsRecorder();
    OriginClient origin = null;
    PeerNetwork network = null;
    PortMapper portMapper = null;
    try {
      OriginConfig.Builder originConfig = OriginConfig.builder().s3(config.s3Access());
      config.origins().forEach(originConfig::addBaseUri);
      origin = OriginClient.create(originConfig.build());
      CoreLoop loop = new CoreLoop(coreLoop, System::nanoTime);
      ReceivedChunks received = new ReceivedChunks(store, loop, stats, config.trustedPublishers(), name);
      NodeEventRouter router = new NodeEventRouter(loop, stats, config.listener(), new StoreHoldings(store));
      storeEvents.set(router);
      Writability writability = new Writability();
      NodeId self = NodeId.ofStaticKey(config.identity().publicKey());
      PeerNetworkConfig.Builder peers = PeerNetworkConfig.builder(config.identity())
          .bindAddress(InetAddress.getByName(config.bindHost()))
          .listenPort(config.listenPort())
          .acceptIncoming(config.acceptIncoming())
          .punching(config.punching() && config.hasTracker())
          .maxConnections(config.swarm().neighbourHardLimit())
          .banDuration(java.time.Duration.ofNanos(config.swarm().banNanos()))
          .uploadBytesPerSecond(config.uploadBytesPerSecond())
          .downloadBytesPerSecond(config.downloadBytesPerSecond());
      network = PeerNetwork.start(peers.build(), group, new PeerEvents(loop, received, writability, self),
          loop::coordinate);
      int listenPort = config.acceptIncoming() ? network.listenPort() : 0;
      TrackerClient tracker = null;
      if (config.hasTracker()) {
        TrackerClientConfig trackerConfig = TrackerClientConfig.builder(config.identity())
            .tracker(TrackerEndpoint.of(config.trackerKey(), config.trackerHost(), config.trackerPort()))
            .listenPort(listenPort)
            .localAddress(InetAddress.getByName(config.bindHost()))
            .region(config.region())
            .telemetryInterval(config.telemetry() ? config.telemetryInterval() : java.time.Duration.ZERO)
            .traversal(config.reversal())
            .punching(config.punching())
            .build();
        tracker = TrackerClient.start(trackerConfig, group, router, router, stats::playbackTotals);
        tracker.onConnectTo(reversalDialler(network, stats));
        tracker.onPunch(holePuncher(network, stats));
      }
      if (config.portMapping() == NodeConfig.PortMapping.AUTO && config.acceptIncoming()) {
        stats.portMapping(new NodeStatsRecorder.PortMappingView("discovering", "", "", 0));
        portMapper = PortMapper.start(config.portMappingConfig(), network.listenPort(), new PortMappingEvents(stats,
            tracker, network.listenPort(), config.listener(), config.meterRegistry(), name));
      }
      SwarmCommands commands = new SwarmCommands(loop, network, tracker, origin, store, received, io, stats,
          config.listener(), config.identity().publicKey(), writability);
      loop.start(() -> {
        SwarmCore core = new SwarmCore(config.swarm(), commands, router, received::held, new SecureRandom());
        core.listening(listenPort);
        core.punchable(config.punching() && config.hasTracker() && listenPort != 0);
        return core;
      });
      Playback playback = new Playback(loop, received, store, stats, config.listener(), config.origins().toString(),
          StartPolicy.of(config.swarm()));
      ChorusNode node = new ChorusNode(config, store, new Parts(loop, received, commands, playback), coreLoop, io,
          group, origin, network, tracker, stats, portMapper);
      long tick = config.tickInterval().toNanos();
      coreLoop.scheduleAtFixedRate(() -> loop.post(core -> {
        playback.reportPlayhead(core);
        core.tick(loop.now());
      }), tick, tick, TimeUnit.NANOSECONDS);
      config.meterRegistry().ifPresent(node::bindMetrics);
      log.info("node {} started: peer port {} on {}, cache {} ({} MB), tracker {}, origins {}", name,
          network.listenPort(), config.transport(), config.cacheDirectory().map(Object::toString).orElse("in memory"),
          store.capacityBytes() / 1_000_000,
          config.hasTracker() ? config.trackerHost() + ":" + config.trackerPort() : "none", config.origins());
      return node;
    } catch (IOException | RuntimeException e) {
      if (portMapper != null) {
        portMapper.close();
      }
      if (network != null) {
        network.close();
      }
      if (origin != null) {
        origin.close();
      }
      coreLoop.shutdownNow();
      io.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      store.close();
      throw e;
    }
  }

  /** Dials a requester the tracker names (connection reversal); the link is then as any other. */
  private static TrackerClient.ConnectToHandler reversalDialler(PeerNetwork network, NodeStatsRecorder stats) {
    return (node, key, address) -> {
      stats.reversalServed();
      network.connect(address, key).whenComplete((link, error) -> {
        if (error != null) {
          log.debug("connecting back to {} at {} for a reversal failed: {}", node, address, error.getMessage());
        }
      });
    };
  }

  /**
   * Dials the node the tracker names from our listen port (hole punching), for a punch we asked
   * for or one another node asked for with us; the link is then as any other.
   */
  private static TrackerClient.PunchHandler holePuncher(PeerNetwork network, NodeStatsRecorder stats) {
    return (node, key, address, startDelay) -> {
      stats.punchDialled();
      log.info("punching to {} at {} in {} ms", node, address, startDelay.toMillis());
      network.punch(node, key, address, startDelay, SwarmCommands.PUNCH_WINDOW).whenComplete((opened, error) -> {
        if (error != null || !opened) {
          log.info("punch to {} at {}: no TCP connection within {} ms{}", node, address,
              SwarmCommands.PUNCH_WINDOW.toMillis(), error == null ? "" : ": " + error.getMessage());
        } else {
          log.info("punch to {} at {}: TCP connection open (simultaneous open)", node, address);
        }
      });
    };
  }

  private static ChunkStore openStore(NodeConfig config, ChunkStoreListener listener) throws IOException {
    if (config.cacheDirectory().isPresent()) {
      ChunkStoreConfig.Builder b = ChunkStoreConfig.builder().directory(config.cacheDirectory().get());
      if (config.cacheCapacityBytes() > 0) {
        b.capacityBytes(config.cacheCapacityBytes());
      }
      return RocksDbChunkStore.open(b.build(), listener);
    }
    long capacity = config.cacheCapacityBytes() > 0 ? config.cacheCapacityBytes() : DEFAULT_MEMORY_CACHE_BYTES;
    return InMemoryChunkStore.create(ChunkStoreConfig.builder().capacityBytes(capacity).build(), listener);
  }

  private static ChunkStoreListener forwarding(AtomicReference<ChunkStoreListener> target) {
    return new ChunkStoreListener() {
      @Override
      public void tracksEvicted(List<TrackId> trackIds) {
        target.get().tracksEvicted(trackIds);
      }

      @Override
      public void corruptChunkDeleted(TrackId trackId, int index) {
        target.get().corruptChunkDeleted(trackId, index);
      }

      @Override
      public void cachingDisabled(Exception cause) {
        target.get().cachingDisabled(cause);
      }
    };
  }

  /**
   * Plays a track: returns a stream of its bytes in order once its manifest is known (from the
   * cache or the origin). Opening another track changes track: the old one's requests are
   * cancelled.
   *
   * @throws IOException if the track is unknown to the origin, its publisher is not trusted, or
   *     the node is shut down
   */
  public TrackStream open(TrackId trackId) throws IOException {
    Objects.requireNonNull(trackId, "trackId");
    ensureOpen();
    return playback.open(trackId);
  }

  /** Fetches a track in the background at priority PREFETCH (for the cache and a quick start later). */
  public void prefetch(TrackId trackId) {
    Objects.requireNonNull(trackId, "trackId");
    loop.post(core -> core.prefetch(trackId, loop.now()));
  }

  /** The track likely to be played next: it is prefetched when 30 s or less of the current one remain. */
  public void queueNext(TrackId trackId) {
    Objects.requireNonNull(trackId, "trackId");
    loop.post(core -> core.queueNext(trackId, loop.now()));
  }

  /** Counters since start. */
  public NodeStats stats() {
    return stats.snapshot(loop.neighbourCount());
  }

  /** This node's id (the SHA-256 of its static key). */
  public NodeId nodeId() {
    return nodeId;
  }

  /** The Netty transport of the node's sockets ({@link NodeConfig#transport()}); a server beside it uses the same. */
  public Transport transport() {
    return config.transport();
  }

  /** The port peers connect to; 0 if the node accepts no incoming connections. */
  public int peerPort() {
    return network.listenPort();
  }

  /** Whether the cache is storing (false after a storage error: the node streams without caching). */
  public boolean isCaching() {
    return store.isCaching();
  }

  /** Whether the tracker connection is up (false without a tracker). */
  public boolean isTrackerConnected() {
    return tracker != null && tracker.isConnected();
  }

  /** Whether every chunk of the track is in the cache. */
  public boolean isCached(TrackId trackId) {
    return store.isComplete(trackId);
  }

  /** What the node's page and the demo show of it ({@link NodeInspection}). */
  NodeInspector inspector() {
    return inspector;
  }

  private void bindMetrics(MeterRegistry registry) {
    String id = nodeId().toHex().substring(0, 8);
    PlayedBytesLedger ledger = stats.ledger();
    for (String source : List.of("peers", "cdn")) {
      FunctionCounter.builder("chorus.node.bytes.received", ledger, l -> source.equals("peers")
              ? l.totals().fetchedFromPeers() : l.totals().fetchedFromCdn())
          .baseUnit("bytes").description("Bytes fetched over the network, by source").tag("source", source)
          .tag("node", id).register(registry);
    }
    for (String source : List.of("cache", "peers", "cdn")) {
      FunctionCounter.builder("chorus.node.bytes.played", ledger, l -> switch (source) {
        case "cache" -> l.totals().played().fromCache();
        case "peers" -> l.totals().played().fromPeers();
        default -> l.totals().played().fromCdn();
      }).baseUnit("bytes").description("Bytes played, by the source each came from").tag("source", source)
          .tag("node", id).register(registry);
    }
    FunctionCounter.builder("chorus.node.bytes.uploaded", stats, NodeStatsRecorder::bytesUploaded)
        .baseUnit("bytes").description("Chunk bytes served to peers").tag("node", id).register(registry);
    FunctionCounter.builder("chorus.node.tracker.limit.refusals", stats, NodeStatsRecorder::trackerHoldingsRefusals)
        .description("Announces the tracker indexed only in part (LIMIT_EXCEEDED: it is at one of its limits)")
        .tag("node", id).register(registry);
    FunctionCounter.builder("chorus.node.stutters", stats, NodeStatsRecorder::stutters)
        .description("Times playback waited for data").tag("node", id).register(registry);
    for (String outcome : List.of("connected", "failed", "served")) {
      FunctionCounter.builder("chorus.node.reversals", stats, s -> s.reversals(outcome))
          .description("Connection reversals: asked for and connected, asked for and failed, served (dialled for a requester)")
          .tag("outcome", outcome).tag("node", id).register(registry);
    }
    for (String outcome : List.of("connected", "failed", "dialled")) {
      FunctionCounter.builder("chorus.node.punches", stats, s -> s.punches(outcome))
          .description("Hole punches: asked for and connected, asked for and failed, dialled (ours and those"
              + " other nodes asked for with this one)")
          .tag("outcome", outcome).tag("node", id).register(registry);
    }
    Gauge.builder("chorus.node.neighbours", loop, CoreLoop::neighbourCount)
        .description("Connected peers").tag("node", id).register(registry);
    Gauge.builder("chorus.node.cache.used", store, ChunkStore::usedBytes).baseUnit("bytes")
        .description("Bytes in the chunk cache").tag("node", id).register(registry);
    Gauge.builder("chorus.node.port.mapping.external.port", stats, s -> s.portMapping().externalPort())
        .description("The external port the gateway mapped to the peer port; 0 without a mapping").tag("node", id)
        .register(registry);
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("the node is shut down");
    }
  }

  /** Says goodbye to the tracker and peers, stops all threads and closes the cache. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    loop.close();
    commands.close();
    received.close();
    if (tracker != null) {
      tracker.close();
    }
    if (portMapper != null) {
      portMapper.close(); // after the tracker's goodbye, so that losing the mapping makes no new hello
    }
    network.close();
    coreLoop.shutdownNow();
    io.shutdownNow();
    origin.close();
    try {
      coreLoop.awaitTermination(5, TimeUnit.SECONDS);
      io.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    store.close();
    log.info("node {} stopped", nodeId().toHex().substring(0, 8));
  }
}
