package dev.chorus.node.internal.peer;

import dev.chorus.protocol.NodeId;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The peer network's bans: by identity, and by the IP address a banned node was last linked from,
 * each until a time on the injected clock (nanoTime).
 *
 * <p>Why by address too: a node that is banned can make a new key in a moment, but not a new
 * address. Why remember addresses of nodes no longer linked: a bad chunk is verified after it
 * arrived, and its sender may have disconnected by then; its ban must still reach its address.
 * That memory is bounded (most recently linked kept), and expired bans are dropped lazily when
 * looked up and swept when a table grows large, so neither table grows without bound.
 *
 * <p>Not thread-safe: {@link LinkRegistry} calls it with its lock held.
 */
final class PeerBans {
  /** Bans kept before expired ones are swept. */
  static final int SWEEP_SIZE = 4096;
  /** Identities whose last address is remembered (so a node that left can still be banned by address). */
  static final int REMEMBERED_ADDRESSES = 4096;

  private final LongSupplier nanoTime;
  /** Banned identities and when their ban ends. */
  private final Map<NodeId, Long> bans = new HashMap<>();
  /** Banned addresses (the IP a banned node connected from) and when their ban ends. */
  private final Map<InetAddress, Long> addressBans = new HashMap<>();
  /** The IP each identity was last linked from, most recent last, bounded. */
  private final Map<NodeId, InetAddress> lastAddress = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<NodeId, InetAddress> eldest) {
      return size() > REMEMBERED_ADDRESSES;
    }
  };

  PeerBans(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** {@code node} is linked from {@code address}: remembered for a later ban. */
  void linkedFrom(NodeId node, InetAddress address) {
    lastAddress.put(node, address);
  }

  /**
   * Bans {@code node}, and the address it was last linked from if known, for {@code durationNanos}.
   * Returns that address, or null if none is known.
   */
  InetAddress ban(NodeId node, long durationNanos) {
    if (bans.size() >= SWEEP_SIZE || addressBans.size() >= SWEEP_SIZE) {
      sweep();
    }
    long until = nanoTime.getAsLong() + durationNanos;
    bans.put(node, until);
    InetAddress address = lastAddress.get(node);
    if (address != null) {
      addressBans.put(address, until);
    }
    return address;
  }

  /** How long {@code node} stays banned; 0 if it is not. */
  long leftNanos(NodeId node) {
    return left(bans, node);
  }

  /** How long connections from {@code address} stay refused; 0 if they are not. */
  long leftNanos(InetAddress address) {
    return left(addressBans, address);
  }

  /** Bans on record, expired or not (tests). */
  int size() {
    return bans.size() + addressBans.size();
  }

  private <K> long left(Map<K, Long> table, K key) {
    Long until = table.get(key);
    if (until == null) {
      return 0;
    }
    long left = until - nanoTime.getAsLong();
    if (left <= 0) {
      table.remove(key);
      return 0;
    }
    return left;
  }

  private void sweep() {
    long now = nanoTime.getAsLong();
    bans.values().removeIf(until -> until - now <= 0);
    addressBans.values().removeIf(until -> until - now <= 0);
  }
}
