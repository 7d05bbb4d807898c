package dev.chorus.tracker;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-address bookkeeping against abuse: open connections per network prefix (capped; the prefix
 * is the index's quota prefix, IPv4 /32 and IPv6 /64 by default, so that one IPv6 subscriber
 * cannot open the cap once per address of its /64), protocol violations per IP in a sliding
 * window, and bans for IPs that reach the violation threshold. Time comes in as {@code nowNanos};
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
  /** Bound on IPs remembered for violations, so a spray of addresses cannot grow memory. */
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

  /**
   * Admits or refuses a connection from {@code ip} in network {@code prefix}; an admitted one
   * must be {@link #release}d with the same prefix.
   */
  synchronized Admission admit(String ip, String prefix, long nowNanos) {
    Long until = bannedUntil.get(ip);
    if (until != null) {
      if (nowNanos - until < 0) {
        return Admission.BANNED;
      }
      bannedUntil.remove(ip);
    }
    int open = connections.getOrDefault(prefix, 0);
    if (open >= maxConnectionsPerIp) {
      return Admission.TOO_MANY_CONNECTIONS;
    }
    connections.put(prefix, open + 1);
    return Admission.ADMIT;
  }

  synchronized void release(String prefix) {
    connections.computeIfPresent(prefix, (k, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * Records a protocol violation from {@code ip}.
   *
   * @return true if this violation got the IP banned
   */
  synchronized boolean violation(String ip, long nowNanos) {
    if (!violations.containsKey(ip) && violations.size() >= maxTrackedIps) {
      evictStale(nowNanos);
      if (violations.size() >= maxTrackedIps) {
        violations.remove(violations.keySet().iterator().next());
      }
    }
    ArrayDeque<Long> times = violations.computeIfAbsent(ip, k -> new ArrayDeque<>());
    times.addLast(nowNanos);
    while (!times.isEmpty() && nowNanos - times.peekFirst() > violationWindowNanos) {
      times.removeFirst();
    }
    if (times.size() >= violationsBeforeBan) {
      violations.remove(ip);
      if (bannedUntil.size() >= maxTrackedIps) {
        evictExpiredBans(nowNanos);
      }
      bannedUntil.put(ip, nowNanos + banNanos);
      return true;
    }
    return false;
  }

  synchronized int trackedAddresses() {
    return violations.size();
  }

  synchronized boolean isBanned(String ip, long nowNanos) {
    Long until = bannedUntil.get(ip);
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
