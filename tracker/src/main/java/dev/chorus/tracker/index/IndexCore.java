package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * The in-memory peer index: single-threaded, pure (no I/O, no clock, no threads), with no object
 * per (track, peer) entry. {@link InMemoryPeerIndex} wraps it with a lock.
 */
final class IndexCore {
  /*
   * Design
   * ======
   *
   * The index answers one hot question, "which peers hold track T", about 200,000 times a second,
   * over about 20 million (track, peer) entries. Memory per entry must stay at or under 64 bytes,
   * which rules out an object per entry (a HashMap node alone is 32 bytes, a small record another
   * 24, plus the boxed keys). So entries live in primitive arrays, peers in one byte slab, and
   * objects exist only per partial holding (its bitmap) and per distinct region tag.
   *
   * Tracks. A track gets a dense, stable slot number. Per slot: its 32-byte id as four longs in
   * trackKeys[4*slot..4*slot+3]; its entries in one int[] trackEntries[slot] of interleaved pairs
   * (peerSlot | PARTIAL flag, announce time in unsigned epoch seconds), oldest first and sorted by
   * time, at most keepPerTrack pairs; the pair count; the oldest time (a copy of entries[1], so
   * that the expiry sweep reads one sequential int[] instead of dereferencing every track); the
   * track's chunk count; and the hash of its id. An open-addressing table (linear probing, load
   * at most 1/2, int slot+1 per cell, deletion by backward shift so there are no tombstones) maps
   * ids to slots. A slot whose last entry goes is freed and reused.
   *
   * Peers. Likewise a dense, stable slot per peer with at least one entry: its record in the
   * PeerSlab (the serialized TrackerPeer fields a reply copies, with a small header of what
   * ranking reads, at a fixed stride per slot: no PeerInfo object, no byte[] header per peer; see
   * PeerLayout), the count of pairs naming the slot, the hash of its NodeId and its quota prefix
   * counter's slot, plus a second open-addressing table. A peer whose last entry goes is freed
   * (its next announce brings its PeerInfo again), so the peer table holds no idle peers. Lookups
   * copy a candidate's slab bytes into the caller's CandidateList under the lock, since the slot
   * may be reused as soon as the lock is released. Free slots (tracks and peers) are kept on a
   * list threaded through the hash array, which a free slot does not otherwise use, and reused
   * most recently freed first.
   *
   * Departures. There is no list of a peer's tracks (an int per entry plus a header per peer,
   * about 6.4 bytes per entry, was the largest thing after the pairs and the slab), so when a
   * peer goes (removePeer) its pairs cannot be found at once. Instead its slot departs: out of the
   * peer table, its quota prefix and the slab (so its region reads null), marked DEPARTED in
   * peerPrefixSlot, and the pairs naming it become stale. Lookups skip a pair whose slot has no
   * region, which they read anyway to copy it, so a departed peer is never returned and the
   * lookup path pays nothing more. Stale pairs are dropped by the expiry sweep (every track is
   * scanned while any exist) and by an announce into a full track before it evicts anyone; a
   * departed slot is freed, and only then reused, when the last pair naming it is dropped (the
   * per-slot count), so a stale pair can never be taken for a new peer's. A full announce that
   * leaves out a track the peer holds does the same: the old slot departs and the peer goes on
   * in a fresh one, taking the pairs of the tracks it listed along (those are found through the
   * listed tracks); when it lists everything it holds (the usual re-announce) it keeps its slot.
   * The price: stats() counts peers and entries exactly (stale pairs are counted apart), but its
   * track count includes, until the sweep, tracks that only departed peers were in; and stale
   * pairs stay in the accounted bytes until dropped. So that a budget filled by peers that left
   * does not refuse newcomers until the next sweep (the tracker's --expire-interval, 1 minute by
   * default), an announce the budget would refuse while stale pairs exist first drops those of
   * the next 2,048 track slots (stepStaleSweep: once per announce, a cursor that wraps).
   *
   * Partial holdings. The flag bit on the peer slot in an entry says "partial"; the Holding itself
   * (bitmap and chunk count, exactly as announced) sits in a side map keyed by (track slot, peer
   * slot). Complete entries, the common case, cost nothing there; candidates() builds one shared
   * Holding.complete per lookup.
   *
   * Time. Entries keep unsigned epoch seconds in an int (good until 2106): four bytes instead of
   * eight, and no base to rebase. So lastSeenMillis comes back rounded down to a whole second and
   * an entry may expire up to a second early, which the PeerIndex contract allows. Keeping the
   * pairs sorted by time (an insertion usually appends; a re-announce moves the pair to the end)
   * makes "most recent first" a reverse walk, "evict the oldest" index 0, and expiry a prefix: a
   * lookup stops at the first expired pair, and the sweep drops a prefix per track.
   *
   * Costs (n = keepPerTrack): lookup O(n) plus one Candidate per result; announce of one track
   * O(n), plus O(n) to drop stale pairs when the track is full and stale pairs exist; withdraw of
   * k tracks O(k * n); removePeer O(1); a full announce of k tracks O(k * n + k log k); the expiry
   * sweep O(tracks) while no pair is stale (one sequential int[] per batch, trackOldest), else
   * O(tracks + entries).
   *
   * Memory, 100k tracks x 20 complete entries and 10 entries per peer: 32.3 bytes per entry for
   * everything but partial holdings (the tracks' pair arrays, the slab, 120 bytes per peer slot,
   * the dense per-slot arrays and the two tables; see retainedBytesEstimate); 37.4 with the
   * reverse lists. Before the slab, the arrays alone came to 26.7 and each peer added a PeerInfo
   * and its record, about 200 bytes, i.e. 20 per entry at 10 entries per peer.
   *
   * Bounds. Everything above is chosen by announcers, whose keys cost nothing, so the index
   * caps what they can make it hold (PeerIndexConfig): entries per peer (peerTrackCount), entries
   * per quota prefix (a counter shared by the peers of one /32 or /64, reached from each peer slot
   * in O(1), so the expiry sweep pays no lookup), bitmap bytes per peer, and a budget for the
   * whole index in accounted bytes. The accounting is kept incrementally from the index's own
   * counts (live tracks, pairs, stale ones included, partial holdings and their bitmap bytes,
   * and the most peer slots ever used) times per-unit costs that are upper bounds of the layout
   * described above, including the slack of arrays that grow by half and tables kept at most half
   * full, plus the slab's layouts longer than the stride and its regions, exactly; no heap
   * reading, so it is deterministic and costs O(1) per change. Peer slots are counted up to
   * their high-water mark because a free slot keeps its stride and cells (the slab and the
   * per-slot arrays never shrink): so a new peer costs nothing more when it takes a free slot, and
   * is refused outright when it would need a new slot past the budget. A peer slot is 270
   * accounted bytes (PEER_SLOT_BYTES: what its layout costs at worst; a live IPv4 peer with its
   * own /32 costs about 200 in practice, against the 640 per live peer accounted before, when
   * free slots were not counted). IndexBoundsTest checks the account against
   * retainedBytesEstimate, and the tracker's attacker test against the heap.
   *
   * When a bound is reached the index refuses the holding that would cross it, and never evicts
   * to make room. Eviction by least-recent announce was the alternative and is worse here: an
   * attacker re-announces at the rate limit and so is always the most recent, while well-behaved
   * nodes announce on connect and then rarely, so recency would evict exactly the nodes worth
   * keeping. Refusal keeps what is there; what an attacker did get in is bounded by the per-key
   * and per-prefix caps, goes when its connection closes (removePeer) or its TTL passes, and a
   * refreshed entry (a track the peer already holds) is never refused by the count caps, so a
   * node that got in stays in. The cost: while the index is full, new holdings of everyone are
   * refused, which the tracker reports (a metric and an Error on the wire); the budget is sized
   * so that only a flood across many prefixes can fill it.
   *
   * Hash flooding: ids are chosen by peers, so the table hashes mix all 32 bytes with a seed that
   * the public wrapper draws from SecureRandom; colliding ids cannot be prepared offline.
   */

