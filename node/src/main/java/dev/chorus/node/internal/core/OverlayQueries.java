package dev.chorus.node.internal.core;

import dev.chorus.node.SwarmConfig;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The overlay side of discovery: asking neighbours who holds a track, answering and forwarding
 * their questions, and routing answers back the way the question came ({@link OverlayRouter}).
 *
 * <p>Design. A query floods at most {@link SwarmConfig#overlayHopLimit()} hops; each node answers
 * with the neighbours it knows to hold the track (and itself, if it holds some and can be dialled,
 * see {@link Reachability}), at most {@link SwarmConfig#overlayMaxAnswers()} of them. An answer to
 * this node's own query goes back to {@link SwarmCore#peersFound}, like a tracker answer, which is
 * why {@link #answered} returns the route rather than acting on it. Query ids are drawn from the
 * core's random generator, in the same order as before the split (the simulator relies on it).
 */
final class OverlayQueries {
  private final SwarmConfig config;
  private final CommandGuard actions;
  private final HeldChunks cache;
  private final RandomGenerator random;
  private final Neighbourhood neighbours;
  private final OverlayRouter overlay = new OverlayRouter(4096);
  /** Whether other nodes can dial this one; until the shell says so, assume not. */
  private boolean acceptsIncoming;

  OverlayQueries(SwarmConfig config, CommandGuard actions, HeldChunks cache, RandomGenerator random,
      Neighbourhood neighbours) {
    this.config = config;
    this.actions = actions;
    this.cache = cache;
    this.random = random;
    this.neighbours = neighbours;
  }

  /** The shell's listen port ({@code 0}: none): whether this node may name itself in answers. */
  void listening(int listenPort) {
    acceptsIncoming = Reachability.acceptsIncoming(listenPort);
  }

  /**
   * Asks a new neighbour what it holds of the tracks being fetched (a one-hop overlay query): what
   * the tracker said about it may be stale, e.g. a partial holding that has since completed.
   */
  void askAbout(Neighbour n, List<Download> downloads, long nowNanos) {
    if (config.overlayHopLimit() == 0) {
      return;
    }
    for (Download d : downloads) {
      if (!d.isComplete()) {
        long queryId = random.nextLong();
        overlay.firstSight(queryId, null, d.trackId, nowNanos);
        actions.sendQuery(n.id, queryId, d.trackId, 1);
      }
    }
  }

  /** Asks every neighbour who holds the download's track, to the full hop limit. */
  void flood(Download d, long nowNanos) {
    if (config.overlayHopLimit() > 0 && !neighbours.isEmpty()) {
      long queryId = random.nextLong();
      overlay.firstSight(queryId, null, d.trackId, nowNanos);
      for (Neighbour n : neighbours.all()) {
        actions.sendQuery(n.id, queryId, d.trackId, config.overlayHopLimit());
      }
    }
  }

  /** A neighbour asks who holds a track: answer with what we know, and forward it. */
  void received(NodeId from, long queryId, TrackId trackId, int hopsLeft, long nowNanos) {
    if (!neighbours.contains(from) || !overlay.firstSight(queryId, from, trackId, nowNanos)) {
      return;
    }
    // Naming ourselves helps only if the asker can dial us (Reachability).
    boolean self = acceptsIncoming && cache.holdsAny(trackId);
    List<PeerHolding> holders = neighbours.mayHold(trackId) ? knownHolders(from, trackId, self) : List.of();
    if (self || !holders.isEmpty()) {
      actions.answerQuery(from, queryId, trackId, self, holders);
    }
    int forwardHops = Math.min(hopsLeft, config.overlayHopLimit()) - 1;
    if (forwardHops > 0) {
      for (Neighbour n : neighbours.all()) {
        if (!n.id.equals(from)) {
          actions.sendQuery(n.id, queryId, trackId, forwardHops);
        }
      }
    }
  }

  /** The neighbours (other than the asker) known to hold some of the track and dialable, up to the answer limit. */
  private List<PeerHolding> knownHolders(NodeId from, TrackId trackId, boolean self) {
    List<PeerHolding> holders = null; // allocated for the first answer: most questions find none
    int limit = config.overlayMaxAnswers() - (self ? 1 : 0);
    // The track's holders in the neighbours' order: the same first answers as walking them all.
    for (int i = 0, k = neighbours.holdersInOrder(trackId); i < k; i++) {
      Neighbour n = neighbours.orderedHolder(i);
      if ((holders == null ? 0 : holders.size()) >= limit) {
        break;
      }
      if (!n.id.equals(from) && n.contact != null && Reachability.acceptsIncoming(n.contact.port())) {
        PeerHolding h = n.holding(trackId);
        if (h != null) {
          if (holders == null) {
            holders = new ArrayList<>();
          }
          holders.add(h);
        }
      }
    }
    return holders == null ? List.of() : holders;
  }


  /**
   * A neighbour answered a query. One we forwarded goes back the same way (trimmed to the answer
   * limit) and null is returned; for our own query the track is returned, for the caller to treat
   * the holders as found.
   */
  TrackId answered(long queryId, List<PeerHolding> holders, long nowNanos) {
    int route = overlay.find(queryId, nowNanos);
    if (route < 0 || holders.isEmpty()) {
      return null;
    }
    NodeId from = overlay.from(route);
    TrackId trackId = overlay.trackId(route);
    if (from != null) {
      if (neighbours.contains(from)) {
        List<PeerHolding> forwarded = holders.size() <= config.overlayMaxAnswers() ? holders
            : List.copyOf(holders.subList(0, config.overlayMaxAnswers()));
        actions.answerQuery(from, queryId, trackId, false, forwarded);
      }
      return null;
    }
    return trackId;
  }
}
