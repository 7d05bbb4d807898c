package dev.chorus.simulator.swarm;

import dev.chorus.node.internal.core.PeerHolding;
import dev.chorus.node.internal.core.StartPolicy;
import dev.chorus.node.internal.core.TrackLayout;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import dev.chorus.simulator.engine.Engine;
import dev.chorus.simulator.engine.EventHandler;
import dev.chorus.simulator.engine.ProgressListener;
import dev.chorus.simulator.engine.RandomStreams;
import dev.chorus.simulator.network.FlowNetwork;
import dev.chorus.simulator.network.Latency;
import dev.chorus.simulator.network.Nat;
import dev.chorus.simulator.network.NetworkModel;
import dev.chorus.simulator.network.PeerFailures;
import dev.chorus.simulator.network.SlowStart;
import dev.chorus.simulator.scenario.Scenario;
import dev.chorus.simulator.workload.Catalogue;
import dev.chorus.simulator.workload.Churn;
import dev.chorus.simulator.workload.ListeningHistory;
import dev.chorus.simulator.workload.RepeatMemory;
import dev.chorus.simulator.workload.Workload;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.InMemoryPeerIndex;
import dev.chorus.tracker.index.LookupPolicy;
import dev.chorus.protocol.ConnectionPlan;
import dev.chorus.protocol.ReachabilityClass;
import dev.chorus.tracker.index.PeerInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

/**
 * The simulated world: a population of peers that come and go, each online one running the
 * node's {@link dev.chorus.node.internal.core.SwarmCore} (in a {@link SimPeer}); the tracker's real peer
 * index and ranking; the flow network; the CDN. Single-threaded on one {@link Engine}.
 *
 * <p>Design. The engine's events are primitive {@code (time, type, target, arg)}; the few kinds
 * that carry an object (a tracker answer, a connection's outcome) park a {@link Delivery} in a
 * slot table and pass the slot as the argument; messages between peers, most of the events, are
 * records in the pooled arrays of {@link Messages}. Every outcome of a core's action comes back as a
 * later event, never inside the call, as in a node. Messages travel with the one-way latency of
 * the model; connections take two round trips (TCP and the Noise handshake); data moves as flows
 * of the {@link FlowNetwork}, recomputed when flows start or end; a host going offline closes its
 * connections, cancels its flows and leaves the tracker (as a closed tracker session does).
 *
 * <p>What outlives a peer's online period is kept per host in primitive arrays (cache contents,
 * bytes uploaded, churn counters); a {@link SimPeer} exists only while its peer is online, so the
 * memory of a run follows the online population, not the whole one.
 */
final class World implements EventHandler {
  static final int PORT = 7000;

  static final int EV_CHURN = 0;
  static final int EV_SESSION = 1;
  static final int EV_PLAYBACK = 2;
  static final int EV_TICK = 3;
  static final int EV_DELIVER = 4;
  static final int EV_NETWORK = 5;
  static final int EV_SAMPLE = 6;
  static final int EV_MESSAGE = 7;
  static final int EVENT_TYPES = 8;

  /** The core's periodic work while it fetches (a node ticks every 100 ms; 1 s bounds the events). */
  static final long TICK_NANOS = 1_000_000_000L;
  /** How long a connection attempt to an unreachable or offline peer takes to fail. */
  static final long CONNECT_FAILURE_NANOS = 3_000_000_000L;
  /** How long a punch that no router lets through takes to fail: the node's punch window (5 s). */
  static final long PUNCH_FAILURE_NANOS = 5_000_000_000L;

  /** A parked action, run when its event fires. */
  @FunctionalInterface
  interface Delivery {
    void run(long now);
  }

  final Scenario scenario;
  final Engine engine;
  final RandomStreams streams;
  final Workload workload;
  final Catalogue catalogue;
  final FlowNetwork flows;
  final Latency latency;
  final Nat nat;
  final int cdnHost;
  final PeerCaches caches;
  final Metrics metrics;
  /** The node's start and stall rule, with the scenario's swarm parameters; shared by every player. */
  final StartPolicy startPolicy;

  /**
   * Each listener's latest plays, for repeats (session.repeatShare); null when the repeat model is
   * off. Filled by the listening history, then by the run.
   */
  final RepeatMemory repeats;
  /** The listening before the run that filled the caches, reported with the run's summary. */
  final ListeningHistory.Result history;
  /**
   * With repeats on, over the whole run: plays asked for, those that were repeats, and held tracks
   * dropped because a discovery drew them.
   */
  long playsAsked;
  long repeatPlays;
  long discoveryDrops;
  /** What the shell did on the cores' behalf, counted for the shell-contract tests. */
  final ShellCounts shell = new ShellCounts();

  /** Counts of the shell's work; they cost an increment each and change no result. */
  static final class ShellCounts {
    long havesDelivered;
    /** A host whose received Haves are counted in {@link #havesToWatched} (-1: none; for tests). */
    int watchedHost = -1;
    long havesToWatched;
    long holdingsIndexed;
    long announcesNotIndexed;
    long unreachableInAnswers;
    long dialsToUnreachable;
    /** Connections made by reversal (the holder dialled the asker, relayed by the tracker). */
    long reversals;
    /** Punches tried (both sides behind NATs, coordinated by the tracker), and those that failed. */
    long punches;
    long punchesFailed;
  }
  final InMemoryPeerIndex index;
  private final LookupPolicy lookups;
  /** What the tracker relays for its nodes: reversal when the nodes take part in it (node.reversal). */
  private final ConnectionPlan.Traversal traversal;
  private final SplittableRandom trackerRng;
  private final Churn churn;
  private final int peers;

  private final SimPeer[] online;
  private final int[] onlinePeriods;
  private final int[] churnDraws;
  private int onlineCount;
  private int playingCount;