  /** Flag on the peer slot of an entry: the holding is partial (see {@link PartialMap}). */
  static final int PARTIAL = 0x8000_0000;
  static final int SLOT_MASK = 0x7fff_ffff;
  static final long MAX_SECONDS = 0xffff_ffffL;
  private static final int V6_PREFIX = 0x4000_0000;
  private static final int NO_PREFIX = -1;

  /** {@link #peerPrefixSlot} of a departed peer's slot that pairs still name (see "Departures"). */
  private static final int DEPARTED = -2;

  private static final int INITIAL_SLOTS = 16;
  /** Track slots {@link #stepStaleSweep} covers per call (InMemoryPeerIndex.STALE_BATCH_SLOTS). */
  private static final int STALE_STEP_SLOTS = 2_048;

  // Accounted bytes per unit: upper bounds of the layout above (see the Bounds paragraph).
  /** A live track: its id, slot arrays (with growth slack), table cells and first pair array. */
  static final long TRACK_BYTES = 128;
  /** An entry: its pair (with slack up to double). */
  static final long ENTRY_BYTES = 24;
  /**
   * A peer slot, counted up to the most slots ever used (free ones keep their bytes): its slab
   * stride (120), its cells in the per-slot arrays (24, and the slab's region reference 4, with
   * growth slack up to half: 42), up to 4 peer table cells (16), and a quota prefix counter in
   * each of the IPv4 and IPv6 counters (each 20 bytes of arrays with slack up to half, and up to
   * 4 table cells: 46 twice). A layout longer than the stride and a region only this peer uses
   * are counted besides, exactly ({@link PeerSlab#extraBytes}).
   */
  static final long PEER_SLOT_BYTES = 120 + 42 + 16 + 2 * 46;
  /** A partial holding besides its bitmap: the Holding, its TrackId, the bitmap header, map cells. */
  static final long PARTIAL_BYTES = 160;

  private final int keep;
  private final long ttlMillis;
  private final long seed;
  private final int maxPerPeer;
  private final int maxPerPrefix;
  private final long maxPartialBytesPerPeer;
  private final long maxBytes;
  private final int prefixV4;
  private final int prefixV6;

  // Tracks, by slot.
  private long[] trackKeys = new long[4 * INITIAL_SLOTS];
  private int[][] trackEntries = new int[INITIAL_SLOTS][];
  private int[] trackSize = new int[INITIAL_SLOTS];
  private int[] trackOldest = new int[INITIAL_SLOTS];
  private int[] trackChunks = new int[INITIAL_SLOTS];
  private int[] trackHash = new int[INITIAL_SLOTS];
  private int trackHigh;
  /**
   * The most recently freed track slot, -1 if none; each free slot's trackHash holds the next
   * (a free list threaded through the hash array, which a free slot does not use otherwise).
   */
  private int freeTrackHead = -1;
  private int[] trackTable = new int[2 * INITIAL_SLOTS];
  private int liveTracks;

  // Peers, by slot.
  /** The peers' records and regions, by slot. */
  private final PeerSlab peerSlab = new PeerSlab();
  /** Written by each lookup with what its first pass read ({@link #candidatesInto}); never read. */
  @SuppressWarnings("unused")
  private int touchSink;
  /** Per peer slot: the pairs naming it (a live peer's entries; a departed one's stale pairs). */
  private int[] peerTrackCount = new int[INITIAL_SLOTS];
  private int[] peerHash = new int[INITIAL_SLOTS];
  private int peerHigh;
  /** The most recently freed peer slot, -1 if none; the rest threaded through peerHash (as for tracks). */
  private int freePeerHead = -1;
  private int[] peerTable = new int[2 * INITIAL_SLOTS];
  private int livePeers;
  /** Slots of departed peers that pairs still name (not free yet). */
  private int departedPeers;
  /**
   * Per peer slot: the slot of its quota prefix's counter in {@link #prefixesV4} or, with {@link
   * #V6_PREFIX} set, {@link #prefixesV6}; {@link #NO_PREFIX} for a free peer slot, {@link
   * #DEPARTED} for a departed one.
   */
  private int[] peerPrefixSlot = filled(INITIAL_SLOTS, NO_PREFIX);
  private long[] peerPartialBytes = new long[INITIAL_SLOTS];
  private final PrefixCounters prefixesV4;
  private final PrefixCounters prefixesV6;
  /** Bitmap bytes of all partial holdings, each rounded up to 8 as the JVM lays arrays out. */
  private long partialBitmapBytes;

  private final PartialMap partials = new PartialMap();
  /** Pairs in the tracks' arrays, stale ones included. */
  private long entries;
  /** Pairs naming departed peers' slots: in {@link #entries}, not entries of anyone. */
  private long staleEntries;

  /** Where {@link #stepStaleSweep} goes on. */
  private int staleCursor;

  // Scratch, reused: track slots.
  private int[] slotScratch = new int[64];

  IndexCore(int keepPerTrack, long ttlMillis, long hashSeed) {
    this(keepPerTrack, ttlMillis, hashSeed, Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 32, 64);
  }

