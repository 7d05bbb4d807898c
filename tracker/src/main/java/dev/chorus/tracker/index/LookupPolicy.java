package dev.chorus.tracker.index;

import dev.chorus.protocol.ConnectionPlan;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.ReachabilityClass;
import java.util.ArrayList;
import dev.chorus.protocol.VivaldiCoordinate;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * How the tracker answers a lookup and whom it indexes: the one place that decides it, called by
 * the tracker's session handler and by the simulator, so that a simulated tracker answers exactly
 * as a real one. Pure and immutable: no clock, no I/O; randomness comes from the caller.
 *
 * <p>A lookup goes candidates (from the {@link PeerIndex}) → limits (how many peers: the
 * request's {@code max_peers}, 0 meaning the tracker's default, never above the tracker's maximum)
 * → ranking ({@link NearestPeerRanker}: what they hold, locality, predicted RTT in buckets,
 * chance). Who is indexed and who may be returned to whom follows the traversal rule ({@link
 * ConnectionPlan}): a node that accepts connections is indexed with its port; a node that only
 * connection reversal reaches is indexed with port 0 and returned only to askers that can reverse
 * (or punch) to it; a node outside traversal that accepts nothing is not indexed.
 */
public final class LookupPolicy {
  /** Peers a lookup gets when it does not say how many. */
  public static final int DEFAULT_PEERS = NearestPeerRanker.DEFAULT_MAX_PEERS;
  /** The most peers a lookup may ask for. */
  public static final int MAX_PEERS = 50;
  /** Upper bound of {@link #maxPeers()} a configuration may set. */
  public static final int MAX_PEERS_LIMIT = 1000;

  private static final LookupPolicy DEFAULTS =
      new LookupPolicy(DEFAULT_PEERS, MAX_PEERS, NearestPeerRanker.create());

  private final int defaultPeers;
  private final int maxPeers;
  private final NearestPeerRanker ranker;

  private LookupPolicy(int defaultPeers, int maxPeers, NearestPeerRanker ranker) {
    this.defaultPeers = defaultPeers;
    this.maxPeers = maxPeers;
    this.ranker = ranker;
  }

  /** 10 peers by default, at most 50, 5 ms RTT buckets: what a tracker runs with unless told. */
  public static LookupPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * A policy.
   *
   * @param defaultPeers peers returned to a lookup with {@code max_peers} 0; 1..maxPeers
   * @param maxPeers the most peers any lookup gets; 1..{@value #MAX_PEERS_LIMIT}
   * @param rttBucketMillis predicted RTTs within one bucket this wide rank as equal
   * @throws IllegalArgumentException if a value is out of range
   */
  public static LookupPolicy of(int defaultPeers, int maxPeers, double rttBucketMillis) {
    if (maxPeers < 1 || maxPeers > MAX_PEERS_LIMIT) {
      throw new IllegalArgumentException("maxPeers must be 1.." + MAX_PEERS_LIMIT + ", was " + maxPeers);
    }
    if (defaultPeers < 1 || defaultPeers > maxPeers) {
      throw new IllegalArgumentException("defaultPeers must be 1..maxPeers (" + maxPeers + "), was "
          + defaultPeers);
    }
    return new LookupPolicy(defaultPeers, maxPeers, NearestPeerRanker.create(rttBucketMillis));
  }

  public int defaultPeers() {
    return defaultPeers;
  }

  public int maxPeers() {
    return maxPeers;
  }

  public NearestPeerRanker ranker() {
    return ranker;
  }

  /**
   * How many peers a lookup that asked for {@code requested} gets: the default for 0, else at
   * most the maximum. {@code requested} is the wire's {@code uint32}, so a negative int is a
   * large unsigned number (it gets the maximum).
   */
  public int peersFor(int requested) {
    return requested == 0 ? defaultPeers : (int) Math.min(Integer.toUnsignedLong(requested), maxPeers);
  }

  /** Whether a node that announced {@code listenPort} goes into the index. */
  public boolean indexes(int listenPort) {
    return Reachability.acceptsIncoming(listenPort);
  }

  /**
   * A connected node's class as the tracker sees it.
   *
   * @param listenPort its {@code Hello} listen port
   * @param dialable false when the tracker's dial-back failed; true when it worked, is still
   *     running, or was not made (the port is trusted)
   * @param traversal whether the node takes part in traversal (its {@code Hello} lists {@link
   *     Reachability#TRAVERSAL_CAPABILITY}) and the tracker relays reversals
   */
  public ReachabilityClass classOf(int listenPort, boolean dialable, boolean traversal) {
    return classOf(listenPort, dialable, traversal, false);
  }

  /**
   * As above, for a node that may also punch: its {@code Hello} lists {@link
   * Reachability#PUNCH_CAPABILITY} and the tracker coordinates punches. An unreachable node that
   * punches and listens on a port (it dials from that port) is {@link ReachabilityClass#PUNCHABLE}:
   * whether its NAT keeps the port and lets a simultaneous open through shows only when it tries.
   */
  public ReachabilityClass classOf(int listenPort, boolean dialable, boolean traversal, boolean punching) {
    if (Reachability.acceptsIncoming(listenPort) && dialable) {
      return ReachabilityClass.PUBLIC;
    }
    if (!traversal) {
      return ReachabilityClass.NONE;
    }
    return punching && Reachability.acceptsIncoming(listenPort) ? ReachabilityClass.PUNCHABLE : ReachabilityClass.REVERSAL_ONLY;
  }

  /** Whether a node of class {@code node} goes into the index: when some asker could reach it. */
  public boolean indexes(ReachabilityClass node) {
    return node != ReachabilityClass.NONE;
  }

  /** The port a node of class {@code node} is indexed with: 0 for one that only reversal reaches. */
  public int indexedPort(ReachabilityClass node, int listenPort) {
    return node.acceptsIncoming() ? listenPort : Reachability.NO_INCOMING;
  }

  /** Whether {@code peer} goes into the index. */
  public boolean indexes(PeerInfo peer) {
    return indexes(peer.port());
  }

  /**
   * Whether a wanted-chunks bitmap of {@code bytes} bytes is acceptable: no longer than a bitmap
   * of the largest track.
   */
  public static boolean wantedFits(int bytes) {
    return bytes <= (Holding.MAX_CHUNKS + 7) / 8;
  }

  /**
   * The answer to a lookup: the best {@link #peersFor(int) peersFor(requested)} of {@code
   * candidates} for the asker, best first; the asker itself is never in it.
   *
   * @param asker the asking node
   * @param askerPrefix its network prefix; null if unknown
   * @param askerRegion its region tag; null or "" for none
   * @param askerCoordinate its Vivaldi coordinate; null if unknown
   * @param candidates what the index returned for the track; not modified
   * @param wanted the chunks the asker wants (LSB-first bitmap); null for the whole track
   * @param requested the lookup's {@code max_peers}; 0 for the default
   * @param random breaks ties
   * @return a new list
   */
  public List<Candidate> answer(NodeId asker, NetworkPrefix askerPrefix, String askerRegion,
      VivaldiCoordinate askerCoordinate, List<Candidate> candidates, byte[] wanted, int requested,
      RandomGenerator random) {
    return answer(asker, ReachabilityClass.NONE, ConnectionPlan.Traversal.NONE, askerPrefix, askerRegion,
        askerCoordinate, candidates, wanted, requested, random);
  }

  /**
   * As above for an asker of class {@code askerClass} that may use {@code traversal}: holders it
   * cannot connect to ({@link ConnectionPlan#UNREACHABLE}) are left out before the ranking.
   */
  public List<Candidate> answer(NodeId asker, ReachabilityClass askerClass, ConnectionPlan.Traversal traversal,
      NetworkPrefix askerPrefix, String askerRegion, VivaldiCoordinate askerCoordinate,
      List<Candidate> candidates, byte[] wanted, int requested, RandomGenerator random) {
    return answer(asker, askerClass, traversal, p -> false, askerPrefix, askerRegion, askerCoordinate, candidates,
        wanted, requested, random);
  }

  /**
   * As above, knowing which holders indexed with port 0 are {@link ReachabilityClass#PUNCHABLE}
   * ({@code punchable}; asked only of those): an unreachable asker that punches gets them (plan
   * {@link ConnectionPlan#PUNCH}) only when both sides punch.
   */
  public List<Candidate> answer(NodeId asker, ReachabilityClass askerClass, ConnectionPlan.Traversal traversal,
      Predicate<PeerInfo> punchable, NetworkPrefix askerPrefix, String askerRegion,
      VivaldiCoordinate askerCoordinate, List<Candidate> candidates, byte[] wanted, int requested,
      RandomGenerator random) {
    Objects.requireNonNull(asker, "asker");
    return ranker.rank(asker, askerPrefix, askerRegion, askerCoordinate,
        usable(askerClass, traversal, askerClass == ReachabilityClass.PUNCHABLE ? punchable : p -> false, candidates),
        wanted, peersFor(requested), random);
  }

  /** The class of a holder as the index shows it: its port, and for port 0 whether it punches. */
  private static ReachabilityClass holderClass(PeerInfo holder, Predicate<PeerInfo> punchable) {
    ReachabilityClass c = ConnectionPlan.holderClass(holder.port());
    return c == ReachabilityClass.REVERSAL_ONLY && punchable.test(holder) ? ReachabilityClass.PUNCHABLE : c;
  }

  /**
   * {@link #answer(NodeId, ReachabilityClass, ConnectionPlan.Traversal, NetworkPrefix, String,
   * VivaldiCoordinate, List, byte[], int, RandomGenerator) answer} without an object per
   * candidate (the tracker's lookup path): the holders the asker cannot connect to are removed
   * from {@code candidates} in place, and the positions of the answer in what remains, best first,
   * go to {@code order}; returns how many. The same answer as the list form for the same draws.
   *
   * @param order at least {@link #peersFor(int) peersFor(requested)} long
   */
  public int answer(NodeId asker, ReachabilityClass askerClass, ConnectionPlan.Traversal traversal,
      NetworkPrefix askerPrefix, String askerRegion, VivaldiCoordinate askerCoordinate,
      CandidateList candidates, byte[] wanted, int requested, RandomGenerator random, int[] order) {
    return answer(asker, askerClass, traversal, p -> false, askerPrefix, askerRegion, askerCoordinate, candidates,
        wanted, requested, random, order);
  }

  /** As above, knowing which port-0 holders are punchable (see the list form with {@code punchable}). */
  public int answer(NodeId asker, ReachabilityClass askerClass, ConnectionPlan.Traversal traversal,
      Predicate<PeerInfo> punchable, NetworkPrefix askerPrefix, String askerRegion,
      VivaldiCoordinate askerCoordinate, CandidateList candidates, byte[] wanted, int requested,
      RandomGenerator random, int[] order) {
    Objects.requireNonNull(asker, "asker");
    keepUsable(askerClass, traversal, askerClass == ReachabilityClass.PUNCHABLE ? punchable : null, candidates);
    return ranker.rank(asker, askerPrefix, askerRegion, askerCoordinate, candidates, wanted, peersFor(requested),
        random, order);
  }

  /** {@code punchable} null: no holder counts as punchable (and none is made a PeerInfo to ask). */
  private static void keepUsable(ReachabilityClass askerClass, ConnectionPlan.Traversal traversal,
      Predicate<PeerInfo> punchable, CandidateList candidates) {
    int kept = 0;
    for (int i = 0; i < candidates.size(); i++) {
      if (usable(askerClass, traversal, candidates, i, punchable)) {
        candidates.moveTo(i, kept++);
      }
    }
    candidates.truncate(kept);
  }

  /** {@link #usable(ReachabilityClass, ConnectionPlan.Traversal, PeerInfo, Predicate)} of candidate {@code i}, reading its port in place. */
  private static boolean usable(ReachabilityClass askerClass, ConnectionPlan.Traversal traversal,
      CandidateList candidates, int i, Predicate<PeerInfo> punchable) {
    ReachabilityClass c = ConnectionPlan.holderClass(candidates.port(i));
    if (c == ReachabilityClass.REVERSAL_ONLY && punchable != null && punchable.test(candidates.peer(i))) {
      c = ReachabilityClass.PUNCHABLE;
    }
    return ConnectionPlan.of(askerClass, c, traversal).connects();
  }

  private static boolean usable(ReachabilityClass askerClass, ConnectionPlan.Traversal traversal, PeerInfo holder,
      Predicate<PeerInfo> punchable) {
    return ConnectionPlan.of(askerClass, holderClass(holder, punchable), traversal).connects();
  }

  /** {@code candidates} without those {@code askerClass} cannot connect to; the same list if none. */
  private static List<Candidate> usable(ReachabilityClass askerClass, ConnectionPlan.Traversal traversal,
      Predicate<PeerInfo> punchable, List<Candidate> candidates) {
    List<Candidate> kept = null;
    for (int i = 0; i < candidates.size(); i++) {
      Candidate c = candidates.get(i);
      boolean usable = usable(askerClass, traversal, c.peer(), punchable);
      if (!usable && kept == null) {
        kept = new ArrayList<>(candidates.subList(0, i));
      } else if (usable && kept != null) {
        kept.add(c);
      }
    }
    return kept == null ? candidates : kept;
  }

  @Override
  public String toString() {
    return "LookupPolicy[defaultPeers=" + defaultPeers + ", maxPeers=" + maxPeers + ", "
        + ranker.rttBucketMillis() + " ms RTT buckets]";
  }
}
