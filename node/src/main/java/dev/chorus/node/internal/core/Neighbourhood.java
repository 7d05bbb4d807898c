package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.ConnectionPlan;
import dev.chorus.protocol.ReachabilityClass;
import dev.chorus.protocol.manifest.TrackId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The peers a node is connected to, dialling, recently failed to dial, or has banned.
 *
 * <p>Design. This holds the connection state and answers the questions the rest of the core asks
 * of it (who is connected, who holds what of a download, whom to dial, whom to evict); it takes
 * no decision that needs another part of the core, so eviction itself (which cancels requests and
 * reschedules) stays in {@link SwarmCore}. The maps are HashMaps iterated in their own order, as
 * before the split: the simulator's runs depend on that order, so the map types and the order of
 * insertions must not change. Dialling stops at the hard limit (counting dials in progress); a
 * failed dial is not retried for {@link #CONNECT_RETRY_NANOS}; a ban lasts {@link
 * SwarmConfig#banNanos()} and an expired one is forgotten when next looked at.
 */
final class Neighbourhood {
  private static final long CONNECT_RETRY_NANOS = 30_000_000_000L;

  private final SwarmConfig config;
  private final CommandGuard actions;
  private final UploadSlots uploads;

  /** The neighbours, iterated in this map's order (decisions and the simulator depend on it). */
  private final Map<NodeId, Neighbour> neighbours = new HashMap<>();
  /**
   * The same neighbours by id, for {@link #get} and {@link #contains}, asked on nearly every event:
   * open addressing with linear probing over {@code [key, value]} pairs, at most half full. A
   * lookup reads one slot of this array after this object, where the map reads the map, its table
   * and an entry: in the simulator, which runs a core per peer, each of those is a cache miss.
   * Keys are compared by identity first (a shell hands the same id object back), then by equals.
   */
  private Object[] byId = new Object[2 * 16];
  private int byIdMask = 15;
  private final TrackHolders trackHolders = new TrackHolders();
  /** Whether {@link Neighbour#rank} is stale: the map's membership changed since it was set. */
  private boolean ranksStale;
  /** Scratch for {@link #holdersInOrder}, reused: no allocation per question. */
  private Neighbour[] ordered = new Neighbour[16];
  private final Map<NodeId, Long> connecting = new HashMap<>();
  private final Map<NodeId, Long> connectFailedAt = new HashMap<>();
  /** Peers banned for bad data, and when (nowNanos) their ban ends: never dialled, never neighbours. */
  private final Map<NodeId, Long> bannedUntil = new HashMap<>();
  /** How peers reach this node, as far as the connection rule cares; none until the shell says. */
  private ReachabilityClass self = ReachabilityClass.REVERSAL_ONLY;

  Neighbourhood(SwarmConfig config, CommandGuard actions, UploadSlots uploads) {
    this.config = config;
    this.actions = actions;
    this.uploads = uploads;
  }

  /** Peers dial this node at {@code listenPort} (0: they cannot); else it may punch if {@code punchable}. */
  void listening(int listenPort, boolean punchable) {
    ReachabilityClass c = ConnectionPlan.holderClass(listenPort);
    self = c == ReachabilityClass.REVERSAL_ONLY && punchable ? ReachabilityClass.PUNCHABLE : c;
  }

  /**
   * How this node connects to {@code contact} (ConnectionPlan): dial it, have it dial us through
   * the tracker (its port is 0), or punch when neither side accepts connections. The tracker
   * returns a holder that needs traversal only to a node that can use it, so UNREACHABLE mainly
   * keeps an unreachable node from trying.
   */
  private ConnectionPlan plan(PeerContact contact) {
    return ConnectionPlan.of(self, ConnectionPlan.holderClass(contact.port(), self), ConnectionPlan.Traversal.ALL);
  }

  Neighbour get(NodeId id) {
    if (id == null) {
      return null;
    }
    Object[] t = byId;
    int mask = byIdMask;
    for (int i = slot(id, mask); ; i = (i + 1) & mask) {
      Object k = t[2 * i];
      if (k == id) {
        return (Neighbour) t[2 * i + 1];
      }
      if (k == null) {
        return null;
      }
      if (k.equals(id)) {
        return (Neighbour) t[2 * i + 1];
      }
    }
  }

  boolean contains(NodeId id) {
    return get(id) != null;
  }

  int size() {
    return neighbours.size();
  }

  boolean isEmpty() {
    return neighbours.isEmpty();
  }

  /** The connected neighbours, in the map's iteration order (a live view). */
  Collection<Neighbour> all() {
    return neighbours.values();
  }

  boolean atHardLimit() {
    return neighbours.size() >= config.neighbourHardLimit();
  }

  /**
   * A new neighbour, which holds what discovery said it holds of the downloads (a candidate's
   * holding, until it tells otherwise).
   */
  Neighbour admit(PeerContact contact, List<Download> downloads, long nowNanos) {
    NodeId id = contact.id();
    Neighbour n = new Neighbour(id, nowNanos, trackHolders);
    n.contact = contact;
    n.coordinate = contact.coordinate();
    for (Download d : downloads) {
      PeerHolding h = d.candidates.get(id);
      if (h != null) {
        n.setHolding(d.trackId, h.isComplete(), h.chunks());
      }
    }
    if (neighbours.put(id, n) != null) {
      removeById(id);
    }
    putById(id, n);
    ranksStale = true;
    return n;
  }

  /** A connection to the peer is up: any dial to it is over, and its failures are forgotten. */
  void dialSucceeded(NodeId id) {
    connecting.remove(id);
    connectFailedAt.remove(id);
  }

  /** A dial failed: the peer is not dialled again for {@link #CONNECT_RETRY_NANOS}. */
  void dialFailed(NodeId peer, long nowNanos) {
    connecting.remove(peer);
    connectFailedAt.put(peer, nowNanos);
  }

  /** Forgets a dial in progress (its outcome no longer matters). */
  void dialForgotten(NodeId peer) {
    connecting.remove(peer);
  }

  /** The peer is gone: returns its neighbour state, or null if it was not a neighbour. */
  Neighbour remove(NodeId peer) {
    connecting.remove(peer);
    Neighbour n = neighbours.remove(peer);
    if (n != null) {
      removeById(peer);
      n.unindex();
      ranksStale = true;
    }
    return n;
  }

  /**
   * False when no neighbour has said it holds anything of {@code track}, so that a question about
   * it needs no scan of every neighbour's holdings (true does not promise a holder).
   */
  boolean mayHold(TrackId track) {
    return trackHolders.any(track);
  }

  /**
   * The neighbours that may hold something of {@code track} (a superset of those that do, see
   * {@link TrackHolders}), in the order {@link #all()} iterates them, into a reused array read
   * with {@link #orderedHolder} until the next call. Decisions that walk the neighbours in order
   * (first answers, ties broken by the random generator) walk these instead and so stay the same,
   * at the cost of the holders rather than of every neighbour. Ranks are refreshed by one walk of
   * the map after its membership changed, which is rarer than the questions.
   */
  int holdersInOrder(TrackId track) {
    Neighbour[] holders = trackHolders.of(track);
    int k = holders.length;
    if (k > 1) {
      refreshRanks();
    }
    if (ordered.length < k) {
      ordered = new Neighbour[Math.max(k, 2 * ordered.length)];
    }
    for (int i = 0; i < k; i++) {
      // Insertion sort by rank: k is a handful.
      Neighbour n = holders[i];
      int j = i;
      while (j > 0 && ordered[j - 1].rank > n.rank) {
        ordered[j] = ordered[j - 1];
        j--;
      }
      ordered[j] = n;
    }
    return k;
  }

  /** The {@code i}th neighbour found by the last {@link #holdersInOrder}. */
  Neighbour orderedHolder(int i) {
    return ordered[i];
  }

  private static int slot(NodeId id, int mask) {
    return (id.hashCode() * 0x9E3779B9 >>> 16) & mask;
  }

  private void putById(NodeId id, Neighbour n) {
    if (2 * neighbours.size() > byIdMask + 1) { // called after the map took it
      Object[] old = byId;
      byId = new Object[4 * (byIdMask + 1)];
      byIdMask = 2 * byIdMask + 1;
      for (int i = 0; i < old.length; i += 2) {
        if (old[i] != null) {
          place((NodeId) old[i], old[i + 1]);
        }
      }
    }
    place(id, n);
  }

  private void place(NodeId id, Object n) {
    Object[] t = byId;
    int i = slot(id, byIdMask);
    while (t[2 * i] != null) {
      i = (i + 1) & byIdMask;
    }
    t[2 * i] = id;
    t[2 * i + 1] = n;
  }

  /** Removes with backward-shift deletion, so that no probe sequence is cut short. */
  private void removeById(NodeId id) {
    if (id == null) {
      return;
    }
    Object[] t = byId;
    int mask = byIdMask;
    int hole = slot(id, mask);
    while (!id.equals(t[2 * hole])) {
      if (t[2 * hole] == null) {
        return;
      }
      hole = (hole + 1) & mask;
    }
    for (int j = (hole + 1) & mask; t[2 * j] != null; j = (j + 1) & mask) {
      int home = slot((NodeId) t[2 * j], mask);
      // Move the entry at j into the hole if its home is not in the cyclic range (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        t[2 * hole] = t[2 * j];
        t[2 * hole + 1] = t[2 * j + 1];
        hole = j;
      }
    }
    t[2 * hole] = null;
    t[2 * hole + 1] = null;
  }

  private void refreshRanks() {
    if (!ranksStale) {
      return;
    }
    int rank = 0;
    for (Neighbour n : neighbours.values()) {
      n.rank = rank++;
    }
    ranksStale = false;
  }

  void ban(NodeId peer, long nowNanos) {
    bannedUntil.put(peer, nowNanos + config.banNanos());
  }

  /** Whether {@code peer} is banned at {@code nowNanos} (an expired ban is forgotten). */
  boolean isBanned(NodeId peer, long nowNanos) {
    Long until = bannedUntil.get(peer);
    if (until == null) {
      return false;
    }
    if (nowNanos - until >= 0) {
      bannedUntil.remove(peer);
      return false;
    }
    return true;
  }

  void expireBans(long nowNanos) {
    bannedUntil.values().removeIf(until -> nowNanos - until >= 0);
  }

  /** Dials candidates of the download until enough holders are connected or dialling. */
  void connectToCandidates(Download d, long nowNanos) {
    int wanted = config.connectsPerTrack() - connectedHolders(d);
    if (wanted <= 0) {
      return;
    }
    for (PeerHolding h : d.candidates.values()) {
      if (wanted <= 0 || neighbours.size() + connecting.size() >= config.neighbourHardLimit()) {
        return;
      }
      NodeId id = h.contact().id();
      Long failed = connectFailedAt.get(id);
      if (neighbours.containsKey(id) || connecting.containsKey(id) || isBanned(id, nowNanos)
          || (failed != null && nowNanos - failed < CONNECT_RETRY_NANOS)) {
        continue;
      }
      ConnectionPlan plan = plan(h.contact());
      if (!plan.connects()) {
        continue;
      }
      connecting.put(id, nowNanos);
      if (plan == ConnectionPlan.PUNCH) {
        actions.punch(h.contact());
      } else {
        actions.connect(h.contact());
      }
      wanted--;
    }
  }

  /** Connected neighbours holding a chunk of the download that this node does not hold yet. */
  int connectedHolders(Download d) {
    return connectedHolders(d, Integer.MAX_VALUE);
  }

  /**
   * Whether a connected neighbour holds a chunk of the download that this node does not hold yet:
   * {@link #connectedHolders} stopped at the first one, for the questions asked after every event.
   */
  boolean hasConnectedHolder(Download d) {
    return connectedHolders(d, 1) > 0;
  }

  private int connectedHolders(Download d, int enough) {
    int count = 0;
    int chunkCount = d.layout == null ? Integer.MAX_VALUE : d.layout.chunkCount();
    int firstMissing = d.held.nextClearBit(0);
    for (Neighbour n : trackHolders.of(d.trackId)) {
      if (n.holdsSomeOf(d.trackId, d.held, chunkCount, firstMissing) && ++count >= enough) {
        break;
      }
    }
    return count;
  }

  /** Whether a neighbour at least {@link SwarmConfig#fastPeerBytesPerSecond()} fast holds the playhead chunk. */
  boolean hasFastPeer(Download d) {
    int chunk = d.playheadChunk();
    for (Neighbour n : trackHolders.of(d.trackId)) {
      if (n.measuredBytesPerSecond >= config.fastPeerBytesPerSecond() && n.holds(d.trackId, chunk)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The neighbour to evict next: the least useful one other than {@code keep} that has no request
   * outstanding either way; null if there is none.
   */
  Neighbour leastUseful(NodeId keep, long nowNanos) {
    Neighbour victim = null;
    double least = Double.MAX_VALUE;
    for (Neighbour n : neighbours.values()) {
      if (n.id.equals(keep) || n.outstandingRequests > 0 || uploads.isServing(n.id)) {
        continue;
      }
      double u = n.usefulness(nowNanos, config.usefulnessHalfLifeNanos());
      if (u < least) {
        least = u;
        victim = n;
      }
    }
    return victim;
  }
}