  /** Messages between peers in flight, pooled (the most frequent deliveries, without a lambda each). */
  private final Messages messages = new Messages();
  private Delivery[] parked = new Delivery[1024];
  /** What each parked action does, for the census. */
  private int[] parkedKind = new int[1024];
  /** Events handled, by kind. */
  final EventCensus census = new EventCensus();
  private int[] freeSlots = new int[1024];
  private int freeCount;
  private int slotHigh;

  /** Every online peer's connections ({@link Links}): one probe per delivered message. */
  final LongHashSet links = Links.newTable();
  /** Transfers by their current flow (primitive keys: a segment's start and end box none). */
  private final Long2ObjectHashMap<Transfer> transfersByFlow = new Long2ObjectHashMap<>();
  // Network realism (docs/network-model.md, "Connections, the CDN and failing peers").
  private final SlowStart slowStart;
  private final PeerFailures failures;
  private final long cdnRequestNanos;
  /** When data last flowed from a server to a client ({@code server << 32 | client}). */
  private final Long2LongHashMap lastDataAt = new Long2LongHashMap(NO_DATA);
  private static final long NO_DATA = Long.MIN_VALUE;
  /** Hosts that crashed and are down until their churn would have taken them offline. */
  private final BitSet crashed;
  /** Until when a host serves slowly (0: not slow). */
  private final long[] slowUntil;
  long crashes;
  long slowSpells;
  long slowStartDelays;
  private long networkEventId = -1;
  private long networkEventAt = Long.MAX_VALUE;
  private final long[] completed = new long[256];
  /** Flows completed at once beyond {@link #completed}'s room (reused). */
  private final List<Long> overflow = new ArrayList<>(0);
  /**
   * The latest {@link TrackId} made for each track, direct-mapped by index: the core's events name
   * a track by id many times a second per peer, and a new id is two 32-byte arrays and an object.
   * The same id object each time changes no result (ids compare by content) and lets the core's
   * maps find it by identity.
   */
  private final TrackId[] trackIds = new TrackId[TRACK_ID_CACHE];
  private final int[] trackIdOf = new int[TRACK_ID_CACHE];
  private static final int TRACK_ID_CACHE = 1 << 16;

  World(Scenario scenario, int replication) {
    this.scenario = scenario;
    this.peers = scenario.peers();
    this.streams = new RandomStreams(scenario.seed()).replication(replication);
    this.engine = new Engine(EVENT_TYPES);
    this.workload = new Workload(scenario.workload(), streams.stream("workload"));
    this.catalogue = workload.catalogue();
    NetworkModel model = NetworkModel.build(scenario.network(), streams.stream("network"),
        new FlowNetwork.Listener() {});
    this.flows = model.flows();
    this.latency = model.latency();
    this.nat = model.nat();
    this.cdnHost = model.cdnHost();
    this.churn = workload.churn();
    this.index = InMemoryPeerIndex.create(scenario.tracker(), streams.seed("tracker-hash"));
    this.trackerRng = streams.stream("tracker");
    this.lookups = scenario.lookups();
    this.traversal = new ConnectionPlan.Traversal(scenario.reversal(), scenario.punching());
    this.metrics = new Metrics(peers, scenario.warmup().toNanos(), scenario.duration().toNanos());
    this.startPolicy = StartPolicy.of(scenario.swarm());
    this.online = new SimPeer[peers];
    this.onlinePeriods = new int[peers];
    this.churnDraws = new int[peers];
    long[] capacity = new long[peers];
    workload.cacheSizes().fill(streams.stream("cache-size"), capacity);
    this.caches = new PeerCaches(capacity, catalogue::sizeBytes);
    this.repeats = workload.sessions().repeatsOn() ? RepeatMemory.of(workload.config(), peers) : null;
    this.history = listeningHistory();
    this.slowStart = scenario.network().slowStart();
    this.failures = scenario.network().failures();
    this.cdnRequestNanos = (long) (scenario.network().cdnRequestMs() * 1e6);
    this.crashed = new BitSet(peers);
    this.slowUntil = new long[peers];
  }

  // ---- set-up ----------------------------------------------------------------------------------

  /** Fills the caches with {@code sim.historyDays} days of simulated listening before the run. */
  private ListeningHistory.Result listeningHistory() {
    ListeningHistory.Caches into = new ListeningHistory.Caches() {
      @Override
      public boolean touch(int host, int track) {
        return caches.touch(host, track);
      }

      @Override
      public void insert(int host, int track) {
        caches.insert(host, track, (h, t) -> {});
      }
    };
    return new ListeningHistory(workload).run(peers, scenario.historyDays(),
        scenario.historyTolerance(), host -> streams.stream("history", host), into, repeats);
  }

  /** Puts every peer's first churn transition and the first sample on the engine. */
  void start() {
    for (int h = 0; h < peers; h++) {
      SplittableRandom rng = churnRng(h);
      boolean on = churn.startsOnline(rng);
      long first = churn.firstTransitionNanos(rng, on);
      if (on) {
        comeOnline(h, 0);
        // A peer online at the start is somewhere in its listening: its first session begins
        // after a gap, not all at time zero.
        scheduleSession(online[h], workload.sessions().sampleGapNanos(online[h].sessionRng));
      }
      engine.schedule(Math.max(1, first), EV_CHURN, h, 0);
    }
    engine.schedule(scenario.sampleInterval().toNanos(), EV_SAMPLE, 0, 0);
  }

  private SplittableRandom churnRng(int host) {
    return streams.stream("churn", ((long) host << 24) | churnDraws[host]++);
  }

  // ---- the event loop --------------------------------------------------------------------------

