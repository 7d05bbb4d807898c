package dev.chorus.tracker;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a tracker takes part in NAT traversal: whether it relays connection reversals, which
 * addresses it probes to find out whether a node is reachable, and the bounds on both. Immutable;
 * validated once by {@link Builder#build()}, whose errors name the setting.
 *
 * <p>The probe dials the IP a node connects from, at the port its {@code Hello} gives. A node can
 * choose the port, so a probe is a connection the node makes the tracker open; the probe ranges
 * keep it to the internet by default (a node on the operator's own network cannot aim the
 * tracker at its neighbours). A node outside the ranges is not probed and its listen port is
 * trusted, as before traversal existed.
 */
public final class TraversalConfig {
  private final boolean reversal;
  private final boolean punching;
  private final Duration punchStartDelay;
  private final boolean probe;
  private final List<IpRange> probeRanges;
  private final Duration probeTimeout;
  private final double probesPerSecond;
  private final int probeBurst;
  private final int maxProbesInFlight;
  private final double reversalsPerSecondPerRequester;
  private final int reversalBurstPerRequester;
  private final double reversalsPerSecondPerHolder;
  private final int reversalBurstPerHolder;

  private TraversalConfig(Builder b) {
    reversal = b.reversal;
    punching = b.punching;
    punchStartDelay = b.punchStartDelay;
    probe = b.probe;
    probeRanges = List.copyOf(b.probeRanges);
    probeTimeout = b.probeTimeout;
    probesPerSecond = b.probesPerSecond;
    probeBurst = b.probeBurst;
    maxProbesInFlight = b.maxProbesInFlight;
    reversalsPerSecondPerRequester = b.reversalsPerSecondPerRequester;
    reversalBurstPerRequester = b.reversalBurstPerRequester;
    reversalsPerSecondPerHolder = b.reversalsPerSecondPerHolder;
    reversalBurstPerHolder = b.reversalBurstPerHolder;
  }

  public static TraversalConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether the tracker relays reversals and indexes nodes that only reversal reaches. */
  public boolean reversal() {
    return reversal;
  }

  /**
   * Whether the tracker coordinates hole punching between two unreachable nodes that both take
   * part in it (only when it relays reversals too). Punches are rate-limited with the reversal
   * rates, in buckets of their own.
   */
  public boolean punching() {
    return reversal && punching;
  }

  /**
   * How long after receiving its {@code PunchWith} each side of a punch starts dialling: the
   * tracker sends both at once, so this covers the spread of the two tracker connections' delays
   * (a router that drops the early side's SYN leaves it to be retransmitted).
   */
  public Duration punchStartDelay() {
    return punchStartDelay;
  }

  /** Whether the tracker probes nodes' listen ports at all. */
  public boolean probe() {
    return probe;
  }

  /** Ranges probed besides public addresses; empty: public addresses only. */
  public List<IpRange> probeRanges() {
    return probeRanges;
  }

  /**
   * Whether a node connecting from {@code ip} is probed: any public address, and addresses in
   * {@link #probeRanges()}; never a loopback, private, link-local, shared or documentation address
   * the operator did not list.
   */
  public boolean probes(InetAddress ip) {
    if (!probe) {
      return false;
    }
    for (IpRange r : probeRanges) {
      if (r.contains(ip)) {
        return true;
      }
    }
    return IpRange.isPublic(ip);
  }

  public Duration probeTimeout() {
    return probeTimeout;
  }

  public double probesPerSecond() {
    return probesPerSecond;
  }

  public int probeBurst() {
    return probeBurst;
  }

  public int maxProbesInFlight() {
    return maxProbesInFlight;
  }

  public double reversalsPerSecondPerRequester() {
    return reversalsPerSecondPerRequester;
  }

  public int reversalBurstPerRequester() {
    return reversalBurstPerRequester;
  }

  public double reversalsPerSecondPerHolder() {
    return reversalsPerSecondPerHolder;
  }

  public int reversalBurstPerHolder() {
    return reversalBurstPerHolder;
  }

  @Override
  public String toString() {
    return "TraversalConfig[reversal=" + reversal + ", punching=" + punching() + ", probe=" + probe + ", probeRanges=" + probeRanges
        + " + public, probeTimeout=" + probeTimeout + ", probes " + probesPerSecond + "/s burst " + probeBurst
        + " (" + maxProbesInFlight + " at once), reversals " + reversalsPerSecondPerRequester + "/s per requester, "
        + reversalsPerSecondPerHolder + "/s per holder]";
  }

  public static final class Builder {
    private boolean reversal = true;
    private boolean punching = true;
    private Duration punchStartDelay = Duration.ofMillis(200);
    private boolean probe = true;
    private List<IpRange> probeRanges = new ArrayList<>();
    private Duration probeTimeout = Duration.ofSeconds(3);
    private double probesPerSecond = 50;
    private int probeBurst = 200;
    private int maxProbesInFlight = 256;
    private double reversalsPerSecondPerRequester = 2;
    private int reversalBurstPerRequester = 10;
    private double reversalsPerSecondPerHolder = 2;
    private int reversalBurstPerHolder = 10;

    private Builder() {}

    public Builder reversal(boolean v) {
      reversal = v;
      return this;
    }

    public Builder punching(boolean v) {
      punching = v;
      return this;
    }

    public Builder punchStartDelay(Duration v) {
      punchStartDelay = Objects.requireNonNull(v, "punchStartDelay");
      return this;
    }

    public Builder probe(boolean v) {
      probe = v;
      return this;
    }

    public Builder probeRanges(List<IpRange> v) {
      probeRanges = new ArrayList<>(Objects.requireNonNull(v, "probeRanges"));
      return this;
    }

    public Builder probeTimeout(Duration v) {
      probeTimeout = Objects.requireNonNull(v, "probeTimeout");
      return this;
    }

    public Builder probeRate(double perSecond, int burst) {
      probesPerSecond = perSecond;
      probeBurst = burst;
      return this;
    }

    public Builder maxProbesInFlight(int v) {
      maxProbesInFlight = v;
      return this;
    }

    public Builder reversalRatePerRequester(double perSecond, int burst) {
      reversalsPerSecondPerRequester = perSecond;
      reversalBurstPerRequester = burst;
      return this;
    }

    public Builder reversalRatePerHolder(double perSecond, int burst) {
      reversalsPerSecondPerHolder = perSecond;
      reversalBurstPerHolder = burst;
      return this;
    }

    public TraversalConfig build() {
      if (probeTimeout.compareTo(Duration.ofMillis(100)) < 0 || probeTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException("probeTimeout must be 100ms..60s, was " + probeTimeout);
      }
      if (punchStartDelay.isNegative() || punchStartDelay.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException("punchStartDelay must be 0..10s, was " + punchStartDelay);
      }
      positive("probesPerSecond", probesPerSecond);
      positive("reversalsPerSecondPerRequester", reversalsPerSecondPerRequester);
      positive("reversalsPerSecondPerHolder", reversalsPerSecondPerHolder);
      atLeastOne("probeBurst", probeBurst);
      atLeastOne("maxProbesInFlight", maxProbesInFlight);
      atLeastOne("reversalBurstPerRequester", reversalBurstPerRequester);
      atLeastOne("reversalBurstPerHolder", reversalBurstPerHolder);
      if (probeRanges.size() > 64) {
        throw new IllegalArgumentException("probeRanges: at most 64, got " + probeRanges.size());
      }
      return new TraversalConfig(this);
    }

    private static void positive(String name, double v) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(name + " must be a positive number, was " + v);
      }
    }

    private static void atLeastOne(String name, int v) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, was " + v);
      }
    }
  }
}