  IndexCore(int keepPerTrack, long ttlMillis, long hashSeed, int maxPerPeer, int maxPerPrefix,
      long maxPartialBytesPerPeer, long maxBytes, int prefixV4, int prefixV6) {
    NetworkPrefix.checkLengths(prefixV4, prefixV6);
    this.maxPerPeer = maxPerPeer;
    this.maxPerPrefix = maxPerPrefix;
    this.maxPartialBytesPerPeer = maxPartialBytesPerPeer;
    this.maxBytes = maxBytes;
    this.prefixV4 = prefixV4;
    this.prefixV6 = prefixV6;
    if (keepPerTrack < 1) {
      throw new IllegalArgumentException("keepPerTrack must be >= 1, was " + keepPerTrack);
    }
    if (ttlMillis < 1) {
      throw new IllegalArgumentException("ttlMillis must be >= 1, was " + ttlMillis);
    }
    this.keep = keepPerTrack;
    this.ttlMillis = ttlMillis;
    this.seed = hashSeed;
    this.prefixesV4 = new PrefixCounters(hashSeed);
    this.prefixesV6 = new PrefixCounters(hashSeed);
  }

  IndexCore(PeerIndexConfig config, long hashSeed) {
    this(config.keepPerTrack(), config.ttlMillis(), hashSeed, config.maxHoldingsPerPeer(),
        config.maxHoldingsPerPrefix(), config.maxPartialBytesPerPeer(), config.maxIndexBytes(),
        config.quotaPrefixV4(), config.quotaPrefixV6());
  }

  // ---------------------------------------------------------------------------------------------
  // Operations

  /**
   * See {@link PeerIndex#announceChecked}. Arguments are checked before anything changes. A full
   * announce first drops what it does not list, so that what it replaces does not count against
   * the caps of what replaces it.
   */
  AnnounceResult announce(PeerInfo peer, boolean full, List<Holding> holdings, long nowMillis) {
    Objects.requireNonNull(peer, "peer");
    int sec = seconds(nowMillis);
    boolean stepped = false; // stepStaleSweep at most once per call
    int n = 0;
    for (Holding h : holdings) {
      Objects.requireNonNull(h, "holding");
      n++;
    }
    int p = findPeer(peer);
    if (p < 0) {
      if (n == 0) {
        return AnnounceResult.ACCEPTED;
      }
      if (accountedBytes() + newPeerCost(peer) + ENTRY_BYTES > maxBytes) {
        stepped = true;
        if (!stepStaleSweep() || accountedBytes() + newPeerCost(peer) + ENTRY_BYTES > maxBytes) {
          return refuseAll(n, AnnounceResult.Refusal.INDEX_FULL);
        }
      }
      p = addPeer(peer);
    } else {
      updatePeer(p, peer);
      if (full) {
        p = replaceUnlisted(p, peer, holdings, n);
      }
    }
    AnnounceResult.Tally tally = new AnnounceResult.Tally();
    for (Holding h : holdings) {
      int t = trackSlot(h.track(), false);
      int i = t < 0 ? -1 : indexOf(t, p);
      int newBitmap = h.bitmapLength();
      AnnounceResult.Refusal refusal;
      if (i < 0) {
        refusal = admitNew(p, t < 0, newBitmap);
        if (refusal == AnnounceResult.Refusal.INDEX_FULL && !stepped) {
          stepped = true;
          if (stepStaleSweep()) {
            t = trackSlot(h.track(), false); // the step may have freed it
            refusal = admitNew(p, t < 0, newBitmap);
          }
        }
      } else {
        refusal = admitRefresh(t, p, i, newBitmap);
        if (refusal != null) {
          // Refused holdings are left out whole: the entry it would have replaced goes too.
          removeAt(t, i);
        }
      }
      if (refusal != null) {
        tally.refuse(refusal);
        continue;
      }
      if (t < 0) {
        t = trackSlot(h.track(), true);
      }
      if (h.chunkCount() != 0) {
        trackChunks[t] = h.chunkCount();
      }
      upsert(t, p, h, sec);
    }
    freeIfEmpty(p);
    return tally.result();
  }

  /**
   * A full announce of known peer {@code p}: when p holds tracks it does not list, its slot
   * departs (those pairs become stale, see "Departures") and the peer goes on in a fresh slot,
   * taking the listed pairs along. Returns the peer's slot.
   */
  private int replaceUnlisted(int p, PeerInfo peer, List<Holding> holdings, int n) {
    if (slotScratch.length < n) {
      slotScratch = new int[Math.max(n, 2 * slotScratch.length)];
    }
    int[] listed = slotScratch;
    int listedCount = 0;
    for (Holding h : holdings) {
      int t = trackSlot(h.track(), false);
      if (t >= 0) {
        listed[listedCount++] = t;
      }
    }
    Arrays.sort(listed, 0, listedCount);
    int distinct = 0;
    int held = 0;
    for (int r = 0; r < listedCount; r++) {
      int t = listed[r];
      if (r > 0 && t == listed[r - 1]) {
        continue;
      }
      listed[distinct++] = t;
      if (indexOf(t, p) >= 0) {
        held++;
      }
    }
    if (held == peerTrackCount[p]) {
      return p; // nothing unlisted
    }
    depart(p);
    int q = addPeer(peer);
    for (int r = 0; r < distinct; r++) {
      int t = listed[r];
      int i = indexOf(t, p);
      if (i >= 0) {
        movePair(t, i, p, q);
      }
    }
    freeIfDrained(p);
    return q;
  }

  /** Pair {@code i} of track {@code t} passes from departed slot {@code p} to live slot {@code q}. */
  private void movePair(int t, int i, int p, int q) {
    int[] e = trackEntries[t];
    int v = e[2 * i];
    e[2 * i] = (v & PARTIAL) | q;
    if ((v & PARTIAL) != 0) {
      Holding h = partials.get(PartialMap.key(t, p));
      partialRemove(t, p);
      partialPut(t, q, h);
    }
    peerTrackCount[p]--;
    staleEntries--;
    peerTrackCount[q]++;
    addPrefixEntries(q, 1);
  }

  /**
   * When the budget refuses while departed peers' stale pairs still count in it: drops those of
   * the next {@link #STALE_STEP_SLOTS} track slots (a cursor that wraps), at most once per
   * announce, so that room departed peers held comes back on demand and not only at the next
   * sweep, with the work per call bounded like a sweep batch. Returns whether it dropped any.
   */
  private boolean stepStaleSweep() {
    if (staleEntries == 0) {
      return false;
    }
    if (staleCursor >= trackHigh) {
      staleCursor = 0;
    }
    long before = staleEntries;
    sweepSlots(0, false, staleCursor, staleCursor + STALE_STEP_SLOTS);
    staleCursor += STALE_STEP_SLOTS;
    return staleEntries < before;
  }

  /** What adding {@code peer} would add to {@link #accountedBytes}: a new slot unless one is free, its slab extras. */
  private long newPeerCost(PeerInfo peer) {
    return (freePeerHead < 0 ? PEER_SLOT_BYTES : 0) + peerSlab.extraBytesOf(peer);
  }

