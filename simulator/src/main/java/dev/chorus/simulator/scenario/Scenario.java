package dev.chorus.simulator.scenario;

import dev.chorus.node.SwarmConfig;
import dev.chorus.simulator.network.NetworkModel;
import dev.chorus.simulator.workload.WorkloadConfig;
import dev.chorus.tracker.index.LookupPolicy;
import dev.chorus.tracker.index.NearestPeerRanker;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * One simulation scenario, immutable and validated: the run's own parameters ({@code sim.*}), the
 * workload ({@link WorkloadConfig}), the network ({@link NetworkModel.Config}), the swarm core's
 * parameters ({@link SwarmConfig}, the same class a real node uses) and the tracker's index
 * parameters ({@link PeerIndexConfig}). Scenario files map onto it key by key; every key, its
 * default and its allowed values are in {@code simulator/docs/scenarios.md}.
 */
public final class Scenario {
  /** {@code node.manifestRead} by default: measured, {@code bench/run store-read} (simulator/docs/scenarios.md). */
  static final Duration DEFAULT_MANIFEST_READ = Duration.ofNanos(700);
  /** {@code node.chunkRead} by default: measured likewise. */
  static final Duration DEFAULT_CHUNK_READ = Duration.ofNanos(17_200);
  /**
   * {@code node.cachedStartProcessing} by default: measured, {@code bench/run start-cost} at commit
   * 6376495 (the node's CPU time per cached start, p50 0.303 ms, less the two reads above;
   * simulator/docs/scenarios.md).
   */
  static final Duration DEFAULT_CACHED_START_PROCESSING = Duration.ofNanos(285_000);
  /**
   * {@code node.networkStartProcessing} by default: measured likewise (CPU per start from an origin
   * on loopback, p50 5.495 ms, less the chunk read).
   */
  static final Duration DEFAULT_NETWORK_START_PROCESSING = Duration.ofNanos(5_480_000);
  private final String name;
  private final long seed;
  private final int peers;
  private final Duration duration;
  private final Duration warmup;
  private final Duration sampleInterval;
  private final int chunkBytes;
  private final int historyDays;
  private final double historyTolerance;
  private final int trackerMaxPeers;
  private final int trackerDefaultPeers;
  private final double trackerRttBucketMillis;
  private final LookupPolicy lookups;
  private final WorkloadConfig workload;
  private final NetworkModel.Config network;
  private final SwarmConfig swarm;
  private final PeerIndexConfig tracker;
  private final Duration manifestRead;
  private final Duration chunkRead;
  private final Duration cachedStartProcessing;
  private final Duration networkStartProcessing;
  private final boolean portMapping;
  private final boolean reversal;
  private final boolean punching;

  private Scenario(Builder b) {
    this.name = Objects.requireNonNull(b.name, "sim.name");
    this.seed = b.seed;
    this.peers = b.peers;
    this.duration = b.duration;
    this.warmup = b.warmup;
    this.sampleInterval = b.sampleInterval;
    this.chunkBytes = b.chunkBytes;
    this.manifestRead = b.manifestRead;
    this.chunkRead = b.chunkRead;
    this.cachedStartProcessing = b.cachedStartProcessing;
    this.networkStartProcessing = b.networkStartProcessing;
    this.portMapping = b.portMapping;
    this.reversal = b.reversal;
    this.punching = b.punching;
    this.historyDays = b.historyDays;
    this.historyTolerance = b.historyTolerance;
    this.trackerMaxPeers = b.trackerMaxPeers;
    this.trackerDefaultPeers = b.trackerDefaultPeers;
    this.trackerRttBucketMillis = b.trackerRttBucketMillis;
    this.lookups = b.lookups;
    this.workload = Objects.requireNonNull(b.workload, "workload");
    this.network = Objects.requireNonNull(b.network, "network");
    this.swarm = Objects.requireNonNull(b.swarm, "swarm");
    this.tracker = Objects.requireNonNull(b.tracker, "tracker");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.seed = seed;
    b.peers = peers;
    b.duration = duration;
    b.warmup = warmup;
    b.sampleInterval = sampleInterval;
    b.chunkBytes = chunkBytes;
    b.manifestRead = manifestRead;
    b.chunkRead = chunkRead;
    b.cachedStartProcessing = cachedStartProcessing;
    b.networkStartProcessing = networkStartProcessing;
    b.portMapping = portMapping;
    b.reversal = reversal;
    b.punching = punching;
    b.historyDays = historyDays;
    b.historyTolerance = historyTolerance;
    b.trackerMaxPeers = trackerMaxPeers;
    b.trackerDefaultPeers = trackerDefaultPeers;
    b.trackerRttBucketMillis = trackerRttBucketMillis;
    b.workload = workload;
    b.network = network;
    b.swarm = swarm;
    b.tracker = tracker;
    return b;
  }

