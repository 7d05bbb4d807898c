package dev.chorus.tracker.index;

import dev.chorus.protocol.NodeId;
import java.util.Arrays;
import java.util.HashMap;

/**
 * The index's peers, by peer slot, without an object per peer: each slot's {@link PeerLayout}
 * (header and serialized record) at a fixed stride in pages of one byte[] per 1,024 slots, and
 * its region as a String shared by every peer with that region. Not thread-safe; owned by
 * {@link IndexCore}.
 *
 * <p>Space. A slot's bytes are the slot's for as long as the slot lives: {@link IndexCore} frees
 * and reuses peer slots (its free list), and the slab follows, so there is nothing to compact
 * and no fragmentation inside it. What it never gives back is its high-water mark: pages are
 * added as the peer slots grow and kept when peers leave, as are the index's other per-slot
 * arrays (IndexCore accounts freed slots for that reason). A layout longer than the stride (an
 * IPv6 peer with more than 2 coordinate dimensions and the like) lives in a byte[] of its own
 * instead (in a map, so that the common slot pays no reference for it), dropped when the slot is
 * freed or rewritten.
 *
 * <p>Regions are operator-chosen tags that many peers share, sent by each node as its own
 * String: the slab keeps one instance per distinct region with a count of the slots using it,
 * and drops it with its last user, so that what an announcer chose cannot accumulate.
 */
final class PeerSlab {
  /**
   * Bytes per slot: the layout of an IPv4 or IPv6 peer with a 2-dimensional coordinate (what
   * nodes send), height and error included, fits.
   */
  static final int STRIDE = 120;
  private static final int PAGE_SHIFT = 10;
  private static final int PAGE_SLOTS = 1 << PAGE_SHIFT;
  private static final int PAGE_MASK = PAGE_SLOTS - 1;

  private byte[][] pages = new byte[0][];
  /**
   * The layouts longer than {@link #STRIDE}, by slot; such a slot's own bytes start with {@link
   * #OVERFLOW} (a record is never empty), so that the common slot costs no reference.
   */
  private final HashMap<Integer, byte[]> overflow = new HashMap<>();
  private static final byte OVERFLOW = 0;
  /** By slot: the region, an instance from {@link #regionUses} (or ""); null for a free slot. */
  private String[] regions = new String[0];
  private final HashMap<String, Region> regionUses = new HashMap<>();
  private long overflowBytes;
  /** Bytes of the distinct regions held ({@link #regionCost} each). */
  private long regionBytes;

  /** One region tag and how many slots use it. */
  private static final class Region {
    final String name;
    int uses;

    Region(String name) {
      this.name = name;
    }
  }

  /** Makes room for slots below {@code slots}. */
  void ensureSlots(int slots) {
    if (regions.length < slots) {
      regions = Arrays.copyOf(regions, Math.max(slots, regions.length + (regions.length >> 1)));
    }
    int needed = (slots + PAGE_SLOTS - 1) >>> PAGE_SHIFT;
    if (pages.length < needed) {
      int old = pages.length;
      pages = Arrays.copyOf(pages, needed);
      for (int i = old; i < needed; i++) {
        pages[i] = new byte[PAGE_SLOTS * STRIDE];
      }
    }
  }

  /** Stores {@code info} in {@code slot} (made room for), replacing what the slot held. */
  void put(int slot, PeerInfo info) {
    int length = PeerLayout.length(info);
    dropOverflow(slot);
    byte[] page = pages[slot >>> PAGE_SHIFT];
    int at = (slot & PAGE_MASK) * STRIDE;
    if (length <= STRIDE) {
      PeerLayout.write(info, page, at);
    } else {
      byte[] own = new byte[length];
      PeerLayout.write(info, own, 0);
      page[at] = OVERFLOW;
      overflow.put(slot, own);
      overflowBytes += overflowCost(length);
    }
    String region = info.region();
    String had = regions[slot];
    if (had == null || !had.equals(region)) {
      release(slot);
      regions[slot] = intern(region);
    }
  }

  /** Forgets what {@code slot} held. */
  void clear(int slot) {
    dropOverflow(slot);
    release(slot);
  }

  private void dropOverflow(int slot) {
    byte[] page = pages[slot >>> PAGE_SHIFT];
    int at = (slot & PAGE_MASK) * STRIDE;
    if (page[at] == OVERFLOW) {
      byte[] old = overflow.remove(slot);
      if (old != null) {
        overflowBytes -= overflowCost(old.length);
      }
      page[at] = (byte) 0xff; // not a layout any more: a cleared slot is never read
    }
  }