  private static AnnounceResult refuseAll(int n, AnnounceResult.Refusal why) {
    AnnounceResult.Tally tally = new AnnounceResult.Tally();
    for (int i = 0; i < n; i++) {
      tally.refuse(why);
    }
    return tally.result();
  }

  /** Why peer {@code p} may not have a new entry (in a new track if {@code newTrack}), or null. */
  private AnnounceResult.Refusal admitNew(int p, boolean newTrack, int bitmapBytes) {
    if (peerTrackCount[p] >= maxPerPeer) {
      return AnnounceResult.Refusal.PEER_CAP;
    }
    if (prefixEntries(p) >= maxPerPrefix) {
      return AnnounceResult.Refusal.PREFIX_CAP;
    }
    if (bitmapBytes > 0 && peerPartialBytes[p] + bitmapBytes > maxPartialBytesPerPeer) {
      return AnnounceResult.Refusal.PARTIAL_BYTES;
    }
    long cost = ENTRY_BYTES + (newTrack ? TRACK_BYTES : 0) + (bitmapBytes > 0 ? partialCost(bitmapBytes) : 0);
    if (accountedBytes() + cost > maxBytes) {
      return AnnounceResult.Refusal.INDEX_FULL;
    }
    return null;
  }

  /** Why pair {@code i} of track {@code t} (peer {@code p}) may not take a bitmap of that size, or null. */
  private AnnounceResult.Refusal admitRefresh(int t, int p, int i, int bitmapBytes) {
    int oldBytes = 0;
    if ((trackEntries[t][2 * i] & PARTIAL) != 0) {
      oldBytes = partials.get(PartialMap.key(t, p)).bitmapLength();
    }
    if (bitmapBytes <= oldBytes) {
      return null;
    }
    if (peerPartialBytes[p] - oldBytes + bitmapBytes > maxPartialBytesPerPeer) {
      return AnnounceResult.Refusal.PARTIAL_BYTES;
    }
    long growth = partialCost(bitmapBytes) - (oldBytes > 0 ? partialCost(oldBytes) : 0);
    if (accountedBytes() + growth > maxBytes) {
      return AnnounceResult.Refusal.INDEX_FULL;
    }
    return null;
  }

  private static long partialCost(int bitmapBytes) {
    return PARTIAL_BYTES + align8(bitmapBytes);
  }

  /**
   * What the index holds, in accounted bytes: its counts times per-unit upper bounds (see the
   * Bounds paragraph of the design notes). O(1).
   */
  long accountedBytes() {
    return liveTracks * TRACK_BYTES + entries * ENTRY_BYTES + peerHigh * PEER_SLOT_BYTES + peerSlab.extraBytes()
        + partials.size() * PARTIAL_BYTES + partialBitmapBytes;
  }

  /** The budget {@link #accountedBytes} is kept under. */
  long maxBytes() {
    return maxBytes;
  }

  /** Entries held by the peers of {@code prefix} (a quota prefix), for tests. */
  int prefixEntries(NetworkPrefix prefix) {
    PrefixCounters counters = prefix.isIpv6() ? prefixesV6 : prefixesV4;
    int s = counters.find(prefix.bits());
    return s < 0 ? 0 : counters.entries(s);
  }

  /** Entries held by the peers of peer {@code p}'s quota prefix. */
  private int prefixEntries(int p) {
    return prefixCounters(p).entries(peerPrefixSlot[p] & ~V6_PREFIX);
  }

  private void addPrefixEntries(int p, int delta) {
    prefixCounters(p).addEntries(peerPrefixSlot[p] & ~V6_PREFIX, delta);
  }

  private PrefixCounters prefixCounters(int p) {
    return (peerPrefixSlot[p] & V6_PREFIX) != 0 ? prefixesV6 : prefixesV4;
  }

  /** Whether peer {@code p} counts in {@code prefix}. */
  private boolean inPrefix(int p, NetworkPrefix prefix) {
    return prefixCounters(p) == (prefix.isIpv6() ? prefixesV6 : prefixesV4)
        && prefixCounters(p).key(peerPrefixSlot[p] & ~V6_PREFIX) == prefix.bits();
  }

  /** The peers' slab, for tests. */
  PeerSlab slab() {
    return peerSlab;
  }

  /** Bitmap bytes of {@code peer}'s partial holdings, for tests. */
  long partialBytesOf(NodeId peer) {
    int p = findPeer(peer);
    return p < 0 ? 0 : peerPartialBytes[p];
  }

  private NetworkPrefix quotaPrefix(PeerInfo info) {
    return NetworkPrefix.of(info.ip(), prefixV4, prefixV6);
  }

  /** Takes a re-announced peer's info; a move to another prefix takes its entries along. */
  private void updatePeer(int p, PeerInfo info) {
    boolean sameIp = peerSlab.sameIp(p, info);
    peerSlab.put(p, info);
    if (sameIp) {
      return;
    }
    NetworkPrefix prefix = quotaPrefix(info);
    if (inPrefix(p, prefix)) {
      return;
    }
    leavePrefix(p);
    joinPrefix(p, prefix);
    addPrefixEntries(p, peerTrackCount[p]);
  }

  private void joinPrefix(int p, NetworkPrefix prefix) {
    PrefixCounters counters = prefix.isIpv6() ? prefixesV6 : prefixesV4;
    int slot = counters.join(prefix.bits());
    peerPrefixSlot[p] = prefix.isIpv6() ? slot | V6_PREFIX : slot;
  }

  /** Takes peer {@code p} and its entries out of its prefix's counter. */
  private void leavePrefix(int p) {
    addPrefixEntries(p, -peerTrackCount[p]);
    prefixCounters(p).leave(peerPrefixSlot[p] & ~V6_PREFIX);
    peerPrefixSlot[p] = NO_PREFIX;
  }

  private void partialPut(int t, int p, Holding h) {
    long key = PartialMap.key(t, p);
    Holding old = partials.get(key);
    if (old != null) {
      partialAccount(p, old, -1);
    }
    partials.put(key, h);
    partialAccount(p, h, 1);
  }

  private void partialRemove(int t, int p) {
    long key = PartialMap.key(t, p);
    Holding old = partials.get(key);
    if (old != null) {
      partialAccount(p, old, -1);
      partials.remove(key);
    }
  }

  private void partialAccount(int p, Holding h, int sign) {
    int bytes = h.bitmapLength();
    peerPartialBytes[p] += sign * bytes;
    partialBitmapBytes += sign * align8(bytes);
  }

  /** See {@link PeerIndex#withdraw}. */
  void withdraw(NodeId peer, List<TrackId> tracks) {
    Objects.requireNonNull(peer, "peer");
    for (TrackId t : tracks) {
      Objects.requireNonNull(t, "track");
    }
    int p = findPeer(peer);
    if (p < 0) {
      return;
    }
    for (TrackId track : tracks) {
      int t = trackSlot(track, false);
      if (t < 0) {
        continue;
      }
      int i = indexOf(t, p);
      if (i >= 0) {
        removeAt(t, i);
      }
    }
    freeIfEmpty(p);
  }

