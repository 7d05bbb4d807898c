package dev.chorus.tracker.index;

import com.google.protobuf.CodedOutputStream;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import java.io.IOException;
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
 *
 * <p>The in-memory index keeps no PeerInfo objects (see {@code PeerSlab}): it copies each
 * candidate's stored bytes (the serialized record and what ranking reads, {@code PeerLayout})
 * into this list while it holds its lock, so that what the list says cannot change under the
 * caller when a peer leaves and its slot is reused. {@link #peer} makes a PeerInfo from them on
 * demand; the lookup path reads them in place ({@link #writeTrackerPeerFields}).
 */
public final class CandidateList {
  /** Every candidate's {@code PeerLayout}, at {@link #offsets}. */
  private byte[] bytes;
  private int used;
  private int[] offsets;
  private String[] regions;
  /** By position: the PeerInfo given to {@link #add} or made by {@link #peer}; null until asked. */
  private PeerInfo[] peers;
  private Holding[] holdings;
  private long[] lastSeenMillis;
  private int size;

  public CandidateList() {
    this(32);
  }

  CandidateList(int capacity) {
    bytes = new byte[capacity * PeerSlab.STRIDE];
    offsets = new int[capacity];
    regions = new String[capacity];
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

  /** Candidate {@code i}'s peer: made from the list's bytes on first use when the index filled the list. */
  public PeerInfo peer(int i) {
    PeerInfo p = peers[check(i)];
    if (p == null) {
      p = PeerInfo.fromLayout(bytes, offsets[i], regions[i]);
      peers[i] = p;
    }
    return p;
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

  /**
   * Bytes of fields 1-4 of the wire's {@code TrackerPeer} for candidate {@code i}, as {@link
   * #writeTrackerPeerFields} writes them ({@link PeerInfo#trackerPeerFieldsSize}, without the object).
   */
  public int trackerPeerFieldsSize(int i) {
    return PeerLayout.recordLength(bytes, offsets[check(i)]);
  }

  /**
   * Writes fields 1-4 of the wire's {@code TrackerPeer} for candidate {@code i} ({@link
   * PeerInfo#writeTrackerPeerFields}, without the object): followed by field 5 they are the message.
   */
  public void writeTrackerPeerFields(int i, CodedOutputStream out) throws IOException {
    int at = offsets[check(i)];
    out.writeRawBytes(bytes, at + PeerLayout.RECORD, PeerLayout.recordLength(bytes, at));
  }

  /**
   * Copies the bytes {@link #writeTrackerPeerFields} writes to {@code dst[at..]} (for an encoder
   * that writes into an array of its own); returns how many.
   *
   * @throws IndexOutOfBoundsException if they do not fit
   */
  public int copyTrackerPeerFields(int i, byte[] dst, int at) {
    int from = offsets[check(i)];
    int length = PeerLayout.recordLength(bytes, from);
    System.arraycopy(bytes, from + PeerLayout.RECORD, dst, at, length);
    return length;
  }

  /** Empties the list; the references it held are dropped, so it pins no peer in memory. */
  public void clear() {
    Arrays.fill(peers, 0, size, null);
    Arrays.fill(regions, 0, size, null);
    Arrays.fill(holdings, 0, size, null);
    size = 0;
    used = 0;
  }

  /** Appends a candidate. */
  public void add(PeerInfo peer, Holding holding, long seenMillis) {
    int at = reserve(PeerLayout.length(peer));
    used += PeerLayout.write(peer, bytes, at);
    append(at, peer.region(), peer, holding, seenMillis);
  }

  /** Appends a candidate whose peer is the layout at {@code layout[from..]} (a copy is taken), with {@code region}. */
  void addStored(byte[] layout, int from, String region, Holding holding, long seenMillis) {
    int length = PeerLayout.length(layout, from);
    int at = reserve(length);
    System.arraycopy(layout, from, bytes, at, length);
    used += length;
    append(at, region, null, holding, seenMillis);
  }

  /** Where the next layout of {@code length} bytes goes, after making room for it and one more entry. */
  private int reserve(int length) {
    if (used + length > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(used + length, 2 * bytes.length));
    }
    if (size == offsets.length) {
      int capacity = 2 * size;
      offsets = Arrays.copyOf(offsets, capacity);
      regions = Arrays.copyOf(regions, capacity);
      peers = Arrays.copyOf(peers, capacity);
      holdings = Arrays.copyOf(holdings, capacity);
      lastSeenMillis = Arrays.copyOf(lastSeenMillis, capacity);
    }
    return used;
  }

  private void append(int at, String region, PeerInfo peer, Holding holding, long seenMillis) {
    offsets[size] = at;
    regions[size] = region;
    peers[size] = peer;
    holdings[size] = holding;
    lastSeenMillis[size] = seenMillis;
    size++;
  }

  // Ranking reads these in place (package-private: NearestPeerRanker, LookupPolicy).

  int port(int i) {
    return PeerLayout.port(bytes, offsets[i]);
  }

  long nodeIdHead(int i) {
    return PeerLayout.nodeIdHead(bytes, offsets[i]);
  }

  boolean hasNodeId(int i, NodeId id) {
    return PeerLayout.hasNodeId(bytes, offsets[i], id.bytes(), 0);
  }

  long packedPrefix(int i) {
    return PeerLayout.packedPrefix(bytes, offsets[i]);
  }

  String region(int i) {
    return regions[i];
  }

  double predictedRttMillisFrom(int i, VivaldiCoordinate from) {
    return PeerLayout.predictedRttMillisFrom(bytes, offsets[i], from);
  }

  /** Keeps entry {@code from} at position {@code to} (to ≤ from), for filtering in place. */
  void moveTo(int from, int to) {
    offsets[to] = offsets[from];
    regions[to] = regions[from];
    peers[to] = peers[from];
    holdings[to] = holdings[from];
    lastSeenMillis[to] = lastSeenMillis[from];
  }

  /** Drops the entries from {@code newSize} on. */
  void truncate(int newSize) {
    Arrays.fill(peers, newSize, size, null);
    Arrays.fill(regions, newSize, size, null);
    Arrays.fill(holdings, newSize, size, null);
    size = newSize;
    if (newSize == 0) {
      used = 0;
    }
  }

  private int check(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("candidate " + i + " of " + size);
    }
    return i;
  }
}
