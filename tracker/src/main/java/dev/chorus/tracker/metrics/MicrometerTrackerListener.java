package dev.chorus.tracker.metrics;

import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.tracker.TrackerConfig;
import dev.chorus.tracker.TrackerListener;
import dev.chorus.tracker.index.AnnounceResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  private final MeterRegistry registry;
  private final Map<Outcome, Counter> reports = new EnumMap<>(Outcome.class);
  /** One set of playback meters per region label; the tracker bounds the labels (TrackerConfig). */
  private final Map<String, PlaybackMeters> playback = new ConcurrentHashMap<>();
  private final Map<String, Counter> verdicts = new java.util.HashMap<>();
  private final Map<String, Counter> reversals = new java.util.HashMap<>();
  private final Map<String, Counter> punches = new java.util.HashMap<>();

  public MicrometerTrackerListener(MeterRegistry registry) {
    this.registry = registry;
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
    for (Outcome o : new Outcome[] {Outcome.OK, Outcome.RATE_LIMITED, Outcome.INVALID}) {
      reports.put(o, Counter.builder("chorus.tracker.playback.reports").tag("outcome", o.name().toLowerCase(Locale.ROOT))
          .description("Playback reports from nodes, by outcome (invalid and rate_limited ones are dropped)")
          .register(registry));
    }
    for (String v : new String[] {"reachable", "unreachable", "not_probed", "unknown"}) {
      verdicts.put(v, Counter.builder("chorus.tracker.reachability").tag("verdict", v)
          .description("Nodes' reachability decided after their Hello (dial-back probe), by verdict").register(registry));
    }
    for (String o : new String[] {"relayed", "holder_gone", "rate_limited", "refused"}) {
      reversals.put(o, Counter.builder("chorus.tracker.reversals").tag("outcome", o)
          .description("Connection reversal requests, by outcome").register(registry));
      punches.put(o, Counter.builder("chorus.tracker.punches").tag("outcome", o)
          .description("Hole punching requests, by outcome").register(registry));
    }
    // Present from the start, so that dashboards and alert rules find the series before any report.
    playback.put(TrackerConfig.NO_REGION_LABEL, new PlaybackMeters(registry, TrackerConfig.NO_REGION_LABEL));
  }

  /** The swarm's playback figures of one region label, as nodes reported them. */
  private static final class PlaybackMeters {
    private final Counter cache;
    private final Counter peers;
    private final Counter cdn;
    private final Counter unplayed;
    private final Counter uploaded;
    private final Counter plays;
    private final Counter stutters;
    private final Timer startLatency;

    PlaybackMeters(MeterRegistry registry, String region) {
      cache = played(registry, region, "cache");
      peers = played(registry, region, "peers");
      cdn = played(registry, region, "cdn");
      unplayed = Counter.builder("chorus.tracker.playback.unplayed").baseUnit("bytes").tag("region", region)
          .description("Bytes nodes fetched (from peers or the CDN) but never played").register(registry);
      uploaded = Counter.builder("chorus.tracker.playback.uploaded").baseUnit("bytes").tag("region", region)
          .description("Bytes nodes served to peers").register(registry);
      plays = Counter.builder("chorus.tracker.playback.plays").tag("region", region)
          .description("Playbacks nodes started").register(registry);
      stutters = Counter.builder("chorus.tracker.playback.stutters").tag("region", region)
          .description("Playback stalls after the start (the buffer ran dry)").register(registry);
      Duration[] bounds = PlaybackReports.START_LATENCY_BOUNDS_MILLIS.stream().map(Duration::ofMillis).toArray(Duration[]::new);
      startLatency = Timer.builder("chorus.tracker.playback.start.latency")
          .tag("region", region)
          .description("Time from play to first audio, as nodes reported it in buckets (the sum counts each play"
              + " at its bucket's upper bound, or 2x the last bound)")
          .serviceLevelObjectives(bounds)
          .register(registry);
    }

    private static Counter played(MeterRegistry registry, String region, String source) {
      return Counter.builder("chorus.tracker.playback.played").baseUnit("bytes").tag("region", region).tag("source", source)
          .description("Audio bytes nodes played, by where they came from (cache, peers, cdn)").register(registry);
    }

    void add(PlaybackReports.Figures f) {
      cache.increment(f.playedCacheBytes());
      peers.increment(f.playedPeerBytes());
      cdn.increment(f.playedCdnBytes());
      unplayed.increment(f.unplayedBytes());
      uploaded.increment(f.uploadedBytes());
      plays.increment(f.plays());
      stutters.increment(f.stutters());
      long[] counts = f.startLatencyCounts();
      List<Long> bounds = PlaybackReports.START_LATENCY_BOUNDS_MILLIS;
      for (int i = 0; i < counts.length; i++) {
        long millis = i < bounds.size() ? bounds.get(i) : 2 * bounds.get(bounds.size() - 1);
        // At most 2 plays a second of interval (PlaybackReports), so this loop is short.
        for (long n = 0; n < counts[i]; n++) {
          startLatency.record(millis, TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  @Override
  public void playbackReported(String region, PlaybackReports.Figures figures) {
    reports.get(Outcome.OK).increment();
    playback.computeIfAbsent(region, r -> new PlaybackMeters(registry, r)).add(figures);
  }

  @Override
  public void playbackReportRefused(Outcome outcome) {
    Counter c = reports.get(outcome);
    if (c != null) {
      c.increment();
    }
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
  public void reachabilityDecided(String verdict) {
    Counter c = verdicts.get(verdict);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void reversalHandled(String outcome) {
    Counter c = reversals.get(outcome);
    if (c != null) {
      c.increment();
    }
  }

  @Override
  public void punchHandled(String outcome) {
    Counter c = punches.get(outcome);
    if (c != null) {
      c.increment();
    }
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