  /** See {@link PeerIndex#removePeer}. */
  void removePeer(NodeId peer) {
    int p = findPeer(Objects.requireNonNull(peer, "peer"));
    if (p < 0) {
      return;
    }
    depart(p);
    freeIfDrained(p);
  }

  /** See {@link PeerIndex#candidates}. Does not modify the index. */
  List<Candidate> candidates(TrackId track, long nowMillis) {
    CandidateList found = new CandidateList(keep);
    candidatesInto(track, nowMillis, found);
    List<Candidate> out = new ArrayList<>(found.size());
    for (int i = 0; i < found.size(); i++) {
      out.add(found.candidate(i));
    }
    return out;
  }

  /** {@link #candidates}, appended to {@code into} without an object per entry. */
  void candidatesInto(TrackId track, long nowMillis, CandidateList into) {
    Objects.requireNonNull(track, "track");
    seconds(nowMillis);
    int t = trackSlot(track, false);
    if (t < 0) {
      return;
    }
    int[] e = trackEntries[t];
    int n = trackSize[t];
    // Two passes over the same entries. The candidates' records are scattered over the slab and
    // mostly not in the CPU's caches; the first pass only reads what each one misses on (its
    // region reference, the lines of its record), with no work between the reads, so that the
    // misses overlap instead of coming one after the other behind each copy (Java has no
    // prefetch instruction); the second pass then finds the lines in the cache. Measured on the
    // compare benchmark's preload, 30 candidates: 4.0-4.4 us of CPU per lookup instead of 6.3-6.7.
    int oldest = n;
    int touched = 0;
    for (int i = n - 1; i >= 0; i--) {
      long seen = Integer.toUnsignedLong(e[2 * i + 1]) * 1000;
      if (nowMillis - seen >= ttlMillis) {
        break; // sorted by time: everything before is older
      }
      oldest = i;
      int p = e[2 * i] & SLOT_MASK;
      if (peerSlab.region(p) != null) {
        touched += peerSlab.touch(p);
      }
    }
    touchSink = touched; // keeps the reads above from being optimised away
    Holding complete = null;
    for (int i = n - 1; i >= oldest; i--) {
      long seen = Integer.toUnsignedLong(e[2 * i + 1]) * 1000;
      int v = e[2 * i];
      int p = v & SLOT_MASK;
      String region = peerSlab.region(p);
      if (region == null) {
        continue; // a departed peer's stale pair (the sweep drops it)
      }
      Holding h;
      if ((v & PARTIAL) != 0) {
        h = partials.get(PartialMap.key(t, p));
      } else {
        if (complete == null) {
          complete = Holding.complete(track, trackChunks[t]);
        }
        h = complete;
      }
      into.addStored(peerSlab.bytes(p), peerSlab.offset(p), region, h, seen);
    }
  }

  /** See {@link PeerIndex#expire}: sweeps every track. */
  long expire(long nowMillis) {
    return expireSlots(nowMillis, 0, Integer.MAX_VALUE);
  }

  /**
   * Removes the expired entries of the tracks in slots {@code [fromSlot, toSlot)}, and the stale
   * pairs of departed peers there; returns how many entries expired (stale pairs were no one's
   * entries any more). Sweeping the slots in batches up to {@link #trackSlotHigh} is a full expire.
   */
  long expireSlots(long nowMillis, int fromSlot, int toSlot) {
    seconds(nowMillis);
    if (fromSlot < 0) {
      throw new IllegalArgumentException("fromSlot must be >= 0, was " + fromSlot);
    }
    return sweepSlots(nowMillis, true, fromSlot, toSlot);
  }

  /**
   * Drops the stale pairs, and if {@code expire} the expired entries, of the tracks in slots
   * {@code [fromSlot, toSlot)}; returns how many entries expired.
   */
  private long sweepSlots(long nowMillis, boolean expire, int fromSlot, int toSlot) {
    long removed = 0;
    boolean stale = staleEntries > 0;
    int end = Math.min(toSlot, trackHigh);
    for (int t = fromSlot; t < end; t++) {
      int n = trackSize[t];
      if (n == 0 || !stale && !(expire && expired(trackOldest[t], nowMillis))) {
        continue;
      }
      int[] e = trackEntries[t];
      int w = 0;
      for (int i = 0; i < n; i++) {
        int v = e[2 * i];
        int q = v & SLOT_MASK;
        boolean departed = peerPrefixSlot[q] == DEPARTED;
        if (departed || expire && expired(e[2 * i + 1], nowMillis)) {
          if ((v & PARTIAL) != 0) {
            partialRemove(t, q);
          }
          releasePair(q);
          if (!departed) {
            removed++;
            freeIfEmpty(q);
          }
        } else {
          e[2 * w] = v;
          e[2 * w + 1] = e[2 * i + 1];
          w++;
        }
      }
      if (w == n) {
        continue;
      }
      trackSize[t] = w;
      if (w == 0) {
        freeTrackSlot(t);
      } else {
        trackOldest[t] = e[1];
        maybeShrinkTrack(t);
      }
    }
    return removed;
  }

  long peers() {
    return livePeers;
  }

  /**
   * Tracks with at least one pair: may count, until the sweep has dropped departed peers' stale
   * pairs, tracks that only they were in.
   */
  long tracks() {
    return liveTracks;
  }

  /** Entries of live peers: exact. */
  long entries() {
    return entries - staleEntries;
  }

  /** Whether departed peers' stale pairs are left for the sweep to drop. */
  boolean hasStalePairs() {
    return staleEntries > 0;
  }

  /** Slots of departed peers that stale pairs still name (tests). */
  int departedPeerSlots() {
    return departedPeers;
  }

  /** Track slots in use are below this. */
  int trackSlotHigh() {
    return trackHigh;
  }

  /** Peer slots in use are below this. */
  int peerSlotHigh() {
    return peerHigh;
  }

  /**
   * Bytes of every array the index holds, exactly as the JVM lays them out with compressed oops
   * (16-byte header, elements, rounded up to 8), the peers' slab included: everything except the
   * partial Holdings, which are shared with the caller.
   */
  long retainedBytesEstimate() {
    long b = longArrayBytes(trackKeys.length) + refArrayBytes(trackEntries.length)
        + intArrayBytes(trackSize.length) + intArrayBytes(trackOldest.length)
        + intArrayBytes(trackChunks.length) + intArrayBytes(trackHash.length)
        + intArrayBytes(trackTable.length);
    for (int[] e : trackEntries) {
      if (e != null) {
        b += intArrayBytes(e.length);
      }
    }
    b += peerSlab.retainedBytes() + intArrayBytes(peerTrackCount.length) + intArrayBytes(peerHash.length)
        + intArrayBytes(peerTable.length) + longArrayBytes(peerPartialBytes.length);
    b += intArrayBytes(peerPrefixSlot.length) + prefixesV4.retainedBytes() + prefixesV6.retainedBytes();
    return b + partials.retainedArrayBytes() + intArrayBytes(slotScratch.length);
  }

