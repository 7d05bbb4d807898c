package dev.chorus.tracker.cli;

import dev.chorus.protocol.keys.NoiseKeyFile;
import dev.chorus.protocol.netty.Transport;
import dev.chorus.protocol.noise.NoiseKeyPair;
import dev.chorus.tracker.IpRange;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TraversalConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.TrackerServer;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.redis.LookupCacheConfig;
import dev.chorus.tracker.redis.RedisLayoutException;
import dev.chorus.tracker.redis.RedisPeerIndex;
import dev.chorus.tracker.metrics.MetricsHttpServer;
import dev.chorus.tracker.metrics.MicrometerTrackerListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chorus-tracker}: runs a tracker daemon until interrupted (Ctrl-C or SIGTERM). */
@Command(
    name = "chorus-tracker",
    mixinStandardHelpOptions = true,
    versionProvider = TrackerMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    customSynopsis = "chorus-tracker [OPTIONS]",
    description = {
      "Runs a Chorus tracker: nodes connect over Noise-encrypted TCP, announce the tracks they cache, "
          + "and look up the nearest peers holding a track. Metrics for Prometheus on a separate port.",
      "",
      "Nodes pin the tracker's key: give them the address printed at start, <key>@<host>:<port>.",
      ""
    },
    footer = {"", "Durations: 500ms, 30s, 10m, 2h, 1d or ISO-8601 (PT10M). Docs: tracker/README.md"})