  /** {@code sim.name}: a label for reports. */
  public String name() {
    return name;
  }

  /** {@code sim.seed}: the master seed; replication r uses streams derived from it and r. */
  public long seed() {
    return seed;
  }

  /** {@code sim.peers}: peers in the population (online or not). Equal to the network's peers. */
  public int peers() {
    return peers;
  }

  /** {@code sim.duration}: simulated time, warm-up included. */
  public Duration duration() {
    return duration;
  }

  /** {@code sim.warmup}: simulated time at the start that the summary leaves out. */
  public Duration warmup() {
    return warmup;
  }

  /**
   * {@code node.manifestRead}: what reading a held track's manifest from its cache costs a node
   * (measured: {@code bench/run store-read}); a play of a track the peer holds waits this long.
   */
  public long manifestReadNanos() {
    return manifestRead.toNanos();
  }

  /**
   * {@code node.chunkRead}: what reading and verifying the chunk under the playhead costs a node
   * once the start policy says ready (measured: {@code bench/run store-read}).
   */
  public long chunkReadNanos() {
    return chunkRead.toNanos();
  }

  /**
   * {@code node.cachedStartProcessing}: the node's own processing per start of a track it holds
   * whole, beyond the two store reads ({@code bench/run start-cost}); paid once per play, when the
   * start policy first says ready.
   */
  public long cachedStartProcessingNanos() {
    return cachedStartProcessing.toNanos();
  }

  /**
   * {@code node.networkStartProcessing}: the node's own processing per start of a track it does not
   * hold whole (manifest and chunk requests, verification, storage, hand-offs between its threads;
   * not the network's time), beyond the chunk read ({@code bench/run start-cost}); paid once per
   * play, when the start policy first says ready.
   */
  public long networkStartProcessingNanos() {
    return networkStartProcessing.toNanos();
  }

  /**
   * {@code node.portMapping}: whether the nodes ask their router for a port mapping (the node's
   * {@code --port-mapping auto}; off by default, as in the node). A node behind a router that
   * grants one ({@code network.mappableShare}) is then reachable.
   */
  public boolean portMapping() {
    return portMapping;
  }

  /**
   * {@code node.reversal}: whether the nodes take part in connection reversal (the node's default;
   * {@code --no-reversal} turns it off). Off, a node behind a NAT only downloads and is not indexed.
   */
  public boolean reversal() {
    return reversal;
  }

  /**
   * {@code node.punching}: whether the nodes take part in hole punching (the node's default;
   * {@code --no-punching} turns it off; only with reversal). On, the tracker pairs two peers behind
   * NATs; the punch connects only when both routers let a simultaneous open through ({@code
   * network.punchableShare}).
   */
  public boolean punching() {
    return reversal && punching;
  }

  /** {@code sim.sampleInterval}: the time-series resolution. */
  public Duration sampleInterval() {
    return sampleInterval;
  }

  /** {@code sim.chunkBytes}: the chunk size of every track (a real publisher uses 16 KiB). */
  public int chunkBytes() {
    return chunkBytes;
  }

  /**
   * {@code sim.historyDays}: days of listening simulated before the run (no network, see {@link
   * dev.chorus.simulator.workload.ListeningHistory}) to fill the caches; excluded from every
   * measurement except the history's own convergence figures.
   */
  public int historyDays() {
    return historyDays;
  }

  /**
   * {@code sim.historyTolerance}: the history has converged when its last day's cache share differs
   * from the day before's by at most this (a share, 0.005 = half a point).
   */
  public double historyTolerance() {
    return historyTolerance;
  }