  // ---------------------------------------------------------------------------------------------
  // Entries

  /**
   * Adds or refreshes peer {@code p}'s entry in track {@code t}, evicting the oldest entry when the
   * track is full. Returns whether {@code p} has an entry in {@code t} afterwards: false only when
   * the track is full of entries newer than {@code sec} (a clock that went back).
   */
  private boolean upsert(int t, int p, Holding h, int sec) {
    boolean partial = !h.isComplete();
    int[] e = trackEntries[t];
    int n = trackSize[t];
    int i = indexOf(t, p);
    boolean added = i < 0;
    if (!added) {
      if ((e[2 * i] & PARTIAL) != 0 && !partial) {
        partialRemove(t, p);
      }
      System.arraycopy(e, 2 * i + 2, e, 2 * i, 2 * (n - 1 - i));
      n--;
    } else if (n == keep && staleEntries > 0 && (n = dropStale(t)) < keep) {
      // room made without evicting anyone
    } else if (n == keep) {
      if (Integer.compareUnsigned(sec, e[1]) < 0) {
        return false;
      }
      int v = e[0];
      int q = v & SLOT_MASK;
      if ((v & PARTIAL) != 0) {
        partialRemove(t, q);
      }
      System.arraycopy(e, 2, e, 0, 2 * (n - 1));
      n--;
      releasePair(q);
      freeIfEmpty(q);
    }
    if (2 * (n + 1) > e.length) {
      // Grow by a quarter (not double, nor half): a track's pair array is most of an entry's
      // bytes, and growing by half left about a fifth of them empty in the benchmark's preload.
      int pairs = e.length / 2;
      e = Arrays.copyOf(e, 2 * Math.min(keep, Math.max(pairs + (pairs >> 2), n + 1)));
      trackEntries[t] = e;
    }
    int pos = n;
    while (pos > 0 && Integer.compareUnsigned(e[2 * pos - 1], sec) > 0) {
      pos--;
    }
    System.arraycopy(e, 2 * pos, e, 2 * pos + 2, 2 * (n - pos));
    e[2 * pos] = partial ? p | PARTIAL : p;
    e[2 * pos + 1] = sec;
    trackSize[t] = n + 1;
    trackOldest[t] = e[1];
    if (partial) {
      partialPut(t, p, h);
    }
    if (added) {
      entries++;
      peerTrackCount[p]++;
      addPrefixEntries(p, 1);
    }
    return true;
  }

  /**
   * Drops the stale pairs of track {@code t} (kept, even if left empty: an announce is adding to
   * it); returns its size.
   */
  private int dropStale(int t) {
    int[] e = trackEntries[t];
    int n = trackSize[t];
    int w = 0;
    for (int i = 0; i < n; i++) {
      int v = e[2 * i];
      int q = v & SLOT_MASK;
      if (peerPrefixSlot[q] == DEPARTED) {
        if ((v & PARTIAL) != 0) {
          partialRemove(t, q);
        }
        releasePair(q);
      } else {
        e[2 * w] = v;
        e[2 * w + 1] = e[2 * i + 1];
        w++;
      }
    }
    trackSize[t] = w;
    if (w > 0) {
      trackOldest[t] = e[1];
    }
    return w;
  }

  /**
   * Accounts for a pair naming peer slot {@code q} having left its track: one entry fewer for a
   * live peer (freed by the caller, {@link #freeIfEmpty}, when it was its last), one stale pair
   * fewer for a departed slot (freed here when it was its last).
   */
  private void releasePair(int q) {
    entries--;
    peerTrackCount[q]--;
    if (peerPrefixSlot[q] == DEPARTED) {
      staleEntries--;
      freeIfDrained(q);
    } else {
      addPrefixEntries(q, -1);
    }
  }