public final class TrackerMain implements Callable<Integer> {
  @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
      description = "Address for node connections (default: ${DEFAULT-VALUE}).", defaultValue = "0.0.0.0:7070")
  InetSocketAddress listen;

  @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
      description = "Address of /metrics and /healthz (default: ${DEFAULT-VALUE}; loopback only unless you say otherwise).",
      defaultValue = "127.0.0.1:9464")
  InetSocketAddress metrics;

  @Option(names = "--key-file", paramLabel = "PATH",
      description = "The tracker's static key; created on first start (default: ${DEFAULT-VALUE}).",
      defaultValue = "tracker.key")
  Path keyFile;

  @Option(names = "--backend", paramLabel = "memory|redis",
      description = "Where the peer index lives: memory (one instance) or redis (several instances, one swarm). Default: ${DEFAULT-VALUE}.",
      defaultValue = "memory")
  String backend;

  @Option(names = "--redis-uri", paramLabel = "URI",
      description = "With --backend redis: redis://host:port for one server, redis-cluster://host:port[,host:port...] for a cluster.")
  String redisUri;

  @Option(names = "--redis-lookup-cache-ttl", converter = DurationConverter.class,
      description = "With --backend redis: a track's candidates read from Redis answer its lookups on this tracker for this long (0 turns the cache off; at most 1m). This tracker's own announces and goodbyes show at once; other trackers' changes after up to this long (default: ${DEFAULT-VALUE}).",
      defaultValue = "1s")
  Duration redisLookupCacheTtl;

  @Option(names = "--redis-lookup-cache-tracks",
      description = "With --backend redis: tracks whose candidates the lookup cache holds at most, an estimated 1.5 to 10 KB each with 30 peers per track (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  int redisLookupCacheTracks;

  @Option(names = "--keep-per-track", description = "Peers kept per track, most recent first (default: ${DEFAULT-VALUE}).", defaultValue = "20")
  int keepPerTrack;

  @Option(names = "--ttl", converter = DurationConverter.class,
      description = "An entry expires this long after its last announce (default: ${DEFAULT-VALUE}).", defaultValue = "30m")
  Duration ttl;

  @Option(names = "--peers-per-lookup", description = "Peers returned when a lookup does not say (default: ${DEFAULT-VALUE}).", defaultValue = "10")
  int peersPerLookup;

  @Option(names = "--max-peers-per-lookup", description = "Most peers a lookup may ask for (default: ${DEFAULT-VALUE}).", defaultValue = "50")
  int maxPeersPerLookup;

  @Option(names = "--max-tracks-per-announce", description = "Tracks in one announce message (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
  int maxTracksPerAnnounce;

  @Option(names = "--announce-rate", paramLabel = "PER_SECOND", description = "Announces per connection per second (default: ${DEFAULT-VALUE}).", defaultValue = "10")
  double announceRate;

  @Option(names = "--announce-burst", description = "Announce burst per connection (default: ${DEFAULT-VALUE}).", defaultValue = "50")
  int announceBurst;

  @Option(names = "--lookup-rate", paramLabel = "PER_SECOND", description = "Lookups per connection per second (default: ${DEFAULT-VALUE}).", defaultValue = "20")
  double lookupRate;

  @Option(names = "--lookup-burst", description = "Lookup burst per connection (default: ${DEFAULT-VALUE}).", defaultValue = "100")
  int lookupBurst;

  @Option(names = "--max-connections-per-ip",
      description = "Connections from one network: one IPv4 address, or one IPv6 /64 (see --quota-prefix-v4/-v6) (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int maxConnectionsPerIp;

  @Option(names = "--max-holdings-per-key",
      description = "Index entries one node key may hold; holdings past it are refused with Error{LIMIT_EXCEEDED} (default: ${DEFAULT-VALUE}).",
      defaultValue = "20000")
  int maxHoldingsPerKey;

  @Option(names = "--max-holdings-per-prefix",
      description = "Index entries the keys of one network (--quota-prefix-v4/-v6) may hold together (default: ${DEFAULT-VALUE}).",
      defaultValue = "200000")
  int maxHoldingsPerPrefix;

  @Option(names = "--max-partial-bytes-per-key", converter = ByteSizeConverter.class, paramLabel = "BYTES",
      description = "Bitmap bytes of one key's partial holdings, summed; 64k, 1m... (default: ${DEFAULT-VALUE}).",
      defaultValue = "1m")
  long maxPartialBytesPerKey;

  @Option(names = "--max-index-bytes", converter = ByteSizeConverter.class, paramLabel = "BYTES",
      description = "Memory budget of the in-memory index, as it accounts its own arrays and objects; new holdings past it are refused. Give the JVM at least twice this as heap (-Xmx). Not applied with --backend redis (use Redis maxmemory) (default: ${DEFAULT-VALUE}).",
      defaultValue = "512m")
  long maxIndexBytes;

  @Option(names = "--quota-prefix-v4", paramLabel = "BITS",
      description = "IPv4 addresses sharing this many leading bits count as one network for the per-network caps, 1..32 (default: ${DEFAULT-VALUE}).",
      defaultValue = "32")
  int quotaPrefixV4;

  @Option(names = "--quota-prefix-v6", paramLabel = "BITS",
      description = "IPv6 addresses sharing this many leading bits count as one network for the per-network caps, 1..64 (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int quotaPrefixV6;

  @Option(names = "--violations-before-ban", description = "Protocol violations within --violation-window that get a network (IPv4 address, IPv6 /64) banned (default: ${DEFAULT-VALUE}).", defaultValue = "5")
  int violationsBeforeBan;

  @Option(names = "--violation-window", converter = DurationConverter.class, description = "Default: ${DEFAULT-VALUE}.", defaultValue = "10m")
  Duration violationWindow;

  @Option(names = "--ban-duration", converter = DurationConverter.class, description = "Default: ${DEFAULT-VALUE}.", defaultValue = "15m")
  Duration banDuration;

  @Option(names = "--idle-timeout", converter = DurationConverter.class,
      description = "Close connections silent this long (default: ${DEFAULT-VALUE}).", defaultValue = "10m")
  Duration idleTimeout;

  @Option(names = "--max-frame-bytes", description = "Largest message accepted (default: ${DEFAULT-VALUE}).", defaultValue = "1048576")
  int maxFrameBytes;

  @Option(names = "--telemetry-region", paramLabel = "REGION", split = ",",
      description = "A region whose nodes' playback figures get their own metrics label (repeatable or comma-separated,"
          + " at most 32); nodes of other regions are labelled 'other', nodes without one 'none'.")
  List<String> telemetryRegions = new ArrayList<>();

  @Option(names = "--no-reversal", description = "Relay no connection reversals: nodes that accept no connections"
      + " are not indexed and get no reachability report (as before NAT traversal).")
  boolean noReversal;

  @Option(names = "--no-punching", description = "Coordinate no hole punching between two nodes that both accept no"
      + " connections (they then reach each other only through reachable peers and the CDN).")
  boolean noPunching;

  @Option(names = "--no-probe", description = "Do not dial nodes back to check their listen port; trust it.")
  boolean noProbe;

  @Option(names = "--probe-range", paramLabel = "CIDR", split = ",",
      description = "Besides public addresses, also probe nodes connecting from these networks (repeatable or"
          + " comma-separated, e.g. 10.0.0.0/8). Private, loopback, shared and documentation addresses are"
          + " otherwise never probed, and such a node's listen port is trusted.")
  List<String> probeRanges = new ArrayList<>();

  @Option(names = "--probe-timeout", description = "How long a dial-back probe may take (default: ${DEFAULT-VALUE}).",
      defaultValue = "3s", converter = DurationConverter.class)
  Duration probeTimeout;

  @Option(names = "--io-threads", description = "Network threads (default: number of cores).")
  Integer ioThreads;

  @Option(names = "--transport", paramLabel = "nio|epoll|auto", defaultValue = "nio",
      description = "Sockets on Java NIO or on Linux's native epoll (Linux x86-64); auto: epoll where it loads, "
          + "else NIO (default: ${DEFAULT-VALUE}).")
  String transport;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command line with the given output streams and returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new TrackerMain()).setOut(out).setErr(err).execute(args);
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public Integer call() throws Exception {
    TrackerConfig config;
    PeerIndexConfig indexConfig;
    LookupCacheConfig lookupCache;
    try {
      lookupCache = LookupCacheConfig.of(redisLookupCacheTtl, redisLookupCacheTracks);
      indexConfig = PeerIndexConfig.builder().keepPerTrack(keepPerTrack).ttl(ttl)
          .maxHoldingsPerPeer(maxHoldingsPerKey).maxHoldingsPerPrefix(maxHoldingsPerPrefix)
          .maxPartialBytesPerPeer(maxPartialBytesPerKey).maxIndexBytes(maxIndexBytes)
          .quotaPrefix(quotaPrefixV4, quotaPrefixV6).build();
      NoiseKeyPair key = NoiseKeyFile.loadOrCreate(keyFile, new SecureRandom());
      TrackerConfig.Builder b = TrackerConfig.builder(key)
          .listenAddress(listen).index(indexConfig).maxFrameBytes(maxFrameBytes)
          .maxTracksPerAnnounce(maxTracksPerAnnounce)
          .defaultPeersPerLookup(peersPerLookup).maxPeersPerLookup(maxPeersPerLookup)
          .announceRate(announceRate, announceBurst).lookupRate(lookupRate, lookupBurst)
          .maxConnectionsPerIp(maxConnectionsPerIp).violationsBeforeBan(violationsBeforeBan)
          .violationWindow(violationWindow).banDuration(banDuration).idleTimeout(idleTimeout)
          .telemetryRegions(new LinkedHashSet<>(telemetryRegions))
          .traversal(TraversalConfig.builder().reversal(!noReversal).punching(!noPunching).probe(!noProbe)
              .probeRanges(probeRanges.stream().map(String::trim).map(IpRange::parse).toList())
              .probeTimeout(probeTimeout).build());
      if (ioThreads != null) {
        b.ioThreads(ioThreads);
      }
      b.transport(Transport.named(transport));
      config = b.build();
    } catch (IllegalArgumentException e) {
      err().println("chorus-tracker: " + e.getMessage() + " (see --help)");
      return 2;
    }
    try (PeerIndex index = openIndex(indexConfig, lookupCache)) {
      if (index == null) {
        return 2;
      }
      return serve(config, index);
    } catch (RedisLayoutException e) {
      err().println("chorus-tracker: " + e.getMessage());
      return 1;
    }
  }

  private PeerIndex openIndex(PeerIndexConfig indexConfig, LookupCacheConfig lookupCache) {
    switch (backend) {
      case "memory":
        if (redisUri != null) {
          err().println("chorus-tracker: --redis-uri is only used with --backend redis");
          return null;
        }
        return InMemoryPeerIndex.create(indexConfig);
      case "redis":
        if (redisUri == null) {
          err().println("chorus-tracker: --backend redis needs --redis-uri, e.g. redis://127.0.0.1:6379");
          return null;
        }
        return RedisPeerIndex.connect(redisUri, indexConfig, lookupCache);
      default:
        err().println("chorus-tracker: --backend must be memory or redis, was '" + backend + "'");
        return null;
    }
  }

  private int serve(TrackerConfig config, PeerIndex index) throws Exception {
    long heap = Runtime.getRuntime().maxMemory();
    if (index instanceof InMemoryPeerIndex && heap != Long.MAX_VALUE && config.index().maxIndexBytes() > heap / 2) {
      // The budget bounds the index; the rest of the heap holds connections and messages in flight.
      err().println("chorus-tracker: warning: --max-index-bytes " + config.index().maxIndexBytes()
          + " is more than half the JVM heap (" + heap + " bytes); start it with -Xmx at least twice the budget");
    }
    PrometheusMeterRegistry registry = newRegistry();
    TrackerListener listener = new MicrometerTrackerListener(registry);
    TrackerServer server = TrackerServer.start(config, index, listener);
    bindIndexGauges(registry, server, index);
    MetricsHttpServer http = MetricsHttpServer.start(metrics, registry, server::isRunning);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      http.close();
      server.close();
      stopped.countDown();
    }, "tracker-shutdown"));
    InetSocketAddress at = server.address();
    PrintWriter out = spec.commandLine().getOut();
    out.println("chorus-tracker listening on " + at.getHostString() + ":" + at.getPort()
        + " (" + config.index() + ", backend " + backend
        + (index instanceof RedisPeerIndex ? ", " + ((RedisPeerIndex) index).lookupCacheConfig() : "")
        + ", " + config.ioThreads() + " I/O threads on " + config.transport() + ")");
    out.println("nodes connect with: " + server.publicKeyHex() + "@<this host>:" + at.getPort());
    out.println("metrics: http://" + http.address().getHostString() + ":" + http.address().getPort() + "/metrics");
    out.flush();
    stopped.await();
    return 0;
  }

  /** The registry /metrics serves, with the JVM's meters (the tracker's own come from its listener). */
  static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindJvmMetrics(registry);
    return registry;
  }

  /** The index sizes, read from the server's periodically refreshed stats. */
  static void bindIndexGauges(PrometheusMeterRegistry registry, TrackerServer server, PeerIndex index) {
    Gauge.builder("chorus.tracker.index.tracks", server, s -> s.indexStats().tracks())
        .description("Tracks with at least one peer (in memory: until the next expiry sweep, also tracks only departed peers were in)")
        .register(registry);
    Gauge.builder("chorus.tracker.index.entries", server, s -> s.indexStats().entries())
        .description("(track, peer) entries in the index").register(registry);
    Gauge.builder("chorus.tracker.index.peers", server, s -> s.indexStats().peers())
        .description("Peers in the index (all instances, with a shared backend)").register(registry);
    if (index instanceof InMemoryPeerIndex) {
      InMemoryPeerIndex memory = (InMemoryPeerIndex) index;
      Gauge.builder("chorus.tracker.index.accounted", memory, InMemoryPeerIndex::accountedBytes).baseUnit("bytes")
          .description("The in-memory index's own account of its size; new holdings are refused past --max-index-bytes")
          .register(registry);
    }
    if (index instanceof RedisPeerIndex && ((RedisPeerIndex) index).lookupCacheConfig().enabled()) {
      bindLookupCacheMeters(registry, (RedisPeerIndex) index);
    }
  }

  /** The Redis index's lookup cache: lookups by outcome, and its size. */
  static void bindLookupCacheMeters(MeterRegistry registry, RedisPeerIndex index) {
    String lookups = "chorus.tracker.redis.lookup.cache";
    String description = "Lookups of the Redis index by lookup cache outcome: hit (answered from the cache), "
        + "shared (waited for another lookup's read of the track), miss (read Redis)";
    FunctionCounter.builder(lookups, index, RedisPeerIndex::lookupCacheHits).tag("outcome", "hit")
        .description(description).register(registry);
    FunctionCounter.builder(lookups, index, RedisPeerIndex::lookupCacheShared).tag("outcome", "shared")
        .description(description).register(registry);
    FunctionCounter.builder(lookups, index, RedisPeerIndex::lookupCacheMisses).tag("outcome", "miss")
        .description(description).register(registry);
    Gauge.builder("chorus.tracker.redis.lookup.cache.tracks", index, RedisPeerIndex::lookupCacheTracks)
        .description("Tracks in the Redis index's lookup cache (cached or being read)").register(registry);
  }

  private static void bindJvmMetrics(PrometheusMeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = TrackerMain.class.getPackage().getImplementationVersion();
      return new String[] {"chorus-tracker " + (v == null ? "development" : v)};
    }
  }
}