  /** An overflow layout's array and its map entry (node, boxed key, table cell). */
  private static long overflowCost(int length) {
    return IndexCore.align8(16 + length) + 32 + 16 + 8;
  }

  /** The array holding {@code slot}'s layout, at {@link #offset}. */
  byte[] bytes(int slot) {
    byte[] page = pages[slot >>> PAGE_SHIFT];
    return page[(slot & PAGE_MASK) * STRIDE] == OVERFLOW ? overflow.get(slot) : page;
  }

  /** Where {@code slot}'s layout starts in {@link #bytes}. */
  int offset(int slot) {
    int at = (slot & PAGE_MASK) * STRIDE;
    return pages[slot >>> PAGE_SHIFT][at] == OVERFLOW ? 0 : at;
  }

  /**
   * Reads the first, last and (for a layout over 64 bytes) 64th byte of {@code slot}'s layout,
   * so that every cache line it spans is loaded, and returns a value made from them (for the
   * caller to keep, so that the reads stay): see {@link IndexCore#candidatesInto}.
   */
  int touch(int slot) {
    byte[] b = bytes(slot);
    int at = offset(slot);
    int last = PeerLayout.length(b, at) - 1;
    return b[at] + b[at + Math.min(last, 63)] + b[at + last];
  }

  String region(int slot) {
    return regions[slot];
  }

  boolean hasNodeId(int slot, byte[] id, int offset) {
    return PeerLayout.hasNodeId(bytes(slot), offset(slot), id, offset);
  }

  NodeId nodeId(int slot) {
    return PeerLayout.nodeId(bytes(slot), offset(slot));
  }

  byte[] ip(int slot) {
    return PeerLayout.ip(bytes(slot), offset(slot));
  }

  boolean sameIp(int slot, PeerInfo info) {
    return PeerLayout.sameIp(bytes(slot), offset(slot), info);
  }

  /** {@code slot}'s peer as a PeerInfo (a new object), equal to the one stored. */
  PeerInfo peerInfo(int slot) {
    return PeerInfo.fromLayout(bytes(slot), offset(slot), regions[slot]);
  }

  /** What storing {@code info} in a free slot would add to {@link #extraBytes}. */
  long extraBytesOf(PeerInfo info) {
    int length = PeerLayout.length(info);
    String region = info.region();
    return (length > STRIDE ? overflowCost(length) : 0)
        + (region.isEmpty() || regionUses.containsKey(region) ? 0 : regionCost(region));
  }

  /** Bytes of the layouts that did not fit the stride (tests). */
  long overflowBytes() {
    return overflowBytes;
  }

  /**
   * What the slab holds besides its slots' strides: the layouts longer than the stride and the
   * distinct regions. O(1).
   */
  long extraBytes() {
    return overflowBytes + regionBytes;
  }

  /** Distinct non-empty regions held (tests). */
  int regionCount() {
    return regionUses.size();
  }

  /** Bytes of the pages, the per-slot arrays, the overflow layouts and the regions. */
  long retainedBytes() {
    long b = IndexCore.refArrayBytes(pages.length) + pages.length * IndexCore.align8(16 + PAGE_SLOTS * STRIDE)
        + IndexCore.refArrayBytes(regions.length) + overflowBytes;
    for (String r : regionUses.keySet()) {
      b += regionCost(r);
    }
    return b;
  }

  /**
   * A region: its map node (32), Region (24), String (24) and its bytes (two per character at
   * worst), the map's table cell with slack (8).
   */
  private static long regionCost(String region) {
    return 32 + 24 + 24 + IndexCore.align8(16 + 2L * region.length()) + 8;
  }

  private String intern(String region) {
    if (region.isEmpty()) {
      return "";
    }
    Region r = regionUses.get(region);
    if (r == null) {
      r = new Region(region);
      regionUses.put(region, r);
      regionBytes += regionCost(region);
    }
    r.uses++;
    return r.name;
  }

  private void release(int slot) {
    String had = regions[slot];
    regions[slot] = null;
    if (had == null || had.isEmpty()) {
      return;
    }
    Region r = regionUses.get(had);
    if (--r.uses == 0) {
      regionUses.remove(had);
      regionBytes -= regionCost(had);
    }
  }
}
