package dev.chorus.node;

import dev.chorus.node.internal.trackerclient.PlaybackTotals;
import dev.chorus.protocol.message.PlaybackReports;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The node's counters; thread-safe. Bytes played and fetched are in the {@link PlayedBytesLedger};
 * start latencies go to an HdrHistogram.
 */
final class NodeStatsRecorder {
  private final PlayedBytesLedger ledger = new PlayedBytesLedger();
  private final ChunkSources chunkSources = new ChunkSources();
  private final PeerTraffic peerTraffic = new PeerTraffic();
  private final LongAdder uploaded = new LongAdder();
  private final LongAdder playbacks = new LongAdder();
  private final LongAdder stutters = new LongAdder();
  private final LongAdder banned = new LongAdder();
  /** The port mapping as NodeStats shows it; replaced whole, so readers see one consistent view. */
  private volatile PortMappingView portMapping = PortMappingView.OFF;

  /** What {@link NodeStats} shows of the port mapping. */
  record PortMappingView(String state, String protocol, String externalAddress, int externalPort) {
    static final PortMappingView OFF = new PortMappingView("off", "", "", 0);
  }

  private final LongAdder reversalsConnected = new LongAdder();
  private final LongAdder reversalsFailed = new LongAdder();
  private final LongAdder reversalsServed = new LongAdder();
  private final LongAdder punchesConnected = new LongAdder();
  private final LongAdder punchesFailed = new LongAdder();
  private final LongAdder punchesDialled = new LongAdder();

  private final LongAdder trackerHoldingsRefused = new LongAdder();
  private final Recorder startLatency = new Recorder(TimeUnit.MINUTES.toNanos(10), 3);
  private final Histogram latencies = new Histogram(TimeUnit.MINUTES.toNanos(10), 3);
  /** Start latencies in the tracker report's buckets (PlaybackReports). */
  private final LongAdder[] startBuckets = new LongAdder[PlaybackReports.START_LATENCY_BUCKETS];

  NodeStatsRecorder() {
    for (int i = 0; i < startBuckets.length; i++) {
      startBuckets[i] = new LongAdder();
    }
  }

  PlayedBytesLedger ledger() {
    return ledger;
  }

  /** Where the chunks of the last few tracks came from (the node's page). */
  ChunkSources chunkSources() {
    return chunkSources;
  }

  /** Bytes exchanged per peer (the node's page, the demo). */
  PeerTraffic peerTraffic() {
    return peerTraffic;
  }

  void uploaded(long bytes) {
    uploaded.add(bytes);
  }

  void started(long latencyNanos) {
    // The bucket before the play: a reader then sees at most as many latencies as plays... or
    // one more, which the report builder caps (PlaybackDeltas).
    startBuckets[PlaybackReports.startLatencyBucket(TimeUnit.NANOSECONDS.toMillis(Math.max(0, latencyNanos)))].increment();
    playbacks.increment();
    startLatency.recordValue(Math.max(0, Math.min(latencyNanos, TimeUnit.MINUTES.toNanos(10))));
  }

  void stutter() {
    stutters.increment();
  }

  /** A reversal this node asked for ended: the holder connected, or not. */
  void reversal(boolean connected) {
    (connected ? reversalsConnected : reversalsFailed).increment();
  }

  /** A punch this node asked for ended: a link to the holder came of it, or not. */
  void punch(boolean connected) {
    (connected ? punchesConnected : punchesFailed).increment();
  }

  /** This node dialled the other side of a punch the tracker coordinated (ours or another's). */
  void punchDialled() {
    punchesDialled.increment();
  }

  /** Punches asked for, by outcome: {@code connected} or {@code failed}; {@code dialled}: punch dials made. */
  long punches(String outcome) {
    return switch (outcome) {
      case "connected" -> punchesConnected.sum();
      case "failed" -> punchesFailed.sum();
      default -> punchesDialled.sum();
    };
  }

  /** This node dialled a requester because the tracker relayed its reversal. */
  void reversalServed() {
    reversalsServed.increment();
  }

  /** Reversals asked for, by outcome: {@code connected} or {@code failed}; {@code served}: those dialled for others. */
  long reversals(String outcome) {
    return switch (outcome) {
      case "connected" -> reversalsConnected.sum();
      case "failed" -> reversalsFailed.sum();
      default -> reversalsServed.sum();
    };
  }

  /** The tracker answered an announce with {@code LIMIT_EXCEEDED}. */
  void trackerHoldingsRefused() {
    trackerHoldingsRefused.increment();
  }

  long trackerHoldingsRefusals() {
    return trackerHoldingsRefused.sum();
  }

  void banned() {
    banned.increment();
  }

  void portMapping(PortMappingView view) {
    portMapping = view;
  }

  PortMappingView portMapping() {
    return portMapping;
  }

  long bytesUploaded() {
    return uploaded.sum();
  }

  long stutters() {
    return stutters.sum();
  }

  /** The counters the tracker client reports from; nothing in them names a track. */
  PlaybackTotals playbackTotals() {
    PlayedBytesLedger.Totals bytes = ledger.totals();
    long[] buckets = new long[startBuckets.length];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = startBuckets[i].sum();
    }
    long notPlayed = bytes.fetchedFromPeers() + bytes.fetchedFromCdn() - bytes.played().fromPeers() - bytes.played().fromCdn();
    return new PlaybackTotals(bytes.played().fromCache(), bytes.played().fromPeers(), bytes.played().fromCdn(),
        Math.max(0, notPlayed), playbacks.sum(), stutters.sum(), buckets, uploaded.sum());
  }

  NodeStats snapshot(int neighbours) {
    long p50;
    long p90;
    synchronized (latencies) {
      latencies.add(startLatency.getIntervalHistogram());
      p50 = latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(50);
      p90 = latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(90);
    }
    PlayedBytesLedger.Totals bytes = ledger.totals();
    return new NodeStats(bytes.played(), bytes.fetchedFromPeers(), bytes.fetchedFromCdn(), uploaded.sum(),
        playbacks.sum(), p50, p90, stutters.sum(), banned.sum(), neighbours, portMapping.state(), portMapping.protocol(),
        portMapping.externalAddress(), portMapping.externalPort());
  }
}
