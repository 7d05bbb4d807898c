package dev.chorus.node.internal.portmap;

import java.util.List;
import java.util.Objects;

/**
 * The timing and order rules of {@link PortMappingCore}, in nanoseconds and seconds.
 *
 * @param order the protocols to try, first to last
 * @param lifetimeSeconds the lease asked for; RFC 6886 §3.3 recommends 7200 s
 * @param minRenewNanos never renew sooner than this after a grant (a gateway granting 1 s would
 *     otherwise make the node ask all the time)
 * @param renewRetryNanos after a failed renewal, try again this soon (or at half the time left, if less)
 * @param roundBackoffNanos after every protocol failed, the first wait before trying them all again;
 *     doubled after each failed round
 * @param maxRoundBackoffNanos the longest such wait
 * @param permanentRecheckNanos how often a permanent lease (lifetime 0) is asked for again, which
 *     also notices a gateway that rebooted and forgot it
 * @param conflictRetries how many other external ports to try when the one asked for is taken
 */
public record MappingPolicy(List<MappingProtocol> order, long lifetimeSeconds, long minRenewNanos,
    long renewRetryNanos, long roundBackoffNanos, long maxRoundBackoffNanos, long permanentRecheckNanos,
    int conflictRetries) {
  private static final long SECOND = 1_000_000_000L;

  public MappingPolicy {
    order = List.copyOf(Objects.requireNonNull(order, "order"));
    if (order.isEmpty() || order.stream().distinct().count() != order.size()) {
      throw new IllegalArgumentException("order must name each protocol at most once and at least one, was " + order);
    }
    if (lifetimeSeconds < 1 || lifetimeSeconds > 86_400) {
      throw new IllegalArgumentException("lifetimeSeconds must be in 1..86400, was " + lifetimeSeconds);
    }
    positive("minRenewNanos", minRenewNanos);
    positive("renewRetryNanos", renewRetryNanos);
    positive("roundBackoffNanos", roundBackoffNanos);
    positive("permanentRecheckNanos", permanentRecheckNanos);
    if (maxRoundBackoffNanos < roundBackoffNanos) {
      throw new IllegalArgumentException("maxRoundBackoffNanos must be at least roundBackoffNanos");
    }
    if (conflictRetries < 0 || conflictRetries > 10) {
      throw new IllegalArgumentException("conflictRetries must be in 0..10, was " + conflictRetries);
    }
  }

  /**
   * PCP first (it is NAT-PMP's successor and answers on the same port; a NAT-PMP-only gateway says
   * "unsupported version" at once), then NAT-PMP, then UPnP-IGD (the slowest: multicast discovery,
   * an XML description, SOAP). 2 h leases renewed at half-life, rounds retried after 1 min doubling
   * to 30 min.
   */
  public static MappingPolicy defaults() {
    return new MappingPolicy(List.of(MappingProtocol.PCP, MappingProtocol.NAT_PMP, MappingProtocol.UPNP_IGD),
        7200, SECOND, 30 * SECOND, 60 * SECOND, 30 * 60 * SECOND, 30 * 60 * SECOND, 3);
  }

  public MappingPolicy withOrder(List<MappingProtocol> newOrder) {
    return new MappingPolicy(newOrder, lifetimeSeconds, minRenewNanos, renewRetryNanos, roundBackoffNanos,
        maxRoundBackoffNanos, permanentRecheckNanos, conflictRetries);
  }

  public MappingPolicy withLifetimeSeconds(long lifetime) {
    return new MappingPolicy(order, lifetime, minRenewNanos, renewRetryNanos, roundBackoffNanos,
        maxRoundBackoffNanos, permanentRecheckNanos, conflictRetries);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
