package dev.chorus.node.internal.trackerclient;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.limits.TokenBucket;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lookups sent to the tracker and not yet answered, each with its timeout, plus the rate
 * limiter and the cap on how many may wait. Ids come from one counter that outlives connections,
 * so an answer that comes after its timeout (or for an id we never sent) finds nothing and is
 * ignored.
 * Not thread-safe: used only on the client's event loop.
 */
final class PendingLookups {
  // The client's logger, so that log names stay what they were before the split.
  private static final Logger log = LoggerFactory.getLogger(TrackerClient.class);

  private final TrackerClientConfig config;
  private final EventLoop loop;
  private final TrackerClientListener listener;
  private final TokenBucket limiter;
  private final Map<Long, Entry> waiting = new HashMap<>();
  private long nextId;

  PendingLookups(TrackerClientConfig config, EventLoop loop, TrackerClientListener listener) {
    this.config = config;
    this.loop = loop;
    this.listener = listener;
    this.limiter = new TokenBucket(config.lookupsPerSecond(), config.lookupBurst(), System.nanoTime());
  }

  /** Sends a lookup on the ready {@code channel}, or fails {@code result} if over a limit. */
  void start(Channel channel, TrackId track, byte[] wanted, int maxPeers,
      CompletableFuture<List<TrackerPeerInfo>> result) {
    if (waiting.size() >= TrackerClient.MAX_PENDING_LOOKUPS) {
      fail(result, TrackerException.Reason.LIMITED, ErrorCode.LIMIT_EXCEEDED,
          TrackerClient.MAX_PENDING_LOOKUPS + " lookups already waiting for the tracker");
      return;
    }
    long now = System.nanoTime();
    if (!limiter.tryTake(now)) {
      fail(result, TrackerException.Reason.LIMITED, ErrorCode.RATE_LIMITED,
          "over the lookup rate of " + config.lookupsPerSecond() + "/s");
      return;
    }
    long id = ++nextId;
    ScheduledFuture<?> timeout = loop.schedule(() -> timedOut(id), config.lookupTimeout().toNanos(),
        TimeUnit.NANOSECONDS);
    waiting.put(id, new Entry(result, now, timeout));
    Lookup.Builder lookup = Lookup.newBuilder().setLookupId(id)
        .setTrackId(ByteString.copyFrom(track.bytes())).setMaxPeers(maxPeers);
    if (wanted != null) {
      lookup.setWanted(ChunkSets.bitmap(wanted));
    }
    channel.writeAndFlush(TrackerMessage.newBuilder().setLookup(lookup).build());
  }

  private void timedOut(long id) {
    Entry p = waiting.remove(id);
    if (p != null) {
      fail(p.result, TrackerException.Reason.TIMEOUT, ErrorCode.NONE,
          "no answer from the tracker within " + config.lookupTimeout());
    }
  }

  /** The tracker answered a lookup: completes it with the usable peers. */
  void answered(LookupResult answer) {
    Entry p = waiting.remove(answer.getLookupId());
    if (p == null) {
      log.debug("ignoring the answer to lookup {}: timed out or unknown", answer.getLookupId());
      return;
    }
    p.timeout.cancel(false);
    List<TrackerPeerInfo> peers = new ArrayList<>(answer.getPeersCount());
    for (TrackerPeer wire : answer.getPeersList()) {
      TrackerPeerInfo peer = TrackerPeerInfo.fromWire(wire);
      if (peer == null) {
        log.debug("ignoring an unusable peer in a lookup answer: {}", wire);
      } else {
        peers.add(peer);
      }
    }
    listener.lookupAnswered(peers.size(), System.nanoTime() - p.startNanos);
    p.result.complete(List.copyOf(peers));
  }

  /** Fails the waiting lookup the tracker refused; false if {@code error} is for none of them. */
  boolean refused(dev.chorus.protocol.wire.Error error) {
    Entry p = error.getLookupId() == 0 ? null : waiting.remove(error.getLookupId());
    if (p == null) {
      return false;
    }
    p.timeout.cancel(false);
    fail(p.result, TrackerException.Reason.REFUSED, error.getCode(),
        "the tracker refused the lookup: " + error.getCode() + (error.getDetail().isEmpty() ? "" : " (" + error.getDetail() + ")"));
    return true;
  }

  void fail(CompletableFuture<?> result, TrackerException.Reason reason, ErrorCode code, String message) {
    listener.lookupFailed(reason, code);
    result.completeExceptionally(new TrackerException(reason, code, message));
  }

  /** The connection ended: no answer will come for any waiting lookup. */
  void failAll(TrackerException.Reason reason, ErrorCode code, String message) {
    List<Entry> pending = new ArrayList<>(waiting.values());
    waiting.clear();
    for (Entry p : pending) {
      p.timeout.cancel(false);
      fail(p.result, reason, code, message);
    }
  }

  private static final class Entry {
    final CompletableFuture<List<TrackerPeerInfo>> result;
    final long startNanos;
    final ScheduledFuture<?> timeout;

    Entry(CompletableFuture<List<TrackerPeerInfo>> result, long startNanos, ScheduledFuture<?> timeout) {
      this.result = result;
      this.startNanos = startNanos;
      this.timeout = timeout;
    }
  }
}