  /** {@code tracker.maxPeers}: peers returned per lookup (the node asks for its lookupMaxPeers). */
  public int trackerMaxPeers() {
    return trackerMaxPeers;
  }

  /** {@code tracker.defaultPeers}: peers returned to a lookup that does not say how many. */
  public int trackerDefaultPeers() {
    return trackerDefaultPeers;
  }

  /** {@code tracker.rttBucketMillis}: predicted RTTs within one bucket rank as equal. */
  public double trackerRttBucketMillis() {
    return trackerRttBucketMillis;
  }

  /** How the simulated tracker answers lookups: the real tracker's policy with these settings. */
  public LookupPolicy lookups() {
    return lookups;
  }

  public WorkloadConfig workload() {
    return workload;
  }

  public NetworkModel.Config network() {
    return network;
  }

  public SwarmConfig swarm() {
    return swarm;
  }

  public PeerIndexConfig tracker() {
    return tracker;
  }

  @Override
  public String toString() {
    return "Scenario[" + name + ", " + peers + " peers, " + duration + ", seed " + seed + "]";
  }

  /** Builder; {@link #build()} checks every value and names the key of a bad one. */
  public static final class Builder {
    private String name = "unnamed";
    private long seed = 1;
    private int peers = 1000;
    private Duration duration = Duration.ofHours(1);
    private Duration warmup = Duration.ZERO;
    private Duration sampleInterval = Duration.ofMinutes(5);
    private int chunkBytes = 16 * 1024;
    private Duration manifestRead = DEFAULT_MANIFEST_READ;
    private Duration chunkRead = DEFAULT_CHUNK_READ;
    private Duration cachedStartProcessing = DEFAULT_CACHED_START_PROCESSING;
    private Duration networkStartProcessing = DEFAULT_NETWORK_START_PROCESSING;
    private boolean portMapping = false;
    private boolean reversal = true;
    private boolean punching = true;
    private int historyDays = 0;
    private double historyTolerance = 0.005;
    private int trackerMaxPeers = 10;
    private int trackerDefaultPeers = -1;
    private double trackerRttBucketMillis = NearestPeerRanker.DEFAULT_RTT_BUCKET_MILLIS;
    private LookupPolicy lookups;
    private WorkloadConfig workload = WorkloadConfig.defaults();
    private NetworkModel.Config network;
    private SwarmConfig swarm = SwarmConfig.defaults();
    // Online peers are removed when they leave (as the tracker does when a session closes) and
    // re-announces are not simulated, so entries must not expire while their peer is online.
    private PeerIndexConfig tracker = PeerIndexConfig.builder().ttl(Duration.ofDays(7)).build();

    private Builder() {}

    public Builder name(String v) {
      this.name = v;
      return this;
    }

    public Builder seed(long v) {
      this.seed = v;
      return this;
    }

    public Builder peers(int v) {
      this.peers = v;
      return this;
    }

    public Builder duration(Duration v) {
      this.duration = v;
      return this;
    }

    public Builder warmup(Duration v) {
      this.warmup = v;
      return this;
    }

    public Builder sampleInterval(Duration v) {
      this.sampleInterval = v;
      return this;
    }

    public Builder chunkBytes(int v) {
      this.chunkBytes = v;
      return this;
    }

    public Builder manifestRead(Duration v) {
      this.manifestRead = v;
      return this;
    }

    public Builder portMapping(boolean v) {
      this.portMapping = v;
      return this;
    }

    public Builder reversal(boolean v) {
      this.reversal = v;
      return this;
    }

    public Builder punching(boolean v) {
      this.punching = v;
      return this;
    }

    public Builder chunkRead(Duration v) {
      this.chunkRead = v;
      return this;
    }

    public Builder cachedStartProcessing(Duration v) {
      this.cachedStartProcessing = v;
      return this;
    }

    public Builder networkStartProcessing(Duration v) {
      this.networkStartProcessing = v;
      return this;
    }

    public Builder historyDays(int v) {
      this.historyDays = v;
      return this;
    }

    public Builder historyTolerance(double v) {
      this.historyTolerance = v;
      return this;
    }

    public Builder trackerMaxPeers(int v) {
      this.trackerMaxPeers = v;
      return this;
    }

    /** Peers for a lookup that does not say; unset (or -1): the tracker's 10, at most maxPeers. */
    public Builder trackerDefaultPeers(int v) {
      this.trackerDefaultPeers = v;
      return this;
    }

