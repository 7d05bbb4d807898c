package dev.chorus.node.internal.portmap;

import dev.chorus.node.internal.portmap.PortMappingStatus.State;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Decides how the node keeps a port mapped: which protocol to try in which order, what to do
 * when one fails, when to renew, when to give up and start over, and what to remove on close.
 * Pure: the time comes in ({@code nowNanos}), commands go out; no I/O, no threads, no clock. One
 * thread at a time calls it (the shell's).
 *
 * <p>The rules: a round tries the protocols in {@link MappingPolicy#order()}; the first grant
 * wins. A taken external port (CONFLICT) is retried with a random other port, a gateway that only
 * grants permanent leases is asked again with lifetime 0; any other failure moves on to the next
 * protocol. When all failed, the next round starts after a backoff (1 min doubling to 30 min by
 * default). A mapping is renewed at half its lifetime (the RFC 6886 §3.3 advice, also used for
 * PCP and UPnP leases), asking for the same external port; a failed renewal is retried until the
 * mapping expires, then it counts as lost and a new round starts. A gateway may grant an external
 * port other than the one asked for: that port is the mapping (the shell announces it).
 */
public final class PortMappingCore {
  private final MappingPolicy policy;
  private final int internalPort;
  private final RandomGenerator random;

  private State state = State.DISCOVERING;
  private Mapping mapping;
  private long mappingExpiresNanos;
  private boolean renewing;
  /** Index in the policy's order of the protocol being tried in this round. */
  private int protocolIndex;
  private int conflicts;
  private int suggestedPort;
  private long lifetimeAsked;
  private int failedRounds;
  private long nextWakeNanos = Long.MAX_VALUE;
  private String lastError = "";

  public PortMappingCore(MappingPolicy policy, int internalPort, RandomGenerator random) {
    this.policy = Objects.requireNonNull(policy, "policy");
    if (internalPort < 1 || internalPort > 65_535) {
      throw new IllegalArgumentException("internalPort must be in 1..65535, was " + internalPort);
    }
    this.internalPort = internalPort;
    this.random = Objects.requireNonNull(random, "random");
  }

  /** The first command: the first protocol of the first round. */
  public MappingCommand start(long nowNanos) {
    return beginRound();
  }

  /** The gateway granted what the last {@link MappingCommand.Map} asked for. */
  public MappingCommand mapped(Mapping granted, long nowNanos) {
    Objects.requireNonNull(granted, "granted");
    if (state == State.STOPPED) {
      return new MappingCommand.Unmap(granted); // it arrived after close: do not leave it behind
    }
    state = State.MAPPED;
    mapping = granted;
    renewing = false;
    failedRounds = 0;
    lastError = "";
    long lifetime = granted.lifetimeSeconds();
    if (lifetime == 0) {
      mappingExpiresNanos = Long.MAX_VALUE;
      nextWakeNanos = saturatedAdd(nowNanos, policy.permanentRecheckNanos());
    } else {
      mappingExpiresNanos = saturatedAdd(nowNanos, lifetime * 1_000_000_000L);
      nextWakeNanos = saturatedAdd(nowNanos, Math.max(policy.minRenewNanos(), lifetime * 500_000_000L));
    }
    return MappingCommand.WAIT;
  }

  /** The last {@link MappingCommand.Map} failed. */
  public MappingCommand failed(MappingFailure failure, String detail, long nowNanos) {
    Objects.requireNonNull(failure, "failure");
    lastError = protocolNow() + ": " + detail;
    if (state == State.STOPPED) {
      return MappingCommand.WAIT;
    }
    if (renewing) {
      return renewalFailed(nowNanos);
    }
    MappingProtocol protocol = protocolNow();
    if (failure == MappingFailure.CONFLICT && conflicts < policy.conflictRetries()) {
      conflicts++;
      suggestedPort = 1024 + random.nextInt(65_536 - 1024);
      return new MappingCommand.Map(protocol, suggestedPort, lifetimeAsked);
    }
    if (failure == MappingFailure.PERMANENT_ONLY && lifetimeAsked != 0) {
      lifetimeAsked = 0;
      return new MappingCommand.Map(protocol, suggestedPort, 0);
    }
    protocolIndex++;
    if (protocolIndex < policy.order().size()) {
      return firstAsk();
    }
    state = State.FAILED;
    long backoff = policy.roundBackoffNanos();
    for (int i = 0; i < failedRounds && backoff < policy.maxRoundBackoffNanos(); i++) {
      backoff *= 2;
    }
    failedRounds++;
    nextWakeNanos = saturatedAdd(nowNanos, Math.min(backoff, policy.maxRoundBackoffNanos()));
    return MappingCommand.WAIT;
  }

  /** Call at {@link #nextWakeNanos()} (earlier calls do nothing): renews, or starts a new round. */
  public MappingCommand tick(long nowNanos) {
    if (state == State.STOPPED || nowNanos - nextWakeNanos < 0 || nextWakeNanos == Long.MAX_VALUE) {
      return MappingCommand.WAIT;
    }
    nextWakeNanos = Long.MAX_VALUE;
    if (state == State.FAILED) {
      return beginRound();
    }
    if (state == State.MAPPED) {
      if (mappingExpiresNanos != Long.MAX_VALUE && nowNanos - mappingExpiresNanos >= 0) {
        return lost("the mapping expired before the gateway renewed it");
      }
      renewing = true;
      lifetimeAsked = mapping.lifetimeSeconds() == 0 ? 0 : policy.lifetimeSeconds();
      return new MappingCommand.Map(mapping.protocol(), mapping.externalPort(), lifetimeAsked);
    }
    return MappingCommand.WAIT;
  }

  /** The node is closing: remove the mapping, if there is one. Nothing is asked after this. */
  public MappingCommand stop(long nowNanos) {
    state = State.STOPPED;
    nextWakeNanos = Long.MAX_VALUE;
    Mapping held = mapping;
    mapping = null;
    return held == null ? MappingCommand.WAIT : new MappingCommand.Unmap(held);
  }

  /** When {@link #tick} has something to do; {@link Long#MAX_VALUE} for never. */
  public long nextWakeNanos() {
    return nextWakeNanos;
  }

  public PortMappingStatus status() {
    return new PortMappingStatus(state, mapping, lastError);
  }

  private MappingCommand renewalFailed(long nowNanos) {
    renewing = false;
    if (mappingExpiresNanos == Long.MAX_VALUE) { // a permanent lease: keep it, check again later
      nextWakeNanos = saturatedAdd(nowNanos, policy.renewRetryNanos());
      return MappingCommand.WAIT;
    }
    long left = mappingExpiresNanos - nowNanos;
    if (left <= 0) {
      return lost("the gateway did not renew the mapping before it expired");
    }
    nextWakeNanos = nowNanos + Math.max(1, Math.min(policy.renewRetryNanos(), left / 2));
    return MappingCommand.WAIT;
  }

  private MappingCommand lost(String why) {
    lastError = mapping.protocol() + ": " + why;
    mapping = null;
    return beginRound();
  }

  private MappingCommand beginRound() {
    state = State.DISCOVERING;
    renewing = false;
    mapping = null;
    protocolIndex = 0;
    return firstAsk();
  }

  private MappingCommand firstAsk() {
    conflicts = 0;
    suggestedPort = internalPort;
    lifetimeAsked = policy.lifetimeSeconds();
    return new MappingCommand.Map(protocolNow(), suggestedPort, lifetimeAsked);
  }

  private MappingProtocol protocolNow() {
    if (renewing || state == State.MAPPED) {
      return mapping.protocol();
    }
    return policy.order().get(Math.min(protocolIndex, policy.order().size() - 1));
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
