package dev.chorus.bench.tracker;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.SplittableRandom;

/**
 * One simulated node on one real tracker connection. It holds a cache of {@code cacheTracks}
 * tracks drawn by popularity, announces all of them (full) once the hello exchange is done, and
 * then, driven by the generator, sends operations: each is one {@code Lookup} (a popular track,
 * {@code maxPeers} peers) preceded by announces so that on average {@code announcesPerLookup} go
 * per lookup, each a delta re-announcing 1..{@code maxTracksPerAnnounce} tracks of its cache
 * (a node refreshing what it holds). Only lookups are answered; their round trip is recorded.
 *
 * <p>Closed loop: a reply triggers the next operation, so {@code inFlight} lookups stay
 * outstanding; announces are skipped while the tracker has too many unprocessed (see {@link
 * LoadGenerator#connect}). Open loop: {@link #sendDue} sends every operation whose scheduled time has come
 * and records latency from the scheduled time (coordinated-omission aware). Used only from the
 * channel's event loop, except the fields the generator reads after the phase ends.
 */
final class LoadConnection extends ChannelInboundHandlerAdapter {
  /** Outstanding lookups per connection at most (ring of send times). */
  static final int RING = 1 << 14;
  private static final ChunkSet COMPLETE = ChunkSet.newBuilder().setComplete(true).build();
  private static final String[] REGIONS = {"", "eu-west", "eu-north", "us-east", "us-west", "ap-south"};

  private final LoadGenerator generator;
  private final Workload workload;
  private final SplittableRandom random;
  private final int[] cache;
  private final ByteString[] cacheIds;
  private final long[] sentAt = new long[RING];
  private final int maxPeers;
  private final double announcesPerLookup;
  private final int maxTracksPerAnnounce;

  private Channel channel;
  private boolean helloDone;
  private long nextLookupId = 1;
  private int outstanding;
  private double announceCredit;
  private boolean wrote;
  // Open loop schedule.
  private long nextIntended;
  private long periodNanos;

