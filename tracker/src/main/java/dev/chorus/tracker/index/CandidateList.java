package dev.chorus.tracker.index;

import java.util.Arrays;
import java.util.List;

/**
 * A lookup's candidates in parallel arrays, reused from lookup to lookup: the same information as
 * a {@code List<Candidate>} without an object per entry. The tracker fills one per thread from the
 * in-memory index ({@link PeerIndex#candidatesNow}), ranks it in place ({@link
 * LookupPolicy#answer(dev.chorus.protocol.NodeId, dev.chorus.protocol.ReachabilityClass,
 * dev.chorus.protocol.ConnectionPlan.Traversal, NetworkPrefix, String,
 * dev.chorus.protocol.VivaldiCoordinate, CandidateList, byte[], int, java.util.random.RandomGenerator,
 * int[])}) and encodes the reply from it, so that a lookup allocates nothing per candidate. Not
 * thread-safe: one owner at a time.
 */
public final class CandidateList {
  private PeerInfo[] peers;
  private Holding[] holdings;
  private long[] lastSeenMillis;
  private int size;

  public CandidateList() {
    this(32);
  }

  CandidateList(int capacity) {
    peers = new PeerInfo[capacity];
    holdings = new Holding[capacity];
    lastSeenMillis = new long[capacity];
  }

  /** A list holding {@code candidates}, in order. */
  public static CandidateList of(List<Candidate> candidates) {
    CandidateList list = new CandidateList(Math.max(1, candidates.size()));
    for (Candidate c : candidates) {
      list.add(c.peer(), c.holding(), c.lastSeenMillis());
    }
    return list;
  }

  public int size() {
    return size;
  }

  public PeerInfo peer(int i) {
    return peers[check(i)];
  }

  public Holding holding(int i) {
    return holdings[check(i)];
  }

  public long lastSeenMillis(int i) {
    return lastSeenMillis[check(i)];
  }

  /** Entry {@code i} as a {@link Candidate} (a new object). */
  public Candidate candidate(int i) {
    return new Candidate(peer(i), holding(i), lastSeenMillis(i));
  }

  /** Empties the list; the references it held are dropped, so it pins no peer in memory. */
  public void clear() {
    Arrays.fill(peers, 0, size, null);
    Arrays.fill(holdings, 0, size, null);
    size = 0;
  }

  /** Appends a candidate. */
  public void add(PeerInfo peer, Holding holding, long seenMillis) {
    if (size == peers.length) {
      int capacity = 2 * size;
      peers = Arrays.copyOf(peers, capacity);
      holdings = Arrays.copyOf(holdings, capacity);
      lastSeenMillis = Arrays.copyOf(lastSeenMillis, capacity);
    }
    peers[size] = peer;
    holdings[size] = holding;
    lastSeenMillis[size] = seenMillis;
    size++;
  }

  /** Keeps entry {@code from} at position {@code to} (to ≤ from), for filtering in place. */
  void moveTo(int from, int to) {
    peers[to] = peers[from];
    holdings[to] = holdings[from];
    lastSeenMillis[to] = lastSeenMillis[from];
  }

  /** Drops the entries from {@code newSize} on. */
  void truncate(int newSize) {
    Arrays.fill(peers, newSize, size, null);
    Arrays.fill(holdings, newSize, size, null);
    size = newSize;
  }

  private int check(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("candidate " + i + " of " + size);
    }
    return i;
  }
}