  @Override
  public void handle(int type, int target, long arg) {
    long now = engine.now();
    switch (type) {
      case EV_CHURN -> onChurn(target, now);
      case EV_SESSION -> onSession(target, arg, now);
      case EV_PLAYBACK -> onPlayback(target, now);
      case EV_TICK -> onTick(target, now);
      case EV_DELIVER -> onDeliver((int) arg, now);
      case EV_NETWORK -> onNetwork(now);
      case EV_SAMPLE -> onSample(now);
      case EV_MESSAGE -> onMessage((int) arg, now);
      default -> throw new IllegalStateException("unknown event type " + type);
    }
    syncNetworkTimer();
  }

  private void onChurn(int host, long now) {
    census.count(EventCensus.CHURN);
    SplittableRandom rng = churnRng(host);
    if (crashed.get(host)) {
      // Down since a crash; this was when it would have left: it comes back as after a leave.
      crashed.clear(host);
      engine.schedule(churn.offlineUntil(rng, now), EV_CHURN, host, 0);
    } else if (online[host] != null) {
      goOffline(host, now, -1);
      engine.schedule(churn.offlineUntil(rng, now), EV_CHURN, host, 0);
    } else {
      comeOnline(host, now);
      engine.schedule(churn.onlineUntil(rng, now), EV_CHURN, host, 0);
      scheduleSession(online[host], now);
    }
  }

