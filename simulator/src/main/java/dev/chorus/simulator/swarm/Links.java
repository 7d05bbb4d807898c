package dev.chorus.simulator.swarm;

import java.util.HashSet;
import java.util.Set;

/**
 * The hosts a peer has a connection with. Every message delivery asks whether its connection
 * still exists; a {@code HashSet<Integer>} answered that with two dependent loads of scattered
 * objects (the node, the boxed key), most of a delivery's cost in the profile (bench/README.md,
 * "Profile"), so membership is a scan of a small {@code int[]} (a peer keeps at most
 * {@code swarm.neighbourHardLimit} connections plus those being made). The hash set stays for
 * {@link #inOrder()}: going offline walks the links in its iteration order, and that order decides
 * the order of the events it schedules, so keeping it keeps runs byte-identical to before.
 */
final class Links {
  private final Set<Integer> ordered = new HashSet<>();
  private int[] hosts = new int[8];
  private int size;

  boolean contains(int host) {
    int[] h = hosts;
    for (int i = 0, n = size; i < n; i++) {
      if (h[i] == host) {
        return true;
      }
    }
    return false;
  }

  /** Adds the host; whether it was not there. */
  boolean add(int host) {
    if (contains(host)) {
      return false;
    }
    if (size == hosts.length) {
      hosts = java.util.Arrays.copyOf(hosts, size * 2);
    }
    hosts[size++] = host;
    ordered.add(host);
    return true;
  }

  /** Removes the host; whether it was there. */
  boolean remove(int host) {
    int[] h = hosts;
    for (int i = 0; i < size; i++) {
      if (h[i] == host) {
        h[i] = h[--size];
        ordered.remove(host);
        return true;
      }
    }
    return false;
  }

  void clear() {
    size = 0;
    ordered.clear();
  }

  /** The hosts in the order a {@code HashSet<Integer>} with the same history iterates them. */
  Iterable<Integer> inOrder() {
    return ordered;
  }
}
