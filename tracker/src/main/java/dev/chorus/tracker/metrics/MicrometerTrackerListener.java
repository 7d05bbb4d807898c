package dev.chorus.tracker.metrics;

import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.index.AnnounceResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns tracker events into Micrometer meters (names under {@code chorus.tracker}). Meters are
 * created once, up front, so the event path is a counter increment.
 */
public final class MicrometerTrackerListener implements TrackerListener {
  private final AtomicInteger connected = new AtomicInteger();
  private final Map<Outcome, Counter> announces = new EnumMap<>(Outcome.class);
  private final Map<Outcome, Counter> withdraws = new EnumMap<>(Outcome.class);
  private final Map<Outcome, Counter> lookups = new EnumMap<>(Outcome.class);
  private final Map<ErrorCode, Counter> rejections = new EnumMap<>(ErrorCode.class);
  private final Map<ErrorCode, Counter> closes = new EnumMap<>(ErrorCode.class);
  private final Counter announcedTracks;
  private final Counter emptyLookups;
  private final Counter bans;
  private final Counter bytesIn;
  private final Map<AnnounceResult.Refusal, Counter> refusedHoldings = new EnumMap<>(AnnounceResult.Refusal.class);
  private final Counter bytesOut;
  private final Timer lookupLatency;
  private final DistributionSummary peersReturned;

  public MicrometerTrackerListener(MeterRegistry registry) {
    io.micrometer.core.instrument.Gauge.builder("chorus.tracker.connected.peers", connected, AtomicInteger::get)
        .description("Nodes connected and past the handshake").register(registry);
    for (Outcome o : Outcome.values()) {
      String outcome = o.name().toLowerCase(Locale.ROOT);
      announces.put(o, Counter.builder("chorus.tracker.announces").tag("outcome", outcome)
          .description("Announce messages handled, by outcome").register(registry));
      withdraws.put(o, Counter.builder("chorus.tracker.withdraws").tag("outcome", outcome)
          .description("Withdraw messages handled, by outcome").register(registry));
      lookups.put(o, Counter.builder("chorus.tracker.lookups").tag("outcome", outcome)
          .description("Lookups handled, by outcome").register(registry));
    }
    for (ErrorCode code : new ErrorCode[] {ErrorCode.RATE_LIMITED, ErrorCode.TOO_MANY_CONNECTIONS, ErrorCode.BANNED}) {
      rejections.put(code, Counter.builder("chorus.tracker.rejections").tag("reason", code.name().toLowerCase(Locale.ROOT))
          .description("Requests and connections refused, by reason").register(registry));
    }
    for (ErrorCode code : ErrorCode.values()) {
      if (code != ErrorCode.UNRECOGNIZED) {
        closes.put(code, Counter.builder("chorus.tracker.disconnects").tag("reason", code.name().toLowerCase(Locale.ROOT))
            .description("Connections ended, by reason (none = ordinary close)").register(registry));
      }
    }
    for (AnnounceResult.Refusal r : AnnounceResult.Refusal.values()) {
      refusedHoldings.put(r, Counter.builder("chorus.tracker.holdings.refused").tag("reason", r.label())
          .description("Announced holdings not indexed because a bound was reached, by bound").register(registry));
    }
    announcedTracks = Counter.builder("chorus.tracker.announced.tracks")
        .description("Track holdings received in announces").register(registry);
    emptyLookups = Counter.builder("chorus.tracker.lookups.empty")
        .description("Lookups answered with no peer").register(registry);
    bans = Counter.builder("chorus.tracker.bans").description("IP addresses banned").register(registry);
    bytesIn = Counter.builder("chorus.tracker.bytes.received").baseUnit("bytes")
        .description("Bytes received from nodes").register(registry);
    bytesOut = Counter.builder("chorus.tracker.bytes.sent").baseUnit("bytes")
        .description("Bytes sent to nodes").register(registry);
    lookupLatency = Timer.builder("chorus.tracker.lookup.latency")
        .description("Time from a lookup's arrival to its answer being written")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry);
    peersReturned = DistributionSummary.builder("chorus.tracker.lookup.peers")
        .description("Peers returned per lookup")
        .serviceLevelObjectives(1, 2, 5, 10, 20, 30, 50)
        .register(registry);
  }

  @Override
  public void connectionOpened() {
    connected.incrementAndGet();
  }

  @Override
  public void connectionClosed(ErrorCode reason, boolean closedByTracker) {
    connected.decrementAndGet();
    Counter c = closes.get(reason);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void announceHandled(Outcome outcome, int tracks) {
    announces.get(outcome).increment();
    if (outcome == Outcome.OK) {
      announcedTracks.increment(tracks);
    }
  }

  @Override
  public void withdrawHandled(Outcome outcome, int tracks) {
    withdraws.get(outcome).increment();
  }

  @Override
  public void lookupHandled(Outcome outcome, int peers, long latencyNanos) {
    lookups.get(outcome).increment();
    if (outcome == Outcome.OK) {
      lookupLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
      peersReturned.record(peers);
      if (peers == 0) {
        emptyLookups.increment();
      }
    }
  }

  @Override
  public void rejected(ErrorCode code) {
    Counter c = rejections.get(code);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void holdingsRefused(AnnounceResult.Refusal reason, int count) {
    refusedHoldings.get(reason).increment(count);
  }

  @Override
  public void banned() {
    bans.increment();
  }

  @Override
  public void bytesReceived(long bytes) {
    bytesIn.increment(bytes);
  }

  @Override
  public void bytesSent(long bytes) {
    bytesOut.increment(bytes);
  }
}