  void comeOnline(int host, long now) {
    int periodIndex = onlinePeriods[host]++;
    long period = ((long) host << 24) | periodIndex;
    SimPeer p = new SimPeer(this, host, periodIndex, streams.stream("core", period),
        streams.stream("session", period));
    online[host] = p;
    onlineCount++;
    metrics.online(onlineCount);
    scheduleFailures(p, now);
    if (!lookups.indexes(reachability(host))) {
      return;
    }
    int n = caches.trackCount(host);
    List<Holding> holdings = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int track = caches.track(host, i);
      holdings.add(Holding.complete(trackId(track), chunkCount(track)));
    }
    announce(p.trackerInfo, true, holdings, now);
  }

  /**
   * What the tracker does with an announce: indexes it, unless no peer could connect to the node
   * (the rule is {@link LookupPolicy#indexes(ReachabilityClass)}).
   */
  private void announce(PeerInfo peer, boolean replace, List<Holding> holdings, long now) {
    if (lookups.indexes(reachability(Ids.hostOfKey(peer.staticKey())))) {
      index.announce(peer, replace, holdings, now / 1_000_000L);
      shell.holdingsIndexed += holdings.size();
    } else {
      shell.announcesNotIndexed++;
    }
  }

  /**
   * The host's class for the connection rule, as the tracker's probe would find it: from the
   * scenario's NAT draw and what the nodes do (node.portMapping, node.reversal).
   */
  ReachabilityClass reachability(int host) {
    return nat.reachability(host, scenario.portMapping(), scenario.reversal(), scenario.punching());
  }

  /**
   * The port a host's node is known by — to the tracker's index and to its own core, as a node's
   * core learns it from the tracker's verdict ({@code SwarmCore.reachable}): 0 unless peers can
   * dial it (public, or mapped by its router).
   */
  int listenPort(int host) {
    return lookups.indexedPort(reachability(host), PORT);
  }

  /** Draws the peer's next crash and slow spell (if their rates are not 0) for this online period. */
  private void scheduleFailures(SimPeer p, long now) {
    SplittableRandom rng = streams.stream("failures", ((long) p.host << 24) | p.onlinePeriod);
    long crashIn = failures.nextCrashNanos(rng);
    if (crashIn != Long.MAX_VALUE && now + crashIn < scenario.duration().toNanos()) {
      park(now + crashIn, EventCensus.CRASH, t -> {
        if (online[p.host] == p && p.alive) {
          crashes++;
          goOffline(p.host, t, failures.detectNanos());
          crashed.set(p.host);
        }
      });
    }
    scheduleSlowSpell(p, rng, now);
  }

  private void scheduleSlowSpell(SimPeer p, SplittableRandom rng, long now) {
    long in = failures.nextSlowNanos(rng);
    if (in == Long.MAX_VALUE || now + in >= scenario.duration().toNanos()) {
      return;
    }
    park(now + in, EventCensus.SLOW_SPELL, t -> {
      if (online[p.host] == p && p.alive) {
        slowSpells++;
        slowUntil[p.host] = t + failures.slowNanos();
        scheduleSlowSpell(p, rng, t + failures.slowNanos());
      }
    });
  }

  /**
   * Takes a host offline: its flows stop and it leaves the tracker. Its neighbours learn it after
   * half a round trip (an orderly leave closes its connections, {@code noticeNanos} -1) or after
   * {@code noticeNanos} (a crash, detected by a timeout).
   */
  private void goOffline(int host, long now, long noticeNanos) {
    SimPeer p = online[host];
    p.advance(now);
    p.finishPlay();
    p.alive = false;
    for (Integer other : p.links.inOrder()) {
      SimPeer o = online[other];
      if (o != null) {
        o.links.remove(host);
        cancelTransfersBetween(p, o, now);
        cancelTransfersBetween(o, p, now);
        long notice = noticeNanos >= 0 ? noticeNanos : latency.oneWayNanos(host, other);
        deliverAfter(notice, o, EventCensus.DISCONNECTED, t -> o.core.peerDisconnected(p.id, t));
        lastDataAt.remove(pair(host, other));
        lastDataAt.remove(pair(other, host));
      }
    }
    p.links.clear();
    slowUntil[host] = 0;
    for (Transfer t : p.cdnReads.values()) {
      cancel(t, now);
    }
    p.cdnReads.clear();
    index.removePeer(p.trackerInfo.nodeId());
    online[host] = null;
    onlineCount--;
  }

  private void onSession(int host, long arg, long now) {
    SimPeer p = online[host];
    if (p == null || p.onlinePeriod != arg || p.inSession) {
      census.count(EventCensus.SESSION_STALE);
      return;
    }
    census.count(EventCensus.SESSION);
    p.inSession = true;
    workload.sessions().startSession(p.sessionRng, p.cursor, repeats, host);
    p.startPlay(now);
    afterCoreWork(p);
  }

  void scheduleSession(SimPeer p, long at) {
    engine.schedule(Math.max(at, engine.now()), EV_SESSION, p.host, p.onlinePeriod);
  }

  /**
   * Arms the peer's playback event at {@code at} and returns its id. The player re-arms it at
   * most chunk arrivals, mostly to a later time; rather than queue an event per re-arm (all but
   * the last fire stale), a later deadline only reserves the id, and the event already queued,
   * firing early, queues the armed one under it ({@link Engine}, "deferral"): it then runs where
   * an event queued at the re-arm would have, so the run is the same, with fewer events.
   */
  long armPlayback(SimPeer p, long at) {
    long due = Math.max(at, engine.now());
    long id = engine.reserveId();
    p.playbackDueAt = due;
    if (p.queuedPlaybackId < 0 || p.queuedPlaybackAt > due) {
      engine.scheduleReserved(due, id, EV_PLAYBACK, p.host, p.onlinePeriod);
      p.queuedPlaybackId = id;
      p.queuedPlaybackAt = due;
    }
    return id;
  }

  private void onPlayback(int host, long now) {
    SimPeer p = online[host];
    long id = engine.currentEventId();
    if (p != null && id == p.queuedPlaybackId) {
      p.queuedPlaybackId = -1;
      p.queuedPlaybackAt = -1;
      if (id != p.playbackEventId && p.playbackEventId >= 0) {
        // Early: the deadline moved on since this was queued.
        engine.scheduleReserved(p.playbackDueAt, p.playbackEventId, EV_PLAYBACK, host, p.onlinePeriod);
        p.queuedPlaybackId = p.playbackEventId;
        p.queuedPlaybackAt = p.playbackDueAt;
        census.count(EventCensus.PLAYBACK_EARLY);
        return;
      }
    }
    if (p == null || id != p.playbackEventId) {
      census.count(EventCensus.PLAYBACK_STALE);
      return;
    }
    census.count(EventCensus.PLAYBACK);
    p.playbackEventId = -1;
    p.advance(now);
    p.reportPlayhead(now);
    afterCoreWork(p);
  }

  private void onTick(int host, long now) {
    SimPeer p = online[host];
    if (p == null || engine.currentEventId() != p.tickEventId) {
      census.count(EventCensus.TICK_STALE);
      return;
    }
    census.count(EventCensus.TICK);
    p.tickEventId = -1;
    p.advance(now);
    p.reportPlayhead(now);
    p.core.tick(now);
    afterCoreWork(p);
  }

  /**
   * A peer's announce reaches the tracker (placed with the CDN) after half a round trip; each
   * track goes in with the peer's holding at that moment, complete or partial, or is withdrawn if
   * it holds nothing of it any more. What to announce and when is the core's decision.
   */
  void announceFrom(SimPeer p, List<TrackId> trackIds) {
    park(engine.now() + latency.oneWayNanos(p.host, cdnHost), EventCensus.ANNOUNCE, now -> {
      if (!p.alive) {
        return;
      }
      List<Holding> holdings = new ArrayList<>(trackIds.size());
      List<TrackId> gone = null;
      for (TrackId id : trackIds) {
        int track = Ids.track(id);
        if (caches.holds(p.host, track)) {
          holdings.add(Holding.complete(id, chunkCount(track)));
          continue;
        }
        BitSet held = p.partial.get(track);
        if (held != null && !held.isEmpty()) {
          holdings.add(Holding.partial(id, chunkCount(track), held.toByteArray()));
        } else {
          gone = gone == null ? new ArrayList<>(1) : gone;
          gone.add(id);
        }
      }
      if (!holdings.isEmpty()) {
        announce(p.refreshTrackerInfo(), false, holdings, now);
      }
      if (gone != null) {
        index.withdraw(p.trackerInfo.nodeId(), gone);
      }
    });
  }

  /** A peer's withdraw reaches the tracker after half a round trip. */
  void withdrawFrom(SimPeer p, List<TrackId> trackIds) {
    park(engine.now() + latency.oneWayNanos(p.host, cdnHost), EventCensus.WITHDRAW, now -> {
      if (p.alive) {
        index.withdraw(p.trackerInfo.nodeId(), trackIds);
      }
    });
  }

  /** After a core handled something: keep its periodic tick going while it fetches. */
  void afterCoreWork(SimPeer p) {
    if (p.alive && p.tickEventId < 0 && p.needsTick()) {
      p.tickEventId = engine.schedule(engine.now() + TICK_NANOS, EV_TICK, p.host, 0);
    }
  }

  private void onSample(long now) {
    census.count(EventCensus.SAMPLE);
    metrics.sample(now, onlineCount, playingCount, flows.activeFlows());
    long next = now + scenario.sampleInterval().toNanos();
    if (next <= scenario.duration().toNanos()) {
      engine.schedule(next, EV_SAMPLE, 0, 0);
    }
  }

  void playing(int delta) {
    playingCount += delta;
  }

  int onlineCount() {
    return onlineCount;
  }

  // ---- parked deliveries -----------------------------------------------------------------------

  private void park(long at, int kind, Delivery d) {
    int slot;
    if (freeCount > 0) {
      slot = freeSlots[--freeCount];
    } else {
      if (slotHigh == parked.length) {
        parked = Arrays.copyOf(parked, parked.length * 2);
        freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        parkedKind = Arrays.copyOf(parkedKind, parkedKind.length * 2);
      }
      slot = slotHigh++;
    }
    parked[slot] = d;
    parkedKind[slot] = kind;
    engine.schedule(Math.max(at, engine.now()), EV_DELIVER, 0, slot);
  }

  private void onDeliver(int slot, long now) {
    Delivery d = parked[slot];
    census.count(parkedKind[slot]);
    parked[slot] = null;
    freeSlots[freeCount++] = slot;
    d.run(now);
  }

  /** Runs {@code action} at {@code to} after {@code delay} if it is still online then. */
  void deliverAfter(long delay, SimPeer to, int kind, Delivery action) {
    park(engine.now() + delay, kind, now -> {
      if (to.alive) {
        action.run(now);
        afterCoreWork(to);
      }
    });
  }

  // ---- messages over connections ----------------------------------------------------------------
  // A message between peers arrives after the one-way latency if the connection still exists
  // then (a closed connection loses it). The most frequent kinds travel as pooled records
  // (Messages), not as an object each.

  void sendRequest(SimPeer from, int toHost, long requestId, TrackId trackId, int first, int count,
      Priority priority) {
    SimPeer to = peer(toHost);
    if (to == null) {
      return;
    }
    int slot = messages.take(Messages.REQUEST, from, to);
    messages.id(slot, requestId);
    messages.payload(slot, trackId);
    messages.range(slot, first, count);
    messages.detail(slot, priority);
    post(slot, from.host, toHost);
  }

  void sendCancel(SimPeer from, int toHost, long requestId) {
    SimPeer to = peer(toHost);
    if (to == null) {
      return;
    }
    int slot = messages.take(Messages.CANCEL, from, to);
    messages.id(slot, requestId);
    post(slot, from.host, toHost);
  }

  void sendMissing(SimPeer from, int toHost, long requestId, int first, int count,
      ErrorCode reason) {
    SimPeer to = peer(toHost);
    if (to == null) {
      return;
    }
    int slot = messages.take(Messages.MISSING, from, to);
    messages.id(slot, requestId);
    messages.range(slot, first, count);
    messages.detail(slot, reason);
    post(slot, from.host, toHost);
  }

  void sendQuery(SimPeer from, int toHost, long queryId, TrackId trackId, int hopsLeft) {
    SimPeer to = peer(toHost);
    if (to == null) {
      return;
    }
    int slot = messages.take(Messages.QUERY, from, to);
    messages.id(slot, queryId);
    messages.payload(slot, trackId);
    messages.small(slot, hopsLeft);
    post(slot, from.host, toHost);
  }

  void sendAnswer(SimPeer from, int toHost, long queryId, List<PeerHolding> holders) {
    SimPeer to = peer(toHost);
    if (to == null) {
      return;
    }
    int slot = messages.take(Messages.ANSWER, from, to);
    messages.id(slot, queryId);
    messages.payload(slot, holders);
    post(slot, from.host, toHost);
  }

  void sendHave(SimPeer from, int toHost, TrackId trackId, boolean complete, BitSet chunks) {
    SimPeer to = peer(toHost);
    if (to == null) {
      return;
    }
    int slot = messages.take(Messages.HAVE, from, to);
    messages.payload(slot, trackId);
    messages.detail(slot, chunks);
    messages.small(slot, complete ? 1 : 0);
    post(slot, from.host, toHost);
  }

  /** A segment's chunks {@code chunks[from .. to)} of a transfer reach its client. */
  private void sendChunks(Transfer t, int from, int to, boolean last) {
    int slot = messages.take(Messages.CHUNKS, t.server, t.client);
    messages.payload(slot, t);
    messages.range(slot, from, to);
    messages.small(slot, last ? 1 : 0);
    post(slot, t.server.host, t.client.host);
  }

  /** Queues the message's arrival; by hosts, as the receiver itself is not touched until then. */
  private void post(int slot, int fromHost, int toHost) {
    engine.schedule(engine.now() + latency.oneWayNanos(fromHost, toHost), EV_MESSAGE, 0, slot);
  }

  /** A message arrives if the connection it was sent over still exists. */
  private void onMessage(int slot, long now) {
    Messages m = messages;
    SimPeer from = m.from(slot);
    SimPeer to = m.to(slot);
    int kind = m.kind(slot);
    long id = m.id(slot);
    int first = m.first(slot);
    int count = m.count(slot);
    int small = m.small(slot);
    Object payload = m.payload(slot);
    Object detail = m.detail(slot);
    m.release(slot);
    if (!from.alive || !to.alive || !Links.linked(links, to.host, from.host)) {
      census.count(EventCensus.MSG_LOST);
      return;
    }
    census.count(EventCensus.message(kind, small));
    switch (kind) {
      case Messages.REQUEST -> to.core.requestReceived(from.id, id, (TrackId) payload, first, count,
          (Priority) detail, now);
      case Messages.CANCEL -> to.core.cancelReceived(from.id, id, now);
      case Messages.MISSING -> to.core.chunkMissing(from.id, id, first, count, (ErrorCode) detail,
          now);
      case Messages.QUERY -> to.core.queryReceived(from.id, id, (TrackId) payload, small, now);
      case Messages.ANSWER -> {
        @SuppressWarnings("unchecked")
        List<PeerHolding> holders = (List<PeerHolding>) payload;
        to.core.queryAnswered(from.id, id, holders, now);
      }
      case Messages.HAVE -> {
        shell.havesDelivered++;
        if (to.host == shell.watchedHost) {
          shell.havesToWatched++;
        }
        to.core.peerHas(from.id, (TrackId) payload, small == 1, (BitSet) detail, now);
      }
      case Messages.CHUNKS -> chunksArrived((Transfer) payload, first, count, small == 1, now);
      default -> throw new IllegalStateException("unknown message kind " + kind);
    }
    afterCoreWork(to);
  }

  private void chunksArrived(Transfer t, int from, int to, boolean last, long at) {
    SimPeer client = t.client;
    SimPeer server = t.server;
    TrackId trackId = trackId(t.track);
    int[] chunks = t.chunks;
    for (int i = from; i < to; i++) {
      client.core.chunkArrived(server.id, t.id, trackId, chunks[i], at);
    }
    if (last && chunks[chunks.length - 1] < t.end - 1) {
      int missingFrom = chunks[chunks.length - 1] + 1;
      client.core.chunkMissing(server.id, t.id, missingFrom, t.end - missingFrom,
          ErrorCode.NONE, at);
    }
    client.advance(at);
  }

  SimPeer peer(int host) {
    return host >= 0 && host < peers ? online[host] : null;
  }

  String region(int host) {
    return "r" + latency.region(host);
  }

  // ---- tracks ----------------------------------------------------------------------------------

  /** The track's id ({@link Ids#track(int)}), the same object while it stays in the cache. */
  TrackId trackId(int track) {
    int i = track & (TRACK_ID_CACHE - 1);
    TrackId id = trackIds[i];
    if (id == null || trackIdOf[i] != track) {
      id = Ids.track(track);
      trackIds[i] = id;
      trackIdOf[i] = track;
    }
    return id;
  }

  int chunkCount(int track) {
    long size = catalogue.sizeBytes(track);
    return (int) ((size + scenario.chunkBytes() - 1) / scenario.chunkBytes());
  }

  TrackLayout layout(int track) {
    return TrackLayout.of(trackId(track), catalogue.sizeBytes(track), scenario.chunkBytes(),
        catalogue.durationMillis(track) * 1_000_000L);
  }

  private int chunkLength(int track, int index) {
    long size = catalogue.sizeBytes(track);
    return (int) Math.min(scenario.chunkBytes(), size - (long) index * scenario.chunkBytes());
  }

  /** The manifest comes from the cache at once, or from the CDN after a round trip. */
  void fetchManifest(SimPeer p, int track) {
    long delay = caches.holds(p.host, track) ? 0 : latency.rttNanos(p.host, cdnHost);
    TrackLayout layout = layout(track);
    deliverAfter(delay, p, EventCensus.MANIFEST, now -> p.core.layoutKnown(layout, now));
  }

  /**
   * A completed track enters the cache (evicting old ones) and is announced to the tracker.
   * Returns whether the cache took it (a track larger than the cache stays a partial holding).
   */
  boolean trackCompleted(SimPeer p, int track) {
    // The core already counts the track as grown; the tracker learns of it (and of what the
    // insertion evicted) at the core's next holdings flush. Told as a later event, as a node's
    // store tells its core.
    boolean taken = caches.insert(p.host, track, p.playTrack, (host, evicted) ->
        deliverAfter(0, p, EventCensus.TRACKS_DROPPED, now -> p.core.tracksDropped(List.of(trackId(evicted)), now)));
    p.cacheChanged();
    return taken;
  }

  // ---- tracker ---------------------------------------------------------------------------------

  /** A lookup travels to the tracker (beside the CDN), is answered from the real index and ranker. */
  void lookup(SimPeer p, int track, int maxPeers) {
    long oneWay = latency.oneWayNanos(p.host, cdnHost);
    metrics.lookup(engine.now());
    park(engine.now() + oneWay, EventCensus.LOOKUP_AT_TRACKER, now -> {
      if (!p.alive) {
        return;
      }
      TrackId trackId = trackId(track);
      List<Candidate> candidates = index.candidates(trackId, now / 1_000_000L)
          .toCompletableFuture().join();
      List<Candidate> ranked = lookups.answer(p.trackerInfo.nodeId(), reachability(p.host), traversal,
          holder -> reachability(Ids.hostOfKey(holder.staticKey())) == ReachabilityClass.PUNCHABLE,
          p.trackerInfo.prefix(), p.trackerInfo.region(), p.core.coordinate(), candidates, null, maxPeers,
          trackerRng);
      List<PeerHolding> holders = new ArrayList<>(ranked.size());
      for (Candidate c : ranked) {
        int holderHost = Ids.hostOfKey(c.peer().staticKey());
        SimPeer holder = peer(holderHost);
        if (!ConnectionPlan.of(reachability(p.host), reachability(holderHost), traversal)
            .connects()) {
          shell.unreachableInAnswers++;
        }
        if (holder != null && holder != p) {
          holders.add(c.holding().isComplete() ? PeerHolding.complete(holder.contact())
              : PeerHolding.partial(holder.contact(), BitSet.valueOf(c.holding().bitmap())));
        }
      }
      deliverAfter(oneWay, p, EventCensus.LOOKUP_ANSWER, t -> p.core.peersFound(trackId, holders, t));
    });
  }

  // ---- connections -----------------------------------------------------------------------------

  /**
   * A connection attempt: it reaches the other peer after half a round trip if the NAT rule lets
   * them talk and it is online; the other core accepts or refuses (hard limit); the dialler learns
   * the outcome after two round trips (TCP, then the Noise handshake), or after a timeout.
   */
  void connect(SimPeer a, int bHost) {
    SimPeer b = peer(bHost);
    ConnectionPlan plan = ConnectionPlan.of(reachability(a.host), reachability(bHost), traversal);
    if (!plan.connects()) {
      shell.dialsToUnreachable++;
    }
    if (b == null || b == a || !plan.connects()) {
      deliverAfter(CONNECT_FAILURE_NANOS, a, EventCensus.CONNECT_FAILED, now -> a.core.connectFailed(Ids.node(bHost), now));
      return;
    }
    long rtt = latency.rttNanos(a.host, bHost);
    // Reversal: the request goes to the tracker and is relayed over the holder's tracker
    // connection before the holder dials; the dial then costs what a's own would have.
    long relay = plan == ConnectionPlan.REVERSAL
        ? latency.oneWayNanos(a.host, cdnHost) + latency.oneWayNanos(cdnHost, bHost) : 0;
    if (plan == ConnectionPlan.REVERSAL) {
      shell.reversals++;
    }
    if (plan == ConnectionPlan.PUNCH) {
      // The request reaches the tracker, which tells both sides; they dial after a start delay
      // that covers the slower tracker path: two round trips beyond a direct dial (ConnectionPlan),
      // each counted as the reversal's relay. It connects only if both routers let a simultaneous
      // open through; else it fails once the node's punch window has passed.
      relay = 2 * (latency.oneWayNanos(a.host, cdnHost) + latency.oneWayNanos(cdnHost, bHost));
      shell.punches++;
      if (!nat.letsSimultaneousOpen(a.host) || !nat.letsSimultaneousOpen(bHost)) {
        shell.punchesFailed++;
        deliverAfter(relay + PUNCH_FAILURE_NANOS, a, EventCensus.CONNECT_FAILED, now -> a.core.connectFailed(Ids.node(bHost), now));
        return;
      }
    }
    park(engine.now() + relay + rtt * 3 / 2, EventCensus.CONNECT_AT_PEER, now -> {
      if (!a.alive) {
        return;
      }
      if (!b.alive) {
        deliverAfter(CONNECT_FAILURE_NANOS, a, EventCensus.CONNECT_FAILED, t -> a.core.connectFailed(b.id, t));
        return;
      }
      if (a.links.contains(bHost)) {
        return;
      }
      if (!b.core.peerConnected(a.contact(), now)) {
        afterCoreWork(b);
        deliverAfter(rtt / 2, a, EventCensus.CONNECT_FAILED, t -> a.core.connectFailed(b.id, t));
        return;
      }
      a.links.add(bHost);
      b.links.add(a.host);
      b.core.rttMeasured(a.id, rtt, a.core.coordinate(), now);
      afterCoreWork(b);
      deliverAfter(rtt / 2, a, EventCensus.CONNECT_OUTCOME, t -> {
        if (!a.links.contains(bHost)) {
          return;
        }
        if (a.core.peerConnected(b.contact(), t)) {
          a.core.rttMeasured(b.id, rtt, b.core.coordinate(), t);
        } else {
          disconnect(a, bHost);
        }
      });
    });
  }

  /** Closes a connection from {@code a}'s side: both cores learn it, its flows stop. */
  void disconnect(SimPeer a, int bHost) {
    SimPeer b = peer(bHost);
    boolean linked = a.links.remove(bHost);
    if (b != null) {
      b.links.remove(a.host);
      cancelTransfersBetween(a, b, engine.now());
      cancelTransfersBetween(b, a, engine.now());
      if (linked) {
        deliverAfter(latency.oneWayNanos(a.host, bHost), b, EventCensus.DISCONNECTED, t -> b.core.peerDisconnected(a.id, t));
      }
    }
    deliverAfter(0, a, EventCensus.DISCONNECTED, t -> a.core.peerDisconnected(Ids.node(bHost), t));
  }

  // ---- data ------------------------------------------------------------------------------------

  /** A server's upload slot was granted to a request: send what it holds of the run. */
  void serve(SimPeer server, int clientHost, long requestId, int track, int first, int count) {
    SimPeer client = peer(clientHost);
    if (client == null || !server.links.contains(clientHost)) {
      return; // the disconnect reaches the server's core and frees the slot
    }
    int end = first + count;
    int[] chunks = new int[count];
    int n = 0;
    for (int i = first; i < end; i++) {
      if (server.holdsChunk(track, i)) {
        chunks[n++] = i;
      }
    }
    if (n == 0) {
      sendMissing(server, clientHost, requestId, first, count, ErrorCode.NONE);
      deliverAfter(0, server, EventCensus.UPLOAD_DONE, now -> server.core.uploadDone(client.id, requestId, 0, now));
      return;
    }
    Transfer t = new Transfer(false, client, server, requestId, track, first, end,
        n == count ? chunks : Arrays.copyOf(chunks, n));
    server.serving.put(Transfer.servingKey(clientHost, requestId), t);
    long now = engine.now();
    long rtt = latency.rttNanos(server.host, clientHost);
    long last = lastDataAt.get(pair(server.host, clientHost));
    // RFC 5681 §4.1 / Linux's tcp_slow_start_after_idle: a connection idle for longer than an RTO
    // (1 s, RFC 6298's initial value) restarts from the initial window, as a new one does.
    if (last == NO_DATA || now - last > Math.max(1_000_000_000L, rtt)) {
      long bytes = 0;
      for (int i = 0; i < t.chunks.length; i++) {
        bytes += chunkLength(track, t.chunks[i]);
      }
      double rate = Math.min(flows.uplink(server.host), flows.downlink(clientHost));
      long extra = slowStart.extraNanos(bytes, rate, rtt);
      if (extra > 0) {
        slowStartDelays++;
        lastDataAt.put(pair(server.host, clientHost), now + extra);
        park(now + extra, EventCensus.SLOW_START, at -> {
          if (!t.cancelled && client.alive && server.alive) {
            startSegment(t, at);
          }
        });
        return;
      }
    }
    startSegment(t, now);
  }

  private static long pair(int server, int client) {
    return ((long) server << 32) | (client & 0xffffffffL);
  }

  void stopServing(SimPeer server, int clientHost, long requestId) {
    Transfer t = server.serving.remove(Transfer.servingKey(clientHost, requestId));
    if (t != null) {
      cancel(t, engine.now());
    }
  }

  /** A CDN read: the request reaches the CDN after half a round trip, then the data flows. */
  void fetchFromCdn(SimPeer p, long fetchId, int track, int first, int count) {
    int[] chunks = new int[count];
    for (int i = 0; i < count; i++) {
      chunks[i] = first + i;
    }
    Transfer t = new Transfer(true, p, null, fetchId, track, first, first + count, chunks);
    p.cdnReads.put(fetchId, t);
    // The request travels half a round trip, then the CDN takes its request time to answer.
    park(engine.now() + latency.oneWayNanos(p.host, cdnHost) + cdnRequestNanos, EventCensus.CDN_REQUEST,
        now -> {
      if (!t.cancelled && p.alive) {
        startSegment(t, now);
      }
    });
  }

  void cancelCdn(SimPeer p, long fetchId) {
    Transfer t = p.cdnReads.remove(fetchId);
    if (t != null) {
      cancel(t, engine.now());
    }
  }

  private void cancel(Transfer t, long now) {
    t.cancelled = true;
    if (t.flowId >= 0 && flows.isActive(t.flowId)) {
      flows.cancelFlow(t.flowId, now);
    }
    if (t.flowId >= 0) {
      transfersByFlow.remove(t.flowId);
    }
  }

  private void cancelTransfersBetween(SimPeer server, SimPeer client, long now) {
    server.serving.values().removeIf(t -> {
      if (t.client == client) {
        cancel(t, now);
        return true;
      }
      return false;
    });
  }

  private void startSegment(Transfer t, long now) {
    if (!t.cdn && slowUntil[t.server.host] > now && failures.slowStallNanos() > 0) {
      // A slow peer stalls before each segment it serves.
      park(now + failures.slowStallNanos(), EventCensus.SLOW_STALL, at -> {
        if (!t.cancelled && t.client.alive && t.server.alive) {
          startFlow(t, at);
        }
      });
      return;
    }
    startFlow(t, now);
  }

  private void startFlow(Transfer t, long now) {
    // Segments of 1, 1, 2, 4, ... chunks: each arrives no later than twice the time a byte stream
    // would have delivered its last chunk, at log2(run) flows per request.
    int n = Math.min(t.chunks.length - t.sent, Math.max(1, t.sent));
    long bytes = 0;
    for (int i = t.sent; i < t.sent + n; i++) {
      bytes += chunkLength(t.track, t.chunks[i]);
    }
    t.segmentChunks = n;
    int src = t.cdn ? cdnHost : t.server.host;
    t.flowId = flows.startFlow(src, t.client.host, bytes, now);
    transfersByFlow.put(t.flowId, t);
  }

  private void onNetwork(long now) {
    if (engine.currentEventId() != networkEventId) {
      census.count(EventCensus.NETWORK_STALE);
      return; // superseded by an earlier one
    }
    census.count(EventCensus.FLOWS_DONE);
    networkEventId = -1;
    networkEventAt = Long.MAX_VALUE;
    int[] count = {0};
    long[] buffer = completed;
    List<Long> overflow = this.overflow;
    flows.pollCompleted(now, (flowId, src, dst, bytes, at) -> {
      if (count[0] < buffer.length) {
        buffer[count[0]++] = flowId;
      } else {
        overflow.add(flowId);
      }
    });
    for (int i = 0; i < count[0]; i++) {
      segmentDone(buffer[i], now);
    }
    for (int i = 0; i < overflow.size(); i++) {
      segmentDone(overflow.get(i), now);
    }
    overflow.clear();
  }

  private void segmentDone(long flowId, long now) {
    Transfer t = transfersByFlow.remove(flowId);
    if (t == null || t.cancelled) {
      return;
    }
    int from = t.sent;
    int to = t.sent + t.segmentChunks;
    long bytes = 0;
    for (int i = from; i < to; i++) {
      bytes += chunkLength(t.track, t.chunks[i]);
    }
    metrics.networkBytes(now, t.cdn ? -1 : t.server.host, t.cdn, bytes);
    if (!t.cdn) {
      lastDataAt.put(pair(t.server.host, t.client.host), now);
    }
    t.sent = to;
    t.flowId = -1;
    boolean last = t.sent >= t.chunks.length;
    SimPeer client = t.client;
    int[] chunks = t.chunks;
    if (t.cdn) {
      deliverAfter(latency.oneWayNanos(cdnHost, client.host), client, EventCensus.CDN_CHUNKS, at -> {
        for (int i = from; i < to; i++) {
          client.core.cdnChunkArrived(t.id, chunks[i], at);
        }
        if (last) {
          client.core.cdnFetchDone(t.id, true, at);
        }
        client.advance(at);
      });
      if (last) {
        client.cdnReads.remove(t.id);
      }
    } else {
      SimPeer server = t.server;
      sendChunks(t, from, to, last);
      if (last) {
        server.serving.remove(Transfer.servingKey(client.host, t.id));
        long sentBytes = bytes;
        deliverAfter(0, server, EventCensus.UPLOAD_DONE, at -> server.core.uploadDone(client.id, t.id, sentBytes, at));
      }
    }
    if (!last) {
      startSegment(t, now);
    }
  }

  private void syncNetworkTimer() {
    long next = flows.nextCompletionNanos();
    if (next == FlowNetwork.NEVER || next >= networkEventAt) {
      return;
    }
    networkEventAt = Math.max(next, engine.now());
    networkEventId = engine.schedule(networkEventAt, EV_NETWORK, 0, 0);
  }

  // ---- the run ---------------------------------------------------------------------------------

  /** Runs to the scenario's end, then lets every playing peer account what it played. */
  void run(ProgressListener progress, long progressEveryEvents) {
    if (progress != null) {
      engine.onProgress(progressEveryEvents, progress);
    }
    long duration = scenario.duration().toNanos();
    // A run stopped early (a benchmark's wall bound) accounts up to where it got.
    long end = engine.run(duration, this) == Engine.StopReason.STOPPED ? engine.now() : duration;
    for (SimPeer p : online) {
      if (p != null) {
        p.advance(end);
      }
    }
  }
}
