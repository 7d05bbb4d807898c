package dev.chorus.simulator.swarm;

import java.util.HashSet;
import java.util.Set;
import org.agrona.collections.LongHashSet;

/**
 * The hosts a peer has a connection with. Every message delivery asks whether its connection
 * still exists, and that question is the first touch of a receiving peer that left the CPU cache
 * milliseconds ago: a {@code HashSet<Integer>} answered it with dependent loads of scattered objects,
 * a per-peer {@code int[]} still with two (the peer's links, then their array; 12% of the event
 * loop's samples, bench/README.md "Profile"). So membership is one probe of a table shared by all
 * peers of the world, keyed by the directed pair {@code owner << 32 | other}, whose slot depends on
 * nothing but the two hosts. The hash set stays for {@link #inOrder()}: going offline walks the links
 * in its iteration order, and that order decides the order of the events it schedules, so keeping
 * it keeps runs byte-identical to before.
 *
 * <p>The table is keyed by host, not by online period: a peer's links are used only while it is
 * online, and {@link #clear()} (when it goes offline) takes its pairs out before the host can come
 * back as a new peer.
 */
final class Links {
  private final LongHashSet table;
  private final int owner;
  private final Set<Integer> ordered = new HashSet<>();

  /** The links of {@code owner}, kept in {@code table} with every other peer's of the same world. */
  Links(LongHashSet table, int owner) {
    this.table = table;
    this.owner = owner;
  }

  /** A table for the links of every peer of one world. */
  static LongHashSet newTable() {
    return new LongHashSet(1 << 16, 0.6f);
  }

  /** Whether {@code owner}'s links in {@code table} hold {@code other}: {@link #contains} by hosts. */
  static boolean linked(LongHashSet table, int owner, int other) {
    return table.contains(key(owner, other));
  }

  boolean contains(int host) {
    return table.contains(key(owner, host));
  }

  /** Adds the host; whether it was not there. */
  boolean add(int host) {
    if (!table.add(key(owner, host))) {
      return false;
    }
    ordered.add(host);
    return true;
  }

  /** Removes the host; whether it was there. */
  boolean remove(int host) {
    if (!table.remove(key(owner, host))) {
      return false;
    }
    ordered.remove(host);
    return true;
  }

  void clear() {
    for (Integer host : ordered) {
      table.remove(key(owner, host));
    }
    ordered.clear();
  }

  /** The hosts in the order a {@code HashSet<Integer>} with the same history iterates them. */
  Iterable<Integer> inOrder() {
    return ordered;
  }

  private static long key(int owner, int other) {
    return ((long) owner << 32) | (other & 0xffffffffL);
  }
}
