package dev.chorus.tracker.redis;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.tracker.index.AnnounceResult;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.CandidateList;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.IndexStats;
import dev.chorus.tracker.index.NetworkPrefix;
import dev.chorus.tracker.index.PeerIndex;
import dev.chorus.tracker.index.PeerIndexConfig;
import dev.chorus.tracker.index.PeerInfo;
import dev.chorus.tracker.redis.Scripts.Script;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PeerIndex} in Redis, so that several tracker instances serve one swarm: one Redis
 * server, or a Redis Cluster. Every instance pointed at the same Redis sees the others' announces
 * as soon as their stages complete; with a lookup cache ({@link LookupCacheConfig}), within its
 * TTL, and its own at once. Passes {@code PeerIndexContract} on both.
 *
 * <p>Keys are spread over 256 shards, each one hash slot; a track's keys share its shard, and so
 * do a peer's. Each change is a Lua script on one shard, atomic in Redis. On a cluster an announce
 * runs the peer's script, then one script per shard of its tracks, all at once (pipelined); its
 * stage completes when all have. On a single server it is one script (up to 256 tracks). A peer's announces,
 * withdraws and removal apply in the order they were called, even when the caller does not wait
 * for one stage before the next call. Key layout, scripts and consistency: {@code
 * tracker/docs/redis.md}.
 *
 * <p>Nothing blocks the caller except {@link #connect} and {@link #close}: operations return at
 * once and their stages complete on Lettuce's I/O threads, so code chained on them must not block
 * either. Commands time out (5 s unless the URI sets {@code timeout}), and at most {@value
 * #REQUEST_QUEUE} may be outstanding; past that, operations fail rather than queue. Values are
 * compact binary, not JSON. Time comes from the caller; Redis's own clock only runs the safety TTL
 * on peer keys, which removes what no tracker is left to clean up.
 */
public final class RedisPeerIndex implements PeerIndex {
  /** Commands in flight or queued (while reconnecting) at most; past that, operations fail. */
  static final int REQUEST_QUEUE = 65_536;

  /** Peer keys also get a Redis TTL of the index TTL plus this much at least, as a safety net. */
  static final Duration SAFETY_MARGIN = Duration.ofMinutes(10);
  /** Entries removed by one expiry script call, about; keeps each script short. */
  private static final int EXPIRE_ENTRIES_PER_CALL = 4096;
  /** Expiry calls in flight at once (bounds the memory an expiry holds). */
  private static final int EXPIRE_PARALLELISM = 32;
  /**
   * Shards per expiry or statistics call on a single server (one script over many shards' keys);
   * in a cluster, one, since a script's keys must share a slot.
   */
  private static final int SHARDS_PER_CALL_SINGLE = Keys.SHARDS;
  /** Items per peer_unlink call. */
  private static final int UNLINK_BATCH = 512;
  /** Tracks per tracks_put or tracks_remove call (all of one shard). */
  private static final int TRACKS_PER_CALL = 256;

  /** Largest time accepted: scores are doubles, exact to 2^53. */
  private static final long MAX_TIME_MILLIS = (1L << 53) - 1;

  private static final Logger LOG = LoggerFactory.getLogger(RedisPeerIndex.class);
  /**
   * Slots of the decoded-peer cache, a power of two (a 2 MB array; each peer held about 300 bytes,
   * so at most about 160 MB when every slot is taken). A peer not held costs each lookup that
   * returns it a key in an MGET, and a lookup with any such peer a second command; so the cache is
   * set-associative ({@value #DECODED_PEER_WAYS} ways) rather than direct-mapped: with 44,000 peers
   * in use (bench tracker-redis-index) direct-mapping left about 4% of them out, and 43% of lookups
   * sent an MGET. With 8 ways, about 0.2% of 200,000 peers in use do not fit (Poisson, 3 peers per
   * set on average), and about 94% of lookups of 30 peers find all of them.
   */
  private static final int DECODED_PEERS = 1 << 19;
  /**
   * How long a decoded peer answers lookups before it is read again: the bound on how stale a
   * coordinate another instance's announce moved can be here. A peer value's version leaves the
   * coordinate out (Blobs), since nodes send a new coordinate in nearly every announce, and a
   * coordinate-only change re-versions no entry; an instance that decoded the peer before keeps
   * answering the old coordinate until its copy is this old (tracker time, the {@code nowMillis}
   * of the calls). Vivaldi coordinates move by small steps; 30 s costs a lookup an MGET of a peer
   * at most twice a minute per instance.
   */
  static final long COORDINATE_STALENESS_MILLIS = Duration.ofSeconds(30).toMillis();
  private static final int DECODED_PEER_WAYS = 8;
  private static final byte[] ONE = {'1'};
  private static final byte[] ZERO = {'0'};

  private final AbstractRedisClient client;
  /** Lettuce's threads and options, this index's own (LettuceResources): shut down with it. */
  private final ClientResources resources;
  private final DecodedPeer[] decodedPeers = new DecodedPeer[DECODED_PEERS];
  /** Which way of a full set the next decoded peer replaces (plain field: a lost update is harmless). */
  private int nextVictim;
  private final StatefulConnection<byte[], byte[]> connection;
  private final RedisClusterAsyncCommands<byte[], byte[]> redis;
  private final PeerIndexConfig config;
  private final String target;
  private final byte[] keep;
  private final byte[] safetyTtl;
  private final int expireBatchSize;
  private final byte[] expireTrackBatch;
  private final int shardsPerCall;
  /**
   * Whether Redis is a cluster: a script's keys must then share a slot (one shard per call); a
   * single server takes any keys, so an announce is one call (peer and tracks) and removals batch
   * tracks of every shard in one call. (A lookup is an HGETALL on both, plus an MGET of the peers
   * this instance does not hold in their entries' versions; a script that reads the peers' info
   * keys too cost redis-server 1.5-2 times the CPU of the two commands; tracker/docs/redis.md.)
   */
  private final boolean cluster;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ConcurrentHashMap<NodeId, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();
  private final PrefixCounts prefixCounts = new PrefixCounts();
  private final LookupCacheConfig cacheConfig;
  /** Null when the lookup cache is off. */
  private final LookupCache cache;

  private RedisPeerIndex(AbstractRedisClient client, ClientResources resources, StatefulConnection<byte[], byte[]> connection,
      RedisClusterAsyncCommands<byte[], byte[]> redis, PeerIndexConfig config, LookupCacheConfig cacheConfig,
      String target, boolean cluster) {
    this.client = client;
    this.resources = resources;
    this.connection = connection;
    this.redis = redis;
    this.config = config;
    this.target = target;
    this.keep = number(config.keepPerTrack());
    this.safetyTtl = number(config.ttlMillis() + Math.max(config.ttlMillis(), SAFETY_MARGIN.toMillis()));
    this.expireBatchSize = Math.max(1, EXPIRE_ENTRIES_PER_CALL / config.keepPerTrack());
    this.expireTrackBatch = number(expireBatchSize);
    this.shardsPerCall = cluster ? 1 : SHARDS_PER_CALL_SINGLE;
    this.cluster = cluster;
    this.cacheConfig = cacheConfig;
    this.cache = cacheConfig.enabled() ? new LookupCache(cacheConfig, config.ttlMillis(), config.keepPerTrack()) : null;
  }

  /**
   * Connects to Redis (blocking until connected, or failing).
   *
   * @param redisUri {@code redis://host:port} (also {@code rediss://}, {@code redis-socket://},
   *     with Lettuce's options such as {@code /database} and {@code ?timeout=2s}) for one server;
   *     {@code redis-cluster://host:port[,host:port...]} (or {@code rediss-cluster://}) for a
   *     cluster, given by any of its nodes
   * @throws IllegalArgumentException if the URI is not one of these
   * @throws io.lettuce.core.RedisException if Redis cannot be reached
   */
  public static RedisPeerIndex connect(String redisUri, PeerIndexConfig config) {
    return connect(redisUri, config, LookupCacheConfig.DISABLED);
  }

  /**
   * {@link #connect(String, PeerIndexConfig)} with a lookup cache: each track's candidates read
   * from Redis answer that track's lookups for {@code cache.ttl()}, except after this instance's
   * own writes to the track (tracker/docs/redis.md, "Lookup cache").
   */
  public static RedisPeerIndex connect(String redisUri, PeerIndexConfig config, LookupCacheConfig cache) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(cache, "cache");
    RedisTarget target = RedisTarget.parse(Objects.requireNonNull(redisUri, "redisUri"));
    ClientResources resources = LettuceResources.create();
    try {
      return connect(target, config, cache, resources);
    } catch (RuntimeException e) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static RedisPeerIndex connect(RedisTarget target, PeerIndexConfig config, LookupCacheConfig cache,
      ClientResources resources) {
    if (target.cluster) {
      RedisClusterClient client = RedisClusterClient.create(resources, target.uris);
      try {
        client.setOptions(ClusterClientOptions.builder()
            .timeoutOptions(TimeoutOptions.enabled())
            .requestQueueSize(REQUEST_QUEUE)
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enableAllAdaptiveRefreshTriggers()
                .enablePeriodicRefresh(Duration.ofSeconds(60))
                .build())
            .build());
        StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
        claimLayout(connection.async(), target.redacted);
        LOG.info("peer index in Redis Cluster {} ({} nodes)", target, client.getPartitions().size());
        return new RedisPeerIndex(client, resources, connection, connection.async(), config, cache, target.redacted,
            target.cluster);
      } catch (RuntimeException e) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        throw e;
      }
    }
    RedisClient client = RedisClient.create(resources);
    try {
      client.setOptions(ClientOptions.builder()
          .timeoutOptions(TimeoutOptions.enabled())
          .requestQueueSize(REQUEST_QUEUE)
          .build());
      StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE, target.uris.get(0));
      claimLayout(connection.async(), target.redacted);
      LOG.info("peer index in Redis {}", target);
      return new RedisPeerIndex(client, resources, connection, connection.async(), config, cache, target.redacted,
          target.cluster);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw e;
    }
  }

  /**
   * Checks that the index in Redis is of this code's layout ({@link Keys#LAYOUT}), marking an empty
   * Redis as such. Layout 1 wrote no marker; its data shows in the shard registries, whose names
   * are the same in both layouts.
   *
   * @throws RedisLayoutException if Redis holds another layout, saying what to do
   */
  private static void claimLayout(RedisClusterAsyncCommands<byte[], byte[]> redis, String target) {
    byte[] expected = Keys.LAYOUT.getBytes(StandardCharsets.US_ASCII);
    byte[] found = await(redis.get(Keys.LAYOUT_KEY));
    if (found == null) {
      byte[][] registries = new byte[2 * Keys.SHARDS][];
      for (int s = 0; s < Keys.SHARDS; s++) {
        registries[2 * s] = Keys.shardTracks(s);
        registries[2 * s + 1] = Keys.shardPeers(s);
      }
      if (await(redis.exists(registries)) > 0) {
        throw layoutError(target, "1");
      }
      await(redis.set(Keys.LAYOUT_KEY, expected, SetArgs.Builder.nx()));
      found = await(redis.get(Keys.LAYOUT_KEY)); // another tracker may have set it first
    }
    if (!Arrays.equals(expected, found)) {
      throw layoutError(target, found == null ? "(none)" : new String(found, StandardCharsets.UTF_8));
    }
  }

  private static RedisLayoutException layoutError(String target, String found) {
    return new RedisLayoutException("Redis " + target + " holds a Chorus peer index of layout " + found
        + "; this tracker reads and writes layout " + Keys.LAYOUT + ". The index is soft state that nodes rebuild"
        + " by announcing: stop every tracker using this Redis, delete the keys chorus:* (FLUSHDB if the database"
        + " holds nothing else; on a cluster, on every master), then start the trackers of this version."
        + " See tracker/docs/redis.md, \"Layout versions\".");
  }

  private static <T> T await(CompletionStage<T> command) {
    try {
      return command.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the index layout in Redis", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      throw cause instanceof RuntimeException ? (RuntimeException) cause : new IllegalStateException(cause);
    }
  }

  public PeerIndexConfig config() {
    return config;
  }

  public LookupCacheConfig lookupCacheConfig() {
    return cacheConfig;
  }

  /** Lookups answered from the lookup cache (0 when it is off). */
  public long lookupCacheHits() {
    return cache == null ? 0 : cache.hits();
  }

  /** Lookups that waited for another lookup's Redis read of the same track (0 when the cache is off). */
  public long lookupCacheShared() {
    return cache == null ? 0 : cache.shared();
  }

  /** Lookups that read Redis while the cache is on (0 when it is off). */
  public long lookupCacheMisses() {
    return cache == null ? 0 : cache.misses();
  }

  /** Tracks in the lookup cache, about (0 when it is off). */
  public int lookupCacheTracks() {
    return cache == null ? 0 : cache.size();
  }

  @Override
  public CompletionStage<AnnounceResult> announceChecked(PeerInfo peer, boolean full, List<Holding> holdings, long nowMillis) {
    try {
      Objects.requireNonNull(peer, "peer");
      for (Holding h : holdings) {
        Objects.requireNonNull(h, "holding");
      }
      checkTime(nowMillis);
      checkOpen();
      List<Holding> copy = List.copyOf(holdings);
      return inOrder(peer.nodeId(), () -> doAnnounce(peer, full, copy, nowMillis)
          .whenComplete((r, e) -> announced(peer, copy, nowMillis, e == null && r.refusedTotal() == 0)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The peer's own keys first (its info, its track set), then each track's entries: so that by
   * the time another announce can evict this peer from a track, the peer's track set already
   * lists the track, and the eviction's unlink finds it. On a single server, up to {@value
   * #TRACKS_PER_CALL} tracks, both are one script call ({@link Scripts#ANNOUNCE}); otherwise the
   * peer's script, then the tracks' scripts (one per shard on a cluster).
   */
  private CompletableFuture<AnnounceResult> doAnnounce(PeerInfo peer, boolean full, List<Holding> all, long nowMillis) {
    NodeId node = peer.nodeId();
    byte[] nodeBytes = node.bytes();
    byte[] now = number(nowMillis);
    NetworkPrefix prefix = config.quotaPrefix(peer.ip());
    boolean oneCall = !cluster && all.size() <= TRACKS_PER_CALL;
    int n = all.size();
    byte[][] args = new byte[oneCall ? 9 + 2 * n : 8 + n][];
    args[0] = nodeBytes;
    args[1] = now;
    args[2] = Blobs.peer(peer);
    long version = Blobs.peerVersion(args[2]);
    // This instance's lookups then answer the peer's entries without reading its value, with
    // this coordinate (the version leaves it out: so a lookup here sees the peer's current
    // coordinate at once, as on one instance), whether or not the announce goes through.
    hold(new DecodedPeer(nodeBytes, version, peer, nowMillis));
    args[3] = full ? ONE : ZERO;
    args[4] = safetyTtl;
    args[5] = number(config.maxHoldingsPerPeer());
    args[6] = number(config.maxHoldingsPerPrefix());
    args[7] = number(prefixCounts.others(prefix, node));
    int ps = Keys.shard(node);
    byte[][] keys = new byte[oneCall ? 3 + 4 * n : 3][];
    keys[0] = Keys.peerInfo(node);
    keys[1] = Keys.peerTracks(node);
    keys[2] = Keys.shardPeers(ps);
    if (oneCall) {
      args[8] = keep;
      for (int i = 0; i < n; i++) {
        Holding h = all.get(i);
        trackKeys(keys, 3 + 4 * i, h.track());
        args[9 + 2 * i] = h.track().bytes();
        args[10 + 2 * i] = Blobs.entry(h, nowMillis, version);
      }
      return run(Scripts.ANNOUNCE, keys, args).thenCompose(result -> {
        List<?> parts = list(result);
        AnnounceResult outcome = peerOutcome(node, prefix, parts);
        List<TrackId> droppedTracks = tracks(parts.get(0));
        CompletableFuture<Void> dropped = removeEntries(nodeBytes, droppedTracks)
            .whenComplete((v, e) -> invalidateTracks(droppedTracks));
        CompletableFuture<Void> evicted = unlink(evicted(parts.get(6)));
        CompletableFuture<Void> retagged = retag(nodeBytes, version, tracks(parts.get(5)));
        return CompletableFuture.allOf(dropped, evicted, retagged).thenApply(v -> outcome);
      });
    }
    for (int i = 0; i < n; i++) {
      args[8 + i] = all.get(i).track().bytes();
    }
    return run(Scripts.PEER_ANNOUNCE, keys, args)
        .thenCompose(result -> {
          List<?> parts = list(result);
          List<?> refusedIds = list(parts.get(1));
          List<Holding> holdings = all;
          if (!refusedIds.isEmpty()) {
            Set<TrackId> refused = new HashSet<>(tracks(refusedIds));
            holdings = new ArrayList<>(all.size());
            for (Holding h : all) {
              if (!refused.contains(h.track())) {
                holdings.add(h);
              }
            }
          }
          AnnounceResult outcome = peerOutcome(node, prefix, parts);
          List<CompletableFuture<?>> steps = new ArrayList<>();
          List<TrackId> droppedTracks = tracks(parts.get(0));
          steps.add(removeEntries(nodeBytes, droppedTracks).whenComplete((v, e) -> invalidateTracks(droppedTracks)));
          steps.add(retag(nodeBytes, version, tracks(parts.get(5))));
          for (List<Holding> group : callGroups(holdings, h -> Keys.shard(h.track()))) {
            for (int from = 0; from < group.size(); from += TRACKS_PER_CALL) {
              List<Holding> batch = group.subList(from, Math.min(group.size(), from + TRACKS_PER_CALL));
              byte[][] putKeys = new byte[4 * batch.size()][];
              byte[][] putArgs = new byte[3 + 2 * batch.size()][];
              putArgs[0] = nodeBytes;
              putArgs[1] = now;
              putArgs[2] = keep;
              for (int i = 0; i < batch.size(); i++) {
                TrackId track = batch.get(i).track();
                trackKeys(putKeys, 4 * i, track);
                putArgs[3 + 2 * i] = track.bytes();
                putArgs[4 + 2 * i] = Blobs.entry(batch.get(i), nowMillis, version);
              }
              steps.add(run(Scripts.TRACKS_PUT, putKeys, putArgs).thenCompose(put -> unlink(evicted(put))));
            }
          }
          return allOf(steps).thenApply(v -> outcome);
        });
  }

  /** The refusal counts of a peer_announce reply; records the peer's new set size for the prefix caps. */
  private AnnounceResult peerOutcome(NodeId node, NetworkPrefix prefix, List<?> parts) {
    int[] counts = new int[AnnounceResult.Refusal.values().length];
    counts[AnnounceResult.Refusal.PEER_CAP.ordinal()] = (int) integer(parts.get(2));
    counts[AnnounceResult.Refusal.PREFIX_CAP.ordinal()] = (int) integer(parts.get(3));
    prefixCounts.set(node, prefix, (int) integer(parts.get(4)));
    return AnnounceResult.of(counts);
  }

  /** Track ids a script returned. */
  private static List<TrackId> tracks(Object scriptResult) {
    List<?> ids = list(scriptResult);
    List<TrackId> out = new ArrayList<>(ids.size());
    for (Object t : ids) {
      out.add(TrackId.fromBytes((byte[]) t));
    }
    return out;
  }

  /** Entries a script evicted, returned as (track, node, score), to unlink from their peers. */
  private static List<Unlink> evicted(Object scriptResult) {
    List<?> evicted = list(scriptResult);
    List<Unlink> unlinks = new ArrayList<>(evicted.size() / 3);
    for (int i = 0; i + 2 < evicted.size(); i += 3) {
      unlinks.add(new Unlink((byte[]) evicted.get(i + 1), (byte[]) evicted.get(i), (byte[]) evicted.get(i + 2)));
    }
    return unlinks;
  }

  @Override
  public CompletionStage<Void> withdraw(NodeId peer, List<TrackId> tracks) {
    try {
      Objects.requireNonNull(peer, "peer");
      for (TrackId t : tracks) {
        Objects.requireNonNull(t, "track");
      }
      checkOpen();
      if (tracks.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      List<TrackId> copy = List.copyOf(tracks);
      return inOrder(peer, () -> {
        byte[][] args = new byte[1 + copy.size()][];
        args[0] = peer.bytes();
        for (int i = 0; i < copy.size(); i++) {
          args[1 + i] = copy.get(i).bytes();
        }
        int ps = Keys.shard(peer);
        CompletableFuture<Object> peerStep = run(Scripts.PEER_WITHDRAW,
            keys(Keys.peerInfo(peer), Keys.peerTracks(peer), Keys.shardPeers(ps)), args)
            .thenApply(size -> {
              prefixCounts.resize(peer, (int) integer(size));
              return size;
            });
        return allOf(List.of(peerStep, removeEntries(peer.bytes(), copy))).whenComplete((v, e) -> withdrawn(peer, copy, e == null));
      });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Void> removePeer(NodeId peer) {
    try {
      Objects.requireNonNull(peer, "peer");
      checkOpen();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return inOrder(peer, () -> {
      int ps = Keys.shard(peer);
      byte[] nodeBytes = peer.bytes();
      // The entries first, then the peer's keys: a removal that fails halfway leaves a peer with
      // fewer entries, never entries of a peer whose info is gone, which an instance holding its
      // version would still answer (tracker/docs/redis.md, "Consistency").
      return redis.zrange(Keys.peerTracks(peer), 0, -1).toCompletableFuture()
          .thenCompose(listed -> {
            List<TrackId> first = trackIds(listed);
            return removeEntries(nodeBytes, first).whenComplete((v, e) -> invalidateTracks(first))
                .thenCompose(v -> run(Scripts.PEER_REMOVE, keys(Keys.peerInfo(peer), Keys.peerTracks(peer), Keys.shardPeers(ps)),
                    nodeBytes))
                .thenCompose(tracks -> {
                  prefixCounts.remove(peer);
                  // Tracks another instance added for the peer meanwhile.
                  List<TrackId> rest = new ArrayList<>(tracks(tracks));
                  rest.removeAll(first);
                  return removeEntries(nodeBytes, rest).whenComplete((v, e) -> invalidateTracks(rest));
                });
          });
    });
  }

  private static List<TrackId> trackIds(List<byte[]> ids) {
    List<TrackId> out = new ArrayList<>(ids.size());
    for (byte[] t : ids) {
      out.add(TrackId.fromBytes(t));
    }
    return out;
  }

  /**
   * Runs {@code operation} after every earlier announce, withdraw or removePeer of the same peer
   * (on this instance) has completed, as the in-memory index would apply them: a tracker sends a
   * peer's messages on without waiting for the previous one's stage. The map holds only peers
   * with an operation in flight.
   */
  private <T> CompletableFuture<T> inOrder(NodeId peer, Supplier<CompletableFuture<T>> operation) {
    CompletableFuture<T> done = new CompletableFuture<>();
    CompletableFuture<?> previous = inFlight.put(peer, done);
    CompletableFuture<Void> start = previous == null
        ? CompletableFuture.completedFuture(null)
        : previous.handle((v, e) -> null);
    start.thenCompose(ignored -> operation.get()).whenComplete((v, e) -> {
      inFlight.remove(peer, done);
      if (e != null) {
        done.completeExceptionally(unwrap(e));
      } else {
        done.complete(v);
      }
    });
    return done.copy();
  }

  @Override
  public CompletionStage<List<Candidate>> candidates(TrackId track, long nowMillis) {
    try {
      Objects.requireNonNull(track, "track");
      checkTime(nowMillis);
      checkOpen();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return cache == null ? read(track, nowMillis) : cache.candidates(track, nowMillis, () -> read(track, nowMillis));
  }

  /** A hit of the lookup cache, answered at once; on a miss the caller asks {@link #candidates}. */
  @Override
  public boolean candidatesNow(TrackId track, long nowMillis, CandidateList into) {
    return cache != null && track != null && nowMillis >= 0 && !closed.get() && cache.appendIfCached(track, nowMillis, into);
  }

  /**
   * An announce of this instance completed: the lookup cache takes its holdings in, or, if some
   * were refused (which, the reply does not say) or it failed, drops their tracks.
   */
  private void announced(PeerInfo peer, List<Holding> holdings, long nowMillis, boolean allApplied) {
    if (cache != null) {
      for (Holding h : holdings) {
        if (allApplied) {
          cache.announced(peer, h, nowMillis);
        } else {
          cache.invalidate(h.track());
        }
      }
    }
  }

  /** A withdraw of this instance completed (or failed: then the tracks are dropped from the cache). */
  private void withdrawn(NodeId peer, List<TrackId> tracks, boolean applied) {
    if (cache != null) {
      for (TrackId t : tracks) {
        if (applied) {
          cache.withdrawn(peer, t);
        } else {
          cache.invalidate(t);
        }
      }
    }
  }

  private void invalidateTracks(List<TrackId> tracks) {
    if (cache != null) {
      cache.invalidate(tracks);
    }
  }

  /**
   * The track's candidates as Redis has them: its entries (holdings hash, with their times and
   * the versions of their peers' info), newest first, at most keepPerTrack; each entry's peer from
   * the decoded-peer cache if it holds that version of it, else from one MGET of the missing peers'
   * info keys. So a lookup whose peers this instance has seen in their current versions is one
   * command (layout 4).
   */
  private CompletableFuture<List<Candidate>> read(TrackId track, long nowMillis) {
    TrackRead.Entries entries = new TrackRead.Entries();
    return redis.dispatch(CommandType.HGETALL, entries,
            new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(Keys.trackHoldings(track)))
        .toCompletableFuture()
        .thenCompose(e -> {
          int n = e.select(nowMillis - config.ttlMillis(), config.keepPerTrack());
          warnIfMalformed(track, e.malformed);
          if (n == 0) {
            return CompletableFuture.completedFuture(List.<Candidate>of());
          }
          PeerInfo[] peers = new PeerInfo[n];
          int misses = 0;
          for (int i = 0; i < n; i++) {
            peers[i] = knownPeer(e.ids[i], Blobs.entryVersion(e.values[i]), nowMillis);
            if (peers[i] == null) {
              misses++;
            }
          }
          if (misses == 0) {
            return CompletableFuture.completedFuture(candidates(track, e, peers));
          }
          byte[][] missIds = new byte[misses][];
          byte[][] infoKeys = new byte[misses][];
          for (int i = 0, m = 0; i < n; i++) {
            if (peers[i] == null) {
              missIds[m] = e.ids[i];
              infoKeys[m++] = Keys.peerInfo(e.ids[i], 0);
            }
          }
          return peers(track, missIds, infoKeys, nowMillis).thenApply(read -> {
            for (int i = 0, m = 0; i < n; i++) {
              if (peers[i] == null) {
                peers[i] = read[m++];
              }
            }
            return candidates(track, e, peers);
          });
        });
  }

  /** The selected entries as candidates, leaving out those without a peer. */
  private static List<Candidate> candidates(TrackId track, TrackRead.Entries e, PeerInfo[] peers) {
    List<Candidate> out = new ArrayList<>(peers.length);
    for (int i = 0; i < peers.length; i++) {
      // No peer: it was removed while its entries are being removed (or its value does not decode).
      if (peers[i] != null) {
        addCandidate(out, track, peers[i], e.values[i], e.times[i]);
      }
    }
    return out;
  }

  /**
   * The peers of the entries {@code ids}, whose info keys are {@code infoKeys}; null where a key
   * has no value or it does not decode. One MGET on a single server, decoded as the values arrive;
   * on a cluster Lettuce splits it by slot. A value read is the peer's current info, newer than or
   * equal to what the entry names, and is used whatever its version.
   */
  private CompletableFuture<PeerInfo[]> peers(TrackId track, byte[][] ids, byte[][] infoKeys, long nowMillis) {
    if (cluster) {
      return redis.mget(infoKeys).toCompletableFuture().thenApply(values -> {
        PeerInfo[] out = new PeerInfo[infoKeys.length];
        int malformed = 0;
        for (int i = 0; i < out.length; i++) {
          KeyValue<byte[], byte[]> v = values.get(i);
          if (v.hasValue()) {
            try {
              out[i] = decodedPeer(ids[i], ByteBuffer.wrap(v.getValue()), nowMillis);
            } catch (IllegalArgumentException e) {
              malformed++;
            }
          }
        }
        warnIfMalformed(track, malformed);
        return out;
      });
    }
    TrackRead.Peers peers = new TrackRead.Peers(ids, infoKeys.length, (id, value) -> decodedPeer(id, value, nowMillis));
    return redis.dispatch(CommandType.MGET, peers, new CommandArgs<>(ByteArrayCodec.INSTANCE).addKeys(infoKeys))
        .toCompletableFuture()
        .thenApply(out -> {
          warnIfMalformed(track, peers.malformed);
          return out;
        });
  }

  private static void warnIfMalformed(TrackId track, int malformed) {
    if (malformed > 0) {
      LOG.warn("skipping {} undecodable values of track {} in Redis", malformed, track);
    }
  }

  private static void addCandidate(List<Candidate> out, TrackId track, PeerInfo peer, byte[] entry, long lastAnnounce) {
    try {
      out.add(new Candidate(peer, Blobs.entryHolding(track, entry), lastAnnounce));
    } catch (IllegalArgumentException e) {
      LOG.warn("skipping an undecodable entry of track {} in Redis: {}", track, e.getMessage());
    }
  }

  /**
   * The first slot of a node id's set in the decoded-peer cache: from bytes 1..4 (a SHA-256, so
   * uniform; byte 0 is the shard).
   */
  private static int set(byte[] nodeId) {
    return (((nodeId[1] & 0xff) << 24) | ((nodeId[2] & 0xff) << 16) | ((nodeId[3] & 0xff) << 8) | (nodeId[4] & 0xff))
        & (DECODED_PEERS - DECODED_PEER_WAYS);
  }

  /** The entry of the cache holding {@code nodeId} (in any version), or null. */
  private DecodedPeer held(byte[] nodeId) {
    int set = set(nodeId);
    for (int k = 0; k < DECODED_PEER_WAYS; k++) {
      DecodedPeer cached = decodedPeers[set + k];
      if (cached != null && Arrays.equals(cached.nodeId, nodeId)) {
        return cached;
      }
    }
    return null;
  }

  /**
   * Keeps {@code peer}: in the slot of its set that holds the node already, else in an empty one,
   * else in the set's next slot in turn (a shared counter; a race only changes which one).
   */
  private void hold(DecodedPeer peer) {
    int set = set(peer.nodeId);
    int free = -1;
    for (int k = 0; k < DECODED_PEER_WAYS; k++) {
      DecodedPeer cached = decodedPeers[set + k];
      if (cached != null && Arrays.equals(cached.nodeId, peer.nodeId)) {
        decodedPeers[set + k] = peer;
        return;
      }
      if (cached == null && free < 0) {
        free = k;
      }
    }
    decodedPeers[set + (free >= 0 ? free : (nextVictim++ & (DECODED_PEER_WAYS - 1)))] = peer;
  }

  /**
   * The peer {@code nodeId} in the info version {@code version}, if this instance has decoded that
   * value at most {@link #COORDINATE_STALENESS_MILLIS} before {@code nowMillis} (or announced it); else
   * null. Comparing the version (a digest of the value without the coordinate, Blobs) stands for
   * comparing the value: no read of it, no hash at lookup time. The coordinate is not in the
   * version, so another instance's announce may have moved it since: a copy older than the bound
   * is read again, which bounds how stale a coordinate this instance answers.
   */
  private PeerInfo knownPeer(byte[] nodeId, long version, long nowMillis) {
    DecodedPeer cached = held(nodeId);
    return cached != null && cached.version == version && nowMillis - cached.readAt <= COORDINATE_STALENESS_MILLIS
        ? cached.peer
        : null;
  }

  /**
   * The peer a stored value describes, decoded and kept by node id and version: a popular peer is
   * decoded once, and its entries then name a version this instance holds, so lookups need not
   * read its value at all ({@link #knownPeer}). The cache is 8-way set-associative on bytes 1..4 of
   * the node id: no hash over anything, no map entry; a set holds eight peers, and a ninth replaces
   * one of them. Slots are read and written without locks: an entry is immutable, so a thread sees
   * a whole one or an older one (at worst a peer is held twice in its set, and one copy ages out).
   * The value is decoded even when its version is the one held: it was read because the held copy
   * is stale or of another version, and its coordinate may differ whatever the version.
   *
   * @throws IllegalArgumentException if the value does not decode
   */
  private PeerInfo decodedPeer(byte[] nodeId, ByteBuffer value, long nowMillis) {
    long version = Blobs.peerVersion(value);
    byte[] copy = new byte[value.remaining()];
    value.duplicate().get(copy);
    PeerInfo peer = Blobs.peer(copy);
    hold(new DecodedPeer(nodeId, version, peer, nowMillis));
    return peer;
  }

  private static final class DecodedPeer {
    final byte[] nodeId;
    final long version;
    final PeerInfo peer;
    /** The tracker time (epoch ms) at which this instance read the value, or announced it. */
    final long readAt;

    DecodedPeer(byte[] nodeId, long version, PeerInfo peer, long readAt) {
      this.nodeId = nodeId;
      this.version = version;
      this.peer = peer;
      this.readAt = readAt;
    }
  }

  @Override
  public CompletionStage<Long> expire(long nowMillis) {
    try {
      checkTime(nowMillis);
      checkOpen();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[] cutoff = number(nowMillis - config.ttlMillis());
    AtomicInteger nextGroup = new AtomicInteger();
    AtomicLong removed = new AtomicLong();
    List<CompletableFuture<?>> workers = new ArrayList<>();
    for (int w = 0; w < EXPIRE_PARALLELISM; w++) {
      workers.add(expireWorker(nextGroup, cutoff, removed));
    }
    return allOf(workers).thenApply(ignored -> removed.get());
  }

  /** Takes the next group of shards not yet expired and expires it, batch by batch; then the next. */
  private CompletableFuture<Void> expireWorker(AtomicInteger nextGroup, byte[] cutoff, AtomicLong removed) {
    int first = nextGroup.getAndIncrement() * shardsPerCall;
    if (first >= Keys.SHARDS) {
      return CompletableFuture.completedFuture(null);
    }
    return expireGroup(first, Math.min(Keys.SHARDS, first + shardsPerCall), cutoff, removed)
        .thenCompose(ignored -> expireWorker(nextGroup, cutoff, removed));
  }

  /**
   * Expires shards {@code [from, to)}: lists a bounded batch of tracks with expired entries, removes
   * those entries, drops them from their peers' track sets; again until a batch comes back short.
   */
  private CompletableFuture<Void> expireGroup(int from, int to, byte[] cutoff, AtomicLong removed) {
    byte[][] registries = new byte[to - from][];
    for (int i = 0; i < registries.length; i++) {
      registries[i] = Keys.shardTracks(from + i);
    }
    return run(Scripts.SHARD_DUE, registries, cutoff, expireTrackBatch).thenCompose(result -> {
      List<?> due = list(result);
      int n = due.size() / 2;
      if (n == 0) {
        return CompletableFuture.completedFuture(null);
      }
      byte[][] keys = new byte[4 * n][];
      byte[][] args = new byte[1 + n][];
      args[0] = cutoff;
      int lastShard = from;
      for (int i = 0; i < n; i++) {
        int shard = from + ((Long) due.get(2 * i)).intValue() - 1;
        TrackId track = TrackId.fromBytes((byte[]) due.get(2 * i + 1));
        keys[4 * i] = Keys.trackEntries(track);
        keys[4 * i + 1] = Keys.trackHoldings(track);
        keys[4 * i + 2] = Keys.shardTracks(shard);
        keys[4 * i + 3] = Keys.shardEntries(shard);
        args[1 + i] = track.bytes();
        lastShard = shard;
      }
      int resumeAt = lastShard;
      boolean more = n >= expireBatchSize;
      return run(Scripts.TRACKS_EXPIRE, keys, args).thenCompose(expired -> {
        List<?> out = list(expired);
        removed.addAndGet((Long) out.get(0));
        List<Unlink> unlinks = new ArrayList<>((out.size() - 1) / 3);
        for (int i = 1; i + 2 < out.size(); i += 3) {
          unlinks.add(new Unlink((byte[]) out.get(i + 1), (byte[]) out.get(i), (byte[]) out.get(i + 2)));
        }
        CompletableFuture<Void> done = unlink(unlinks);
        return more ? done.thenCompose(ignored -> expireGroup(resumeAt, to, cutoff, removed)) : done;
      });
    });
  }

  @Override
  public CompletionStage<IndexStats> stats() {
    try {
      checkOpen();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<CompletableFuture<List<?>>> shards = new ArrayList<>(Keys.SHARDS / shardsPerCall);
    for (int first = 0; first < Keys.SHARDS; first += shardsPerCall) {
      int n = Math.min(shardsPerCall, Keys.SHARDS - first);
      byte[][] keys = new byte[3 * n][];
      for (int i = 0; i < n; i++) {
        keys[3 * i] = Keys.shardTracks(first + i);
        keys[3 * i + 1] = Keys.shardEntries(first + i);
        keys[3 * i + 2] = Keys.shardPeers(first + i);
      }
      shards.add(run(Scripts.SHARD_STATS, keys).thenApply(RedisPeerIndex::list));
    }
    return allOf(shards).thenApply(ignored -> {
      long peers = 0;
      long tracks = 0;
      long entries = 0;
      for (CompletableFuture<List<?>> f : shards) {
        List<?> r = f.join();
        peers += (Long) r.get(0);
        tracks += (Long) r.get(1);
        entries += (Long) r.get(2);
      }
      return new IndexStats(peers, tracks, entries);
    });
  }

  /** Closes the connection and the client (blocking for at most a few seconds). Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      connection.close();
    } finally {
      try {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      } finally {
        resources.shutdown(0, 2, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public String toString() {
    return "RedisPeerIndex[" + target + ", " + config + ", " + cacheConfig + "]";
  }

  /** Removes {@code node}'s entries from {@code tracks}: one script per shard and batch. */
  private CompletableFuture<Void> removeEntries(byte[] node, List<TrackId> tracks) {
    if (tracks.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<?>> steps = new ArrayList<>();
    for (List<TrackId> group : callGroups(tracks, Keys::shard)) {
      for (int from = 0; from < group.size(); from += TRACKS_PER_CALL) {
        List<TrackId> batch = group.subList(from, Math.min(group.size(), from + TRACKS_PER_CALL));
        byte[][] keys = new byte[4 * batch.size()][];
        byte[][] args = new byte[1 + batch.size()][];
        args[0] = node;
        for (int i = 0; i < batch.size(); i++) {
          trackKeys(keys, 4 * i, batch.get(i));
          args[1 + i] = batch.get(i).bytes();
        }
        steps.add(run(Scripts.TRACKS_REMOVE, keys, args));
      }
    }
    return allOf(steps);
  }

  /**
   * Writes the peer's new info version into its entries of {@code tracks} (which an incremental
   * announce with new info did not list): one script per shard and batch. Until it has, a lookup
   * of one of them may answer with the peer's previous info, which is what the stage's non-atomic
   * window allows (tracker/docs/redis.md, "Consistency").
   */
  private CompletableFuture<Void> retag(byte[] node, long version, List<TrackId> tracks) {
    if (tracks.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] versionBytes = ByteBuffer.allocate(8).putLong(version).array();
    List<CompletableFuture<?>> steps = new ArrayList<>();
    for (List<TrackId> group : callGroups(tracks, Keys::shard)) {
      for (int from = 0; from < group.size(); from += TRACKS_PER_CALL) {
        List<TrackId> batch = group.subList(from, Math.min(group.size(), from + TRACKS_PER_CALL));
        byte[][] keys = new byte[batch.size()][];
        for (int i = 0; i < batch.size(); i++) {
          keys[i] = Keys.trackHoldings(batch.get(i));
        }
        steps.add(run(Scripts.TRACKS_RETAG, keys, node, versionBytes));
      }
    }
    return allOf(steps);
  }

  /**
   * {@code items} in the groups a script call may take: in a cluster grouped by shard, each group in
   * the order given; on a single server all in one group.
   */
  private <T> Iterable<List<T>> callGroups(List<T> items, ToIntFunction<T> shardOf) {
    if (!cluster) {
      return List.of(items);
    }
    Map<Integer, List<T>> groups = new LinkedHashMap<>();
    for (T item : items) {
      groups.computeIfAbsent(shardOf.applyAsInt(item), s -> new ArrayList<>()).add(item);
    }
    return groups.values();
  }

  /** A track's keys as the track scripts take them: entries, holdings, shard tracks, shard entry count. */
  private static void trackKeys(byte[][] keys, int at, TrackId track) {
    int shard = Keys.shard(track);
    keys[at] = Keys.trackEntries(track);
    keys[at + 1] = Keys.trackHoldings(track);
    keys[at + 2] = Keys.shardTracks(shard);
    keys[at + 3] = Keys.shardEntries(shard);
  }

  /** An entry that left a track (evicted or expired), to be dropped from its peer's track set. */
  private static final class Unlink {
    final byte[] node;
    final byte[] track;
    final byte[] score;

    Unlink(byte[] node, byte[] track, byte[] score) {
      this.node = node;
      this.track = track;
      this.score = score;
    }
  }

  /** Drops the tracks from the peers' track sets, one script per peer shard and batch. */
  private CompletableFuture<Void> unlink(List<Unlink> unlinks) {
    if (unlinks.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<?>> steps = new ArrayList<>();
    for (List<Unlink> group : callGroups(unlinks, u -> Keys.shard(u.node))) {
      for (int from = 0; from < group.size(); from += UNLINK_BATCH) {
        List<Unlink> batch = group.subList(from, Math.min(group.size(), from + UNLINK_BATCH));
        byte[][] keys = new byte[3 * batch.size()][];
        byte[][] args = new byte[3 * batch.size()][];
        for (int i = 0; i < batch.size(); i++) {
          Unlink u = batch.get(i);
          NodeId node = NodeId.fromBytes(u.node);
          keys[3 * i] = Keys.peerTracks(node);
          keys[3 * i + 1] = Keys.peerInfo(node);
          keys[3 * i + 2] = Keys.shardPeers(Keys.shard(u.node));
          args[3 * i] = u.node;
          args[3 * i + 1] = u.track;
          args[3 * i + 2] = u.score;
        }
        steps.add(run(Scripts.PEER_UNLINK, keys, args));
      }
    }
    return allOf(steps);
  }

  /** EVALSHA, or EVAL when the node does not have the script cached (restarted, new in the cluster). */
  private CompletableFuture<Object> run(Script script, byte[][] keys, byte[]... args) {
    ScriptOutputType type = ScriptOutputType.MULTI;
    return redis.<Object>evalsha(script.sha, type, keys, args).toCompletableFuture()
        .thenApply(r -> r)
        .exceptionallyCompose(e -> {
          Throwable cause = unwrap(e);
          if (cause instanceof RedisNoScriptException
              || (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"))) {
            return redis.<Object>eval(script.body, type, keys, args).toCompletableFuture();
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static byte[][] keys(byte[]... keys) {
    return keys;
  }

  /** An integer a script returned (MULTI output wraps a lone integer reply in a list). */
  private static long integer(Object scriptResult) {
    Object v = scriptResult instanceof List && !((List<?>) scriptResult).isEmpty() ? ((List<?>) scriptResult).get(0) : scriptResult;
    if (!(v instanceof Long)) {
      throw new IllegalStateException("a script returned " + v + " where an integer was expected");
    }
    return (Long) v;
  }

  private static List<?> list(Object scriptResult) {
    return scriptResult instanceof List ? (List<?>) scriptResult : List.of();
  }

  private static byte[] number(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  private static CompletableFuture<Void> allOf(List<? extends CompletableFuture<?>> steps) {
    return CompletableFuture.allOf(steps.toArray(new CompletableFuture<?>[0]));
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  /** Times are epoch ms, never negative, and exact in a Redis score (a double). */
  private static void checkTime(long nowMillis) {
    if (nowMillis < 0 || nowMillis > MAX_TIME_MILLIS) {
      throw new IllegalArgumentException("nowMillis must be 0.." + MAX_TIME_MILLIS + " (epoch ms), was " + nowMillis);
    }
  }
}