  LoadConnection(LoadGenerator generator, Workload workload, LoadGenerator.Settings settings, long seed) {
    this.generator = generator;
    this.workload = workload;
    this.random = new SplittableRandom(seed);
    this.cache = new int[settings.cacheTracks];
    this.cacheIds = new ByteString[settings.cacheTracks];
    for (int i = 0; i < cache.length; i++) {
      cache[i] = workload.popularTrack(random);
      cacheIds[i] = UnsafeByteOperations.unsafeWrap(Workload.trackIdBytes(cache[i]));
    }
    this.maxPeers = settings.maxPeers;
    this.announcesPerLookup = settings.announcesPerLookup;
    this.maxTracksPerAnnounce = settings.maxTracksPerAnnounce;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof LookupReplyDecoder.Reply) {
      LookupReplyDecoder.Reply r = (LookupReplyDecoder.Reply) msg;
      replied(r.lookupId, r.peers, false);
      return;
    }
    TrackerMessage m = (TrackerMessage) msg;
    switch (m.getBodyCase()) {
      case LOOKUP_RESULT:
        LookupResult r = m.getLookupResult();
        replied(r.getLookupId(), r.getPeersCount(), false);
        break;
      case HELLO:
        if (!helloDone) {
          helloDone = true;
          announceCache();
          ctx.flush();
          generator.connectionReady();
        }
        break;
      case ERROR:
        generator.noteError("error " + m.getError().getCode() + ": " + m.getError().getDetail());
        if (m.getError().getLookupId() != 0) {
          replied(m.getError().getLookupId(), 0, true);
        }
        break;
      case GOODBYE:
        generator.noteError("goodbye " + m.getGoodbye().getReason() + ": " + m.getGoodbye().getDetail());
        ctx.fireChannelRead(msg); // the error handler records it and closes
        break;
      default:
        generator.noteError("unexpected " + m.getBodyCase());
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (wrote) {
      wrote = false;
      ctx.flush();
    }
    super.channelReadComplete(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (generator.mode() != LoadGenerator.Mode.CLOSING) {
      generator.noteError("connection closed by the tracker");
    }
    super.channelInactive(ctx);
  }

  private void replied(long lookupId, int peers, boolean error) {
    long now = System.nanoTime();
    int slot = (int) (lookupId & (RING - 1));
    long sent = sentAt[slot];
    if (sent == 0) {
      generator.noteError("reply to unknown lookup " + lookupId);
      return;
    }
    sentAt[slot] = 0;
    outstanding--;
    if (!error) {
      generator.replied(now - sent, peers, peers >= maxPeers);
    }
    if (generator.mode() == LoadGenerator.Mode.CLOSED_LOOP) {
      sendOperation(now);
    }
  }

  /** Closed loop: fills the window of {@code inFlight} lookups. Runs on the event loop. */
  void startClosedLoop(int inFlight) {
    long now = System.nanoTime();
    while (outstanding < inFlight) {
      sendOperation(now);
    }
    flushIfWritten();
  }

  /** Open loop: operations start at {@code firstNanos} and follow every {@code periodNanos}. */
  void startOpenLoop(long firstNanos, long periodNanos) {
    this.nextIntended = firstNanos;
    this.periodNanos = periodNanos;
  }

  /** Open loop: sends every operation scheduled up to {@code now}. Runs on the event loop. */
  void sendDue(long now) {
    while (nextIntended <= now) {
      if (outstanding >= RING - 1) {
        generator.overflows.increment(); // hopelessly behind: the phase is overloaded
      } else {
        generator.sentLate(now - nextIntended);
        sendOperation(nextIntended);
      }
      nextIntended += periodNanos;
    }
    flushIfWritten();
  }

  private void flushIfWritten() {
    if (wrote) {
      wrote = false;
      channel.flush();
    }
  }

  /** Announces as credit allows, then one lookup whose latency counts from {@code startNanos}. */
  private void sendOperation(long startNanos) {
    announceCredit += announcesPerLookup;
    if (generator.mode() == LoadGenerator.Mode.CLOSED_LOOP && !generator.announceWindowOpen()) {
      // The tracker has too many of our announces unprocessed: skip this operation's announces.
      announceCredit -= Math.floor(announceCredit);
    }
    while (announceCredit >= 1) {
      announceCredit -= 1;
      sendAnnounce();
    }
    long id = nextLookupId++;
    int slot = (int) (id & (RING - 1));
    sentAt[slot] = startNanos == 0 ? 1 : startNanos;
    outstanding++;
    byte[] track = new byte[32];
    Workload.trackIdBytes(workload.popularTrack(random), track);
    channel.write(TrackerMessage.newBuilder().setLookup(Lookup.newBuilder()
        .setLookupId(id)
        .setTrackId(UnsafeByteOperations.unsafeWrap(track))
        .setMaxPeers(maxPeers)).build(), channel.voidPromise());
    wrote = true;
  }

  private void sendAnnounce() {
    int n = 1 + random.nextInt(maxTracksPerAnnounce);
    Announce.Builder a = Announce.newBuilder().setFull(false);
    for (int i = 0; i < n; i++) {
      a.addTracks(holding(cacheIds[random.nextInt(cacheIds.length)]));
    }
    channel.write(TrackerMessage.newBuilder().setAnnounce(a).build(), channel.voidPromise());
    generator.announcesSent.increment();
    wrote = true;
  }

  private void announceCache() {
    Announce.Builder a = Announce.newBuilder().setFull(true)
        .setRegion(REGIONS[random.nextInt(REGIONS.length)])
        .setCoordinate(Workload.randomCoordinate(random).toWire());
    for (ByteString id : cacheIds) {
      a.addTracks(holding(id));
    }
    channel.write(TrackerMessage.newBuilder().setAnnounce(a).build(), channel.voidPromise());
  }

  private static TrackHolding holding(ByteString id) {
    return TrackHolding.newBuilder().setTrackId(id).setChunks(COMPLETE).setChunkCount(Workload.CHUNKS_PER_TRACK).build();
  }

  int outstanding() {
    return outstanding;
  }

  Channel channel() {
    return channel;
  }
}
