package dev.chorus.node.internal.trackerclient;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Coordinate;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.Withdraw;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Turns holdings into announce and withdraw messages. Deltas wait {@link
 * TrackerClientConfig#deltaDelay()} and are coalesced per track (the last word on a track wins, so
 * an announce cancels a pending withdraw and the other way round); a full announce is split into
 * parts of at most {@link TrackerClientConfig#maxTracksPerAnnounce()} tracks and {@link
 * TrackerClient#MAX_ANNOUNCE_BYTES}, all but the last marked {@code more} so that the tracker
 * replaces the node's entries only once it has them all. Not thread-safe: used only on the client's
 * event loop.
 */
final class AnnounceBatcher {
  private final TrackerClientConfig config;
  private final EventLoop loop;
  private final HoldingsSource source;
  private final TrackerClientListener listener;
  /** The connection when it is ready for announces, else null. */
  private final Supplier<Channel> readyChannel;
  private final Map<TrackId, Holding> pendingAnnounces = new LinkedHashMap<>();
  private final Set<TrackId> pendingWithdraws = new LinkedHashSet<>();
  private ScheduledFuture<?> deltaTimer;
  /**
   * Tracks per message: the configured maximum until a tracker refused a message as too large
   * ({@link #halveMessageSize}).
   */
  private int tracksPerMessage;

  AnnounceBatcher(TrackerClientConfig config, EventLoop loop, HoldingsSource source,
      TrackerClientListener listener, Supplier<Channel> readyChannel) {
    this.config = config;
    this.loop = loop;
    this.source = source;
    this.listener = listener;
    this.readyChannel = readyChannel;
    this.tracksPerMessage = config.maxTracksPerAnnounce();
  }

  /**
   * A tracker closed the connection because a message held more tracks than it takes ({@code
   * Goodbye{LIMIT_EXCEEDED}}): send at most half as many per message from now on (at least one).
   * Returns the new size.
   */
  int halveMessageSize() {
    tracksPerMessage = Math.max(1, tracksPerMessage / 2);
    return tracksPerMessage;
  }

  int tracksPerMessage() {
    return tracksPerMessage;
  }

  void announce(List<Holding> holdings) {
    for (Holding h : holdings) {
      pendingWithdraws.remove(h.track());
      pendingAnnounces.put(h.track(), h);
    }
    scheduleDeltas();
  }

  void withdraw(List<TrackId> tracks) {
    for (TrackId t : tracks) {
      pendingAnnounces.remove(t);
      pendingWithdraws.add(t);
    }
    scheduleDeltas();
  }

  /** Drops the pending deltas: a full announce supersedes them, a lost connection voids them. */
  void clear() {
    if (deltaTimer != null) {
      deltaTimer.cancel(false);
    }
    deltaTimer = null;
    pendingAnnounces.clear();
    pendingWithdraws.clear();
  }

  private void scheduleDeltas() {
    if (deltaTimer == null) {
      deltaTimer = loop.schedule(this::sendDeltas, config.deltaDelay().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void sendDeltas() {
    deltaTimer = null;
    Channel ch = readyChannel.get();
    if (ch == null || (pendingAnnounces.isEmpty() && pendingWithdraws.isEmpty())) {
      return;
    }
    if (!pendingWithdraws.isEmpty()) {
      int count = pendingWithdraws.size();
      Withdraw.Builder w = Withdraw.newBuilder();
      for (TrackId t : pendingWithdraws) {
        if (w.getTrackIdsCount() == tracksPerMessage) {
          ch.write(TrackerMessage.newBuilder().setWithdraw(w).build());
          w = Withdraw.newBuilder();
        }
        w.addTrackIds(ByteString.copyFrom(t.bytes()));
      }
      ch.write(TrackerMessage.newBuilder().setWithdraw(w).build());
      pendingWithdraws.clear();
      listener.withdrawSent(count);
    }
    if (!pendingAnnounces.isEmpty()) {
      int count = pendingAnnounces.size();
      writeAnnounce(ch, false, pendingAnnounces.values());
      pendingAnnounces.clear();
      listener.announceSent(count, false);
    }
    ch.flush();
  }

  /**
   * Writes {@code holdings} as announces of at most maxTracksPerAnnounce tracks and {@link
   * TrackerClient#MAX_ANNOUNCE_BYTES} each; a full one has {@code more} set on all but the last,
   * and is one empty message for an empty cache. Returns the last write's future; the caller
   * flushes.
   */
  ChannelFuture writeAnnounce(Channel ch, boolean full, Collection<Holding> holdings) {
    Coordinate coordinate = coordinate();
    Announce.Builder part = newAnnounce(full, coordinate);
    int bytes = 0;
    Iterator<Holding> it = holdings.iterator();
    while (it.hasNext()) {
      TrackHolding t = toWire(it.next());
      int size = t.getSerializedSize() + 8;
      if (part.getTracksCount() > 0
          && (part.getTracksCount() >= tracksPerMessage || bytes + size > TrackerClient.MAX_ANNOUNCE_BYTES)) {
        ch.write(TrackerMessage.newBuilder().setAnnounce(part.setMore(full)).build());
        part = newAnnounce(full, coordinate);
        bytes = 0;
      }
      part.addTracks(t);
      bytes += size;
    }
    return ch.write(TrackerMessage.newBuilder().setAnnounce(part.setMore(false)).build());
  }

  private Announce.Builder newAnnounce(boolean full, Coordinate coordinate) {
    Announce.Builder a = Announce.newBuilder().setFull(full).setCoordinate(coordinate);
    if (!config.region().isEmpty()) {
      a.setRegion(config.region());
    }
    return a;
  }

  private static TrackHolding toWire(Holding h) {
    byte[] bitmap = h.bitmap();
    ChunkSet chunks = bitmap == null ? ChunkSets.complete() : ChunkSets.bitmap(bitmap);
    return TrackHolding.newBuilder().setTrackId(ByteString.copyFrom(h.track().bytes()))
        .setChunks(chunks).setChunkCount(h.chunkCount()).build();
  }

  /** The node's network coordinate as it is now, sent in hellos and announces. */
  Coordinate coordinate() {
    return source.coordinate().toWire();
  }
}