  /** Index of peer {@code p}'s pair in track {@code t}, or -1. */
  private int indexOf(int t, int p) {
    int[] e = trackEntries[t];
    for (int i = 0, n = trackSize[t]; i < n; i++) {
      if ((e[2 * i] & SLOT_MASK) == p) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Removes pair {@code i} of track {@code t}, freeing the track if it was the last. Leaves its
   * peer's slot to the caller ({@link #freeIfEmpty}).
   */
  private void removeAt(int t, int i) {
    int[] e = trackEntries[t];
    int n = trackSize[t];
    int v = e[2 * i];
    if ((v & PARTIAL) != 0) {
      partialRemove(t, v & SLOT_MASK);
    }
    System.arraycopy(e, 2 * i + 2, e, 2 * i, 2 * (n - 1 - i));
    n--;
    trackSize[t] = n;
    releasePair(v & SLOT_MASK);
    if (n == 0) {
      freeTrackSlot(t);
    } else {
      trackOldest[t] = e[1];
      maybeShrinkTrack(t);
    }
  }

  private void maybeShrinkTrack(int t) {
    int cap = trackEntries[t].length / 2;
    if (cap >= 8 && trackSize[t] <= cap / 4) {
      trackEntries[t] = Arrays.copyOf(trackEntries[t], 2 * (cap / 2));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Track slots and table

  /** The slot of {@code track}, or -1 if absent and not {@code create}. */
  private int trackSlot(TrackId track, boolean create) {
    long k0 = track.word(0);
    long k1 = track.word(1);
    long k2 = track.word(2);
    long k3 = track.word(3);
    long x = mix64(seed ^ k0);
    x = mix64(x ^ k1);
    x = mix64(x ^ k2);
    x = mix64(x ^ k3);
    int h = (int) (x ^ (x >>> 32));
    int[] table = trackTable;
    int mask = table.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      int v = table[i];
      if (v == 0) {
        break;
      }
      int s = v - 1;
      int b = 4 * s;
      if (trackHash[s] == h && trackKeys[b] == k0 && trackKeys[b + 1] == k1
          && trackKeys[b + 2] == k2 && trackKeys[b + 3] == k3) {
        return s;
      }
    }
    if (!create) {
      return -1;
    }
    int s;
    if (freeTrackHead >= 0) {
      s = freeTrackHead;
      freeTrackHead = trackHash[s];
    } else {
      if (trackHigh == trackSize.length) {
        growTracks();
      }
      s = trackHigh++;
    }
    int b = 4 * s;
    trackKeys[b] = k0;
    trackKeys[b + 1] = k1;
    trackKeys[b + 2] = k2;
    trackKeys[b + 3] = k3;
    trackHash[s] = h;
    trackEntries[s] = new int[2];
    trackSize[s] = 0;
    trackOldest[s] = 0;
    trackChunks[s] = 0;
    liveTracks++;
    if (2 * liveTracks > trackTable.length) {
      trackTable = rebuildTable(2 * trackTable.length, trackHash, s2 -> trackEntries[s2] != null, trackHigh);
    } else {
      tableInsert(trackTable, h, s);
    }
    return s;
  }

  private void growTracks() {
    int cap = trackSize.length + (trackSize.length >> 1);
    trackKeys = Arrays.copyOf(trackKeys, 4 * cap);
    trackEntries = Arrays.copyOf(trackEntries, cap);
    trackSize = Arrays.copyOf(trackSize, cap);
    trackOldest = Arrays.copyOf(trackOldest, cap);
    trackChunks = Arrays.copyOf(trackChunks, cap);
    trackHash = Arrays.copyOf(trackHash, cap);
  }

  private void freeTrackSlot(int t) {
    tableRemove(trackTable, trackHash, t);
    trackEntries[t] = null;
    trackSize[t] = 0;
    trackOldest[t] = 0;
    trackChunks[t] = 0;
    trackHash[t] = freeTrackHead;
    freeTrackHead = t;
    liveTracks--;
  }

  // ---------------------------------------------------------------------------------------------
  // Peer slots and table

  private int peerHashOf(int nodeIdHash) {
    long x = mix64(seed ^ (nodeIdHash & 0xffff_ffffL) ^ 0x5bd1e995L);
    return (int) (x ^ (x >>> 32));
  }

  private int findPeer(NodeId id) {
    return findPeer(id.hashCode(), id.bytes(), 0);
  }

  private int findPeer(PeerInfo info) {
    return findPeer(info.nodeIdHash(), info.recordUnsafe(), PeerInfo.NODE_ID_OFFSET);
  }

  /** The slot of the peer whose id (hashing to {@code nodeIdHash}) is at {@code id[offset..]}, or -1. */
  private int findPeer(int nodeIdHash, byte[] id, int offset) {
    int h = peerHashOf(nodeIdHash);
    int[] table = peerTable;
    int mask = table.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      int v = table[i];
      if (v == 0) {
        return -1;
      }
      int s = v - 1;
      if (peerHash[s] == h && peerSlab.hasNodeId(s, id, offset)) {
        return s;
      }
    }
  }

  /** A slot for a new peer, with no entries yet. */
  private int addPeer(PeerInfo info) {
    int s;
    if (freePeerHead >= 0) {
      s = freePeerHead;
      freePeerHead = peerHash[s];
    } else {
      if (peerHigh == peerTrackCount.length) {
        int cap = peerTrackCount.length + (peerTrackCount.length >> 1);
        peerTrackCount = Arrays.copyOf(peerTrackCount, cap);
        peerHash = Arrays.copyOf(peerHash, cap);
        peerPrefixSlot = Arrays.copyOf(peerPrefixSlot, cap);
        peerPartialBytes = Arrays.copyOf(peerPartialBytes, cap);
      }
      s = peerHigh++;
      peerSlab.ensureSlots(peerHigh);
    }
    int h = peerHashOf(info.nodeIdHash());
    peerSlab.put(s, info);
    peerTrackCount[s] = 0;
    peerHash[s] = h;
    peerPartialBytes[s] = 0;
    joinPrefix(s, quotaPrefix(info));
    livePeers++;
    if (2 * livePeers > peerTable.length) {
      peerTable = rebuildTable(2 * peerTable.length, peerHash, s2 -> peerPrefixSlot[s2] >= 0, peerHigh);
    } else {
      tableInsert(peerTable, h, s);
    }
    return s;
  }

  /** Frees live peer {@code p}'s slot if no entry is left. */
  private void freeIfEmpty(int p) {
    if (peerTrackCount[p] == 0 && peerPrefixSlot[p] >= 0) {
      depart(p);
      freeIfDrained(p);
    }
  }

  /**
   * Peer {@code p} is gone (removePeer, or replaced by a fresh slot, or left without entries):
   * out of the table, its prefix and the slab at once; its pairs, now stale, are dropped later
   * (see "Departures"), and the slot is free once none is left.
   */
  private void depart(int p) {
    leavePrefix(p);
    peerPrefixSlot[p] = DEPARTED;
    tableRemove(peerTable, peerHash, p);
    peerSlab.clear(p);
    livePeers--;
    departedPeers++;
    staleEntries += peerTrackCount[p];
  }

  /** Frees departed slot {@code p} if no pair names it any more. */
  private void freeIfDrained(int p) {
    if (peerTrackCount[p] == 0) {
      peerPrefixSlot[p] = NO_PREFIX;
      peerHash[p] = freePeerHead;
      freePeerHead = p;
      departedPeers--;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Open-addressing tables of slot + 1 (0 = empty), linear probing, backward-shift deletion

  static void tableInsert(int[] table, int hash, int slot) {
    int mask = table.length - 1;
    int i = hash & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = slot + 1;
  }

  static void tableRemove(int[] table, int[] hashes, int slot) {
    int mask = table.length - 1;
    int i = hashes[slot] & mask;
    while (table[i] != slot + 1) {
      i = (i + 1) & mask;
    }
    int gap = i;
    for (int j = (i + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
      int home = hashes[table[j] - 1] & mask;
      if (((j - home) & mask) >= ((j - gap) & mask)) {
        table[gap] = table[j];
        gap = j;
      }
    }
    table[gap] = 0;
  }

  /** A table of {@code capacity} cells holding every {@code live} slot below {@code high}. */
  private static int[] rebuildTable(int capacity, int[] hashes, IntPredicate live, int high) {
    int[] table = new int[capacity];
    for (int s = 0; s < high; s++) {
      if (live.test(s)) {
        tableInsert(table, hashes[s], s);
      }
    }
    return table;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Unsigned epoch seconds of {@code nowMillis}, rounded down. */
  static int seconds(long nowMillis) {
    if (nowMillis < 0 || nowMillis / 1000 > MAX_SECONDS) {
      throw new IllegalArgumentException("nowMillis must be 0.." + MAX_SECONDS * 1000 + " (epoch ms), was " + nowMillis);
    }
    return (int) (nowMillis / 1000);
  }

  private boolean expired(int sec, long nowMillis) {
    return nowMillis - Integer.toUnsignedLong(sec) * 1000 >= ttlMillis;
  }

  private static int[] filled(int length, int value) {
    int[] a = new int[length];
    Arrays.fill(a, value);
    return a;
  }

  /** SplitMix64's finaliser (Stafford's variant 13). */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long intArrayBytes(int length) {
    return align8(16 + 4L * length);
  }

  static long longArrayBytes(int length) {
    return align8(16 + 8L * length);
  }

  /** With compressed oops (heaps under 32 GB), a reference is 4 bytes. */
  static long refArrayBytes(int length) {
    return align8(16 + 4L * length);
  }

  static long align8(long bytes) {
    return (bytes + 7) & ~7L;
  }

  // ---------------------------------------------------------------------------------------------
  // For tests

  /** Checks every structural invariant; throws IllegalStateException naming the first broken one. */
  void checkInvariants() {
    long seenEntries = 0;
    long seenPartials = 0;
    int seenTracks = 0;
    int[] perPeer = new int[peerHigh];
    long[] partialBytesPerPeer = new long[peerHigh];
    long bitmapBytes = 0;
    for (int t = 0; t < trackHigh; t++) {
      int[] e = trackEntries[t];
      if (e == null) {
        check(trackSize[t] == 0, "free track slot " + t + " has entries");
        continue;
      }
      seenTracks++;
      int n = trackSize[t];
      check(n >= 1 && n <= keep && 2 * n <= e.length, "track " + t + " size " + n);
      check(trackOldest[t] == e[1], "track " + t + " oldest");
      for (int i = 0; i < n; i++) {
        int p = e[2 * i] & SLOT_MASK;
        check(p < peerHigh && peerPrefixSlot[p] != NO_PREFIX, "track " + t + " names free peer slot " + p);
        perPeer[p]++;
        if (i > 0) {
          check(Integer.compareUnsigned(e[2 * i - 1], e[2 * i + 1]) <= 0, "track " + t + " not sorted by time");
        }
        for (int j = 0; j < i; j++) {
          check((e[2 * j] & SLOT_MASK) != p, "track " + t + " lists peer " + p + " twice");
        }
        boolean partial = (e[2 * i] & PARTIAL) != 0;
        Holding h = partials.get(PartialMap.key(t, p));
        check(partial == (h != null), "track " + t + " peer " + p + " partial flag vs map");
        if (partial) {
          seenPartials++;
          check(!h.isComplete(), "complete holding in the partial map");
          partialBytesPerPeer[p] += h.bitmapLength();
          bitmapBytes += align8(h.bitmapLength());
        }
      }
      seenEntries += n;
      check(findInTable(trackTable, trackHash[t], t), "track " + t + " not in table");
    }
    check(seenTracks == liveTracks, "liveTracks " + liveTracks + " vs " + seenTracks);
    check(seenEntries == entries, "entries " + entries + " vs " + seenEntries);
    check(seenPartials == partials.size(), "partial map size " + partials.size() + " vs " + seenPartials);
    check(freeListLength(freeTrackHead, trackHash, s -> trackEntries[s] != null, trackHigh) == trackHigh - liveTracks,
        "free track list");
    int seenPeers = 0;
    int seenDeparted = 0;
    long seenStale = 0;
    HashMap<Integer, int[]> counted = new HashMap<>(); // by peerPrefixSlot value: {entries, peers}
    for (int p = 0; p < peerHigh; p++) {
      check(peerTrackCount[p] == perPeer[p], "peer slot " + p + " counts " + peerTrackCount[p] + " pairs, tracks name it "
          + perPeer[p] + " times");
      check(partialBytesPerPeer[p] == peerPartialBytes[p],
          "peer slot " + p + " partial bytes " + peerPartialBytes[p] + " vs " + partialBytesPerPeer[p]);
      if (peerPrefixSlot[p] == NO_PREFIX) {
        check(peerTrackCount[p] == 0 && peerSlab.region(p) == null, "free peer slot " + p + " has pairs or a peer");
        continue;
      }
      if (peerPrefixSlot[p] == DEPARTED) {
        seenDeparted++;
        seenStale += peerTrackCount[p];
        check(peerTrackCount[p] >= 1, "departed peer slot " + p + " without pairs (should be free)");
        check(peerSlab.region(p) == null, "departed peer slot " + p + " still has a peer");
        check(!findInTable(peerTable, peerHash[p], p), "departed peer slot " + p + " in the table");
        continue;
      }
      seenPeers++;
      check(peerTrackCount[p] >= 1, "live peer " + p + " without entries");
      check(peerSlab.region(p) != null, "live peer " + p + " has no region");
      check(findPeer(peerSlab.nodeId(p)) == p, "peer " + p + " not found by id");
      check(inPrefix(p, NetworkPrefix.of(peerSlab.ip(p), prefixV4, prefixV6)), "peer " + p + " prefix");
      int[] c = counted.computeIfAbsent(peerPrefixSlot[p], k -> new int[2]);
      c[0] += peerTrackCount[p];
      c[1]++;
    }
    check(seenPeers == livePeers, "livePeers " + livePeers + " vs " + seenPeers);
    check(seenDeparted == departedPeers, "departed peer slots " + departedPeers + " vs " + seenDeparted);
    check(seenStale == staleEntries, "stale pairs " + staleEntries + " vs " + seenStale);
    check(counted.size() == prefixesV4.size() + prefixesV6.size(),
        "prefix counters " + (prefixesV4.size() + prefixesV6.size()) + " vs " + counted.size());
    for (var e : counted.entrySet()) {
      PrefixCounters counters = (e.getKey() & V6_PREFIX) != 0 ? prefixesV6 : prefixesV4;
      int slot = e.getKey() & ~V6_PREFIX;
      check(counters.entries(slot) == e.getValue()[0] && counters.peers(slot) == e.getValue()[1],
          "prefix counter " + e.getKey() + ": " + counters.entries(slot) + " entries, " + counters.peers(slot)
              + " peers, vs " + Arrays.toString(e.getValue()));
    }
    check(bitmapBytes == partialBitmapBytes, "partial bitmap bytes " + partialBitmapBytes + " vs " + bitmapBytes);
    check(freeListLength(freePeerHead, peerHash, s -> peerPrefixSlot[s] != NO_PREFIX, peerHigh) == peerHigh - livePeers
        - departedPeers, "free peer list");
  }

  /** Slots on the free list from {@code head}; each must be free (not {@code used}). */
  private static int freeListLength(int head, int[] next, IntPredicate used, int high) {
    int n = 0;
    for (int s = head; s >= 0; s = next[s]) {
      check(!used.test(s), "used slot " + s + " on a free list");
      check(++n <= high, "a free list with a cycle");
    }
    return n;
  }

  private static boolean findInTable(int[] table, int hash, int slot) {
    int mask = table.length - 1;
    for (int i = hash & mask; table[i] != 0; i = (i + 1) & mask) {
      if (table[i] == slot + 1) {
        return true;
      }
    }
    return false;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("index invariant broken: " + what);
    }
  }
}
