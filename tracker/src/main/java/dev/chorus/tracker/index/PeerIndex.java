package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Which peers hold which tracks. Every tracker instance talks to one; the in-memory index serves
 * one instance, the Redis index lets several instances serve one swarm. Both pass {@code
 * PeerIndexContract}.
 *
 * <p>Semantics every implementation keeps:
 *
 * <ul>
 *   <li>Per track, at most {@code keepPerTrack} entries (default 20): announcing a track that is
 *       full evicts the entry announced longest ago.
 *   <li>An entry expires {@code ttl} after its last announce; expired entries are never returned,
 *       and {@link #expire} removes them.
 *   <li>{@code announce(full=true)} replaces everything the peer held; {@code full=false} adds or
 *       replaces only the listed tracks (a delta). Either way the peer's info (address, coordinate,
 *       region) is updated for all its entries.
 *   <li>{@link #removePeer} (connection closed) removes all the peer's entries at once.
 *   <li>A peer is known only while it has at least one entry: when its last entry is withdrawn,
 *       evicted or expired it is forgotten ({@link IndexStats#peers} no longer counts it); its
 *       next announce brings its info again.
 *   <li>Entries of a track are ordered by announce time; entries announced at the same time may
 *       come in either order. Listing the same track twice in one announce or withdraw counts
 *       once (the last holding listed wins).
 *   <li>The chunk count of a complete holding is a property of the track: an implementation may
 *       return the track's most recently announced non-zero chunk count for every complete
 *       holding of it. Partial holdings come back exactly as announced.
 *   <li>Bounds ({@link PeerIndexConfig}): a holding that would give its peer an entry it does not
 *       have yet is refused when the peer holds {@code maxHoldingsPerPeer} entries, or the peers
 *       of its quota prefix hold {@code maxHoldingsPerPrefix} together. Re-announcing a track the
 *       peer already holds is never refused by these caps (it refreshes, and so cannot grow the
 *       count). Refused holdings are left out and counted in the {@link AnnounceResult}; the rest
 *       of the announce applies. Implementations may apply further bounds (partial bitmap bytes
 *       per peer, a memory budget) and say which in their javadoc.
 * </ul>
 *
 * <p>Time is passed in as epoch milliseconds of the caller's clock (never negative);
 * implementations never read a clock. They may keep announce times at one-second resolution,
 * rounded down: then {@link Candidate#lastSeenMillis} is a whole second and an entry may expire up
 * to a second early. Operations are asynchronous so that a networked backend need not block an
 * event loop; the in-memory index completes them before returning. Invalid arguments fail the
 * returned stage. Implementations are thread-safe.
 */
public interface PeerIndex extends AutoCloseable {
  /**
   * Records what {@code peer} holds, as of {@code nowMillis}, within the bounds; the stage gives
   * what was refused.
   */
  CompletionStage<AnnounceResult> announceChecked(PeerInfo peer, boolean full, List<Holding> holdings, long nowMillis);

  /** {@link #announceChecked}, for callers that do not report refusals. */
  default CompletionStage<Void> announce(PeerInfo peer, boolean full, List<Holding> holdings, long nowMillis) {
    return announceChecked(peer, full, holdings, nowMillis).thenApply(r -> null);
  }

  /** {@code peer} no longer holds {@code tracks}. */
  CompletionStage<Void> withdraw(NodeId peer, List<TrackId> tracks);

  /** Forgets {@code peer} and all its entries (its connection closed). */
  CompletionStage<Void> removePeer(NodeId peer);

  /**
   * The unexpired entries for {@code track}, most recently announced first, at most {@code
   * keepPerTrack} of them. Ranking is the caller's job ({@code NearestPeerRanker}).
   */
  CompletionStage<List<Candidate>> candidates(TrackId track, long nowMillis);

  /**
   * {@link #candidates}, answered at once into {@code into} (appended) if this index can do so
   * without waiting: returns false, and leaves {@code into} alone, if the caller must use {@link
   * #candidates} instead. The in-memory index answers this way, so that a lookup makes no object
   * per candidate; a networked index does not.
   */
  default boolean candidatesNow(TrackId track, long nowMillis, CandidateList into) {
    return false;
  }

  /** Removes entries whose last announce is older than the TTL; returns how many went. */
  CompletionStage<Long> expire(long nowMillis);

  /** Current sizes. */
  CompletionStage<IndexStats> stats();

  /** Releases resources (connections); the index is unusable afterwards. */
  @Override
  void close();
}
