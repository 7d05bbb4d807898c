package dev.chorus.tracker.redis;

import dev.chorus.protocol.NodeId;
import dev.chorus.tracker.index.NetworkPrefix;
import java.util.HashMap;
import java.util.Map;

/**
 * Entries per quota prefix as this instance knows them, for the cap per prefix: per peer that
 * announced through this instance, the size of its track set after its last announce or withdraw,
 * summed per prefix. Evictions and expiries (which other instances' announces and sweeps cause)
 * are seen at the peer's next announce or withdraw, so between the two the count is high, never
 * low: the cap errs on the side of refusing. Peers of the same prefix connected to other instances
 * are not counted, so with n instances one prefix can hold up to n times the cap. Holds only peers
 * with a non-empty track set; thread-safe.
 */
final class PrefixCounts {
  private final Map<NodeId, NetworkPrefix> prefixOf = new HashMap<>();
  private final Map<NodeId, Integer> sizeOf = new HashMap<>();
  private final Map<NetworkPrefix, Long> totals = new HashMap<>();

  /** Entries of {@code prefix} held by peers other than {@code node}. */
  synchronized long others(NetworkPrefix prefix, NodeId node) {
    long total = totals.getOrDefault(prefix, 0L);
    if (prefix.equals(prefixOf.get(node))) {
      total -= sizeOf.get(node);
    }
    return total;
  }

  /** {@code node}, now in {@code prefix}, holds {@code size} entries. */
  synchronized void set(NodeId node, NetworkPrefix prefix, int size) {
    remove(node);
    if (size > 0) {
      prefixOf.put(node, prefix);
      sizeOf.put(node, size);
      totals.merge(prefix, (long) size, Long::sum);
    }
  }

  /** {@code node} holds {@code size} entries, in the prefix it was last seen in (if known). */
  synchronized void resize(NodeId node, int size) {
    NetworkPrefix prefix = prefixOf.get(node);
    if (prefix != null) {
      set(node, prefix, size);
    }
  }

  synchronized void remove(NodeId node) {
    NetworkPrefix prefix = prefixOf.remove(node);
    if (prefix != null) {
      long left = totals.get(prefix) - sizeOf.remove(node);
      if (left == 0) {
        totals.remove(prefix);
      } else {
        totals.put(prefix, left);
      }
    }
  }

  synchronized int peers() {
    return prefixOf.size();
  }
}