    public Builder trackerRttBucketMillis(double v) {
      this.trackerRttBucketMillis = v;
      return this;
    }

    public Builder workload(WorkloadConfig v) {
      this.workload = v;
      return this;
    }

    /** The network; when not set, the defaults for {@code sim.peers} peers. */
    public Builder network(NetworkModel.Config v) {
      this.network = v;
      return this;
    }

    public Builder swarm(SwarmConfig v) {
      this.swarm = v;
      return this;
    }

    public Builder tracker(PeerIndexConfig v) {
      this.tracker = v;
      return this;
    }

    private static void nodeCost(String key, Duration d) {
      if (d == null || d.isNegative() || d.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException(key + " must be between 0 and 10s, got " + d);
      }
    }

    public Scenario build() {
      if (name == null || name.isBlank() || name.length() > 100) {
        throw new IllegalArgumentException("sim.name must be 1 to 100 characters, got '" + name + "'");
      }
      if (peers < 2 || peers > 10_000_000) {
        throw new IllegalArgumentException("sim.peers must be in [2, 10000000], got " + peers);
      }
      if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0
          || duration.compareTo(Duration.ofDays(365)) > 0) {
        throw new IllegalArgumentException("sim.duration must be between 1s and 365d, got " + duration);
      }
      if (warmup == null || warmup.isNegative() || warmup.compareTo(duration) >= 0) {
        throw new IllegalArgumentException(
            "sim.warmup must be >= 0 and shorter than sim.duration (" + duration + "), got " + warmup);
      }
      if (sampleInterval == null || sampleInterval.compareTo(Duration.ofSeconds(1)) < 0
          || sampleInterval.compareTo(duration) > 0) {
        throw new IllegalArgumentException(
            "sim.sampleInterval must be between 1s and sim.duration (" + duration + "), got " + sampleInterval);
      }
      if (chunkBytes < 1024 || chunkBytes > 4 * 1024 * 1024) {
        throw new IllegalArgumentException("sim.chunkBytes must be in [1024, 4194304], got " + chunkBytes);
      }
      nodeCost("node.manifestRead", manifestRead);
      nodeCost("node.chunkRead", chunkRead);
      nodeCost("node.cachedStartProcessing", cachedStartProcessing);
      nodeCost("node.networkStartProcessing", networkStartProcessing);
      if (historyDays < 0 || historyDays > 365) {
        throw new IllegalArgumentException("sim.historyDays must be in [0, 365], got " + historyDays);
      }
      if (!(historyTolerance >= 0 && historyTolerance <= 1)) {
        throw new IllegalArgumentException("sim.historyTolerance must be in [0, 1], got " + historyTolerance);
      }
      if (trackerMaxPeers < 1 || trackerMaxPeers > LookupPolicy.MAX_PEERS_LIMIT) {
        throw new IllegalArgumentException("tracker.maxPeers must be in [1, " + LookupPolicy.MAX_PEERS_LIMIT
            + "], got " + trackerMaxPeers);
      }
      if (trackerDefaultPeers < 0) {
        trackerDefaultPeers = Math.min(LookupPolicy.DEFAULT_PEERS, trackerMaxPeers);
      }
      if (trackerDefaultPeers < 1 || trackerDefaultPeers > trackerMaxPeers) {
        throw new IllegalArgumentException("tracker.defaultPeers must be in [1, tracker.maxPeers = "
            + trackerMaxPeers + "], got " + trackerDefaultPeers);
      }
      if (!(trackerRttBucketMillis >= 0.001 && trackerRttBucketMillis <= 1_000_000)) {
        throw new IllegalArgumentException("tracker.rttBucketMillis must be in [0.001, 1000000], got "
            + trackerRttBucketMillis);
      }
      lookups = LookupPolicy.of(trackerDefaultPeers, trackerMaxPeers, trackerRttBucketMillis);
      if (network == null) {
        network = NetworkModel.Config.builder(peers).build();
      } else if (network.peers() != peers) {
        throw new IllegalArgumentException(
            "sim.peers (" + peers + ") and the network's peers (" + network.peers() + ") differ");
      }
      return new Scenario(this);
    }
  }
}
