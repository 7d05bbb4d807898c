package dev.chorus.tracker;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-network bookkeeping against abuse: open connections (capped), protocol violations in a
 * sliding window, and bans for networks that reach the violation threshold. A network is the
 * index's quota prefix of the connection's address (IPv4 /32 and IPv6 /64 by default), so that one
 * IPv6 subscriber can neither open the cap once per address of its /64 nor escape a ban by moving
 * to another address of it. Time comes in as {@code nowNanos};
 * no clock reads. Shared by every event loop of a server, so its methods are synchronized — each
 * is a few map operations, far from the hot path of lookups.
 */
final class AbuseGuard {
  /** What to do with a new connection. */
  enum Admission { ADMIT, BANNED, TOO_MANY_CONNECTIONS }

  private final int maxConnectionsPerIp;
  private final int violationsBeforeBan;
  private final long violationWindowNanos;
  private final long banNanos;
  /** Bound on networks remembered for violations, so a spray of addresses cannot grow memory. */
  private final int maxTrackedIps;

  private final Map<String, Integer> connections = new HashMap<>();
  /** Insertion-ordered, so that when full the address first seen longest ago is forgotten. */
  private final Map<String, ArrayDeque<Long>> violations = new LinkedHashMap<>();
  private final Map<String, Long> bannedUntil = new HashMap<>();

  AbuseGuard(int maxConnectionsPerIp, int violationsBeforeBan, long violationWindowNanos, long banNanos, int maxTrackedIps) {
    this.maxConnectionsPerIp = maxConnectionsPerIp;
    this.violationsBeforeBan = violationsBeforeBan;
    this.violationWindowNanos = violationWindowNanos;
    this.banNanos = banNanos;
    this.maxTrackedIps = maxTrackedIps;
  }

  /** Admits or refuses a connection from {@code network}; an admitted one must be {@link #release}d. */
  synchronized Admission admit(String network, long nowNanos) {
    Long until = bannedUntil.get(network);
    if (until != null) {
      if (nowNanos - until < 0) {
        return Admission.BANNED;
      }
      bannedUntil.remove(network);
    }
    int open = connections.getOrDefault(network, 0);
    if (open >= maxConnectionsPerIp) {
      return Admission.TOO_MANY_CONNECTIONS;
    }
    connections.put(network, open + 1);
    return Admission.ADMIT;
  }

  synchronized void release(String network) {
    connections.computeIfPresent(network, (k, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * Records a protocol violation from {@code network}.
   *
   * @return true if this violation got the network banned
   */
  synchronized boolean violation(String network, long nowNanos) {
    if (!violations.containsKey(network) && violations.size() >= maxTrackedIps) {
      evictStale(nowNanos);
      if (violations.size() >= maxTrackedIps) {
        violations.remove(violations.keySet().iterator().next());
      }
    }
    ArrayDeque<Long> times = violations.computeIfAbsent(network, k -> new ArrayDeque<>());
    times.addLast(nowNanos);
    while (!times.isEmpty() && nowNanos - times.peekFirst() > violationWindowNanos) {
      times.removeFirst();
    }
    if (times.size() >= violationsBeforeBan) {
      violations.remove(network);
      if (bannedUntil.size() >= maxTrackedIps) {
        evictExpiredBans(nowNanos);
      }
      bannedUntil.put(network, nowNanos + banNanos);
      return true;
    }
    return false;
  }

  synchronized int trackedAddresses() {
    return violations.size();
  }

  synchronized boolean isBanned(String network, long nowNanos) {
    Long until = bannedUntil.get(network);
    return until != null && nowNanos - until < 0;
  }

  synchronized int bannedCount(long nowNanos) {
    evictExpiredBans(nowNanos);
    return bannedUntil.size();
  }

  private void evictStale(long nowNanos) {
    Iterator<Map.Entry<String, ArrayDeque<Long>>> it = violations.entrySet().iterator();
    while (it.hasNext()) {
      ArrayDeque<Long> times = it.next().getValue();
      if (times.isEmpty() || nowNanos - times.peekLast() > violationWindowNanos) {
        it.remove();
      }
    }
  }

  private void evictExpiredBans(long nowNanos) {
    bannedUntil.values().removeIf(until -> nowNanos - until >= 0);
  }
}
