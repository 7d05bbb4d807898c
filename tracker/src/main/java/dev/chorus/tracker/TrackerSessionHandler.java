package dev.chorus.tracker;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.limits.TokenBucket;
import dev.chorus.protocol.netty.CloseReason;
import dev.chorus.protocol.netty.Goodbyes;
import dev.chorus.protocol.netty.NoiseHandshakeCompletionEvent;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.LookupResult;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.PlaybackReport;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import dev.chorus.protocol.wire.Withdraw;
import dev.chorus.tracker.index.AnnounceResult;
import dev.chorus.tracker.index.Candidate;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.LookupPolicy;
import dev.chorus.tracker.index.NetworkPrefix;
import dev.chorus.tracker.index.PeerInfo;
import dev.chorus.tracker.TrackerListener.Outcome;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's connection to the tracker: binds what it announces to the identity and IP of the
 * connection, applies the per-connection rate limits and caps, answers lookups with ranked peers,
 * and removes the node's entries when the connection ends. One instance per channel, used only
 * from the channel's event loop (index completions are brought back onto it).
 */
final class TrackerSessionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TrackerSessionHandler.class);
  /** Playback reports accepted per connection: one per 10 s on average (nodes send one a minute). */
  static final double REPORTS_PER_SECOND = 0.1;
  static final int REPORT_BURST = 2;

  private final TrackerServer server;
  private final TrackerConfig config;
  private final TrackerListener listener;
  private final RandomGenerator random;
  private final TokenBucket announces;
  private final TokenBucket lookups;
  private final TokenBucket reports;
  /** When the last playback report was accepted, or the connection admitted: a report's interval. */
  private long lastReportNanos;

  private String ip;
  private byte[] ipBytes;
  private NetworkPrefix prefix;
  /** The network whose connections are counted together (IPv4 /32, IPv6 /64 by default). */
  private String quotaPrefix;
  private AbuseGuard.Admission admission;
  private PeerIdentity identity;
  private boolean registered;
  private int listenPort;
  private VivaldiCoordinate coordinate = VivaldiCoordinate.ORIGIN;
  private String region = "";
  private boolean fullAnnounceContinues;
  /** Rebuilt only when the node's coordinate or region changes (it hashes the key and copies arrays). */
  private PeerInfo peerInfo;
  private int rateLimited;

  TrackerSessionHandler(TrackerServer server, RandomGenerator random) {
    this.server = server;
    this.config = server.config();
    this.listener = server.listener();
    this.random = random;
    long now = server.nanoTime();
    this.announces = new TokenBucket(config.announcesPerSecond(), config.announceBurst(), now);
    this.lookups = new TokenBucket(config.lookupsPerSecond(), config.lookupBurst(), now);
    this.reports = new TokenBucket(REPORTS_PER_SECOND, REPORT_BURST, now);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    ipBytes = remote.getAddress().getAddress();
    ip = remote.getAddress().getHostAddress();
    prefix = NetworkPrefix.of(ipBytes);
    quotaPrefix = config.index().quotaPrefix(ipBytes).toString();
    admission = server.guard().admit(quotaPrefix, server.nanoTime());
    if (admission != AbuseGuard.Admission.ADMIT) {
      listener.rejected(refusalCode());
      log.debug("refusing {}: {}", ip, admission);
    }
    super.channelActive(ctx);
  }

  private ErrorCode refusalCode() {
    return admission == AbuseGuard.Admission.BANNED ? ErrorCode.BANNED : ErrorCode.TOO_MANY_CONNECTIONS;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof NoiseHandshakeCompletionEvent) {
      if (admission != AbuseGuard.Admission.ADMIT) {
        // The refusal is said after the handshake so that the node can trust it came from us.
        Goodbyes.sendAndClose(ctx.channel(), Envelope.TRACKER.goodbye(refusalCode(),
            refusalCode() == ErrorCode.BANNED
                ? "this network (" + quotaPrefix + ") is banned for repeated protocol violations"
                : "too many connections from this network (" + quotaPrefix + ")"));
        return;
      }
      identity = ((NoiseHandshakeCompletionEvent) evt).remote();
      server.register(identity, ctx.channel());
      registered = true;
      lastReportNanos = server.nanoTime();
      listener.connectionOpened();
    } else if (evt instanceof IdleStateEvent) {
      ctx.fireExceptionCaught(new ProtocolException(ErrorCode.IDLE_TIMEOUT,
          "nothing received for " + config.idleTimeout()));
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    TrackerMessage message = (TrackerMessage) msg;
    if (admission != AbuseGuard.Admission.ADMIT || identity == null) {
      return; // a refused connection is being closed; nothing it says counts
    }
    switch (message.getBodyCase()) {
      case HELLO:
        hello(message.getHello());
        break;
      case ANNOUNCE:
        announce(ctx, message.getAnnounce());
        break;
      case WITHDRAW:
        withdraw(ctx, message.getWithdraw());
        break;
      case LOOKUP:
        lookup(ctx, message.getLookup());
        break;
      case PLAYBACK_REPORT:
        playbackReport(ctx, message.getPlaybackReport());
        break;
      case GOODBYE:
        ctx.fireChannelRead(msg); // the error handler records it and closes
        break;
      default:
        throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE,
            "a node does not send " + Envelope.TRACKER.kindOf(message) + " to a tracker");
    }
  }

  private void hello(Hello hello) {
    listenPort = Reachability.normalise(hello.getListenPort());
    peerInfo = null;
    coordinate = VivaldiCoordinate.fromWireOrOrigin(hello.getCoordinate());
  }

  private void announce(ChannelHandlerContext ctx, Announce announce) throws ProtocolException {
    if (!announces.tryTake(server.nanoTime())) {
      refuseRateLimited(ctx, 0);
      listener.announceHandled(Outcome.RATE_LIMITED, announce.getTracksCount());
      return;
    }
    if (announce.getTracksCount() > config.maxTracksPerAnnounce()) {
      listener.announceHandled(Outcome.INVALID, announce.getTracksCount());
      throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "announce of " + announce.getTracksCount()
          + " tracks; at most " + config.maxTracksPerAnnounce() + " per message (split with more=true)");
    }
    List<Holding> holdings = new ArrayList<>(announce.getTracksCount());
    for (TrackHolding t : announce.getTracksList()) {
      holdings.add(holding(t));
    }
    if (announce.hasCoordinate()) {
      coordinate = VivaldiCoordinate.fromWireOrOrigin(announce.getCoordinate());
    }
    if (!announce.getRegion().isEmpty()) {
      region = checkRegion(announce.getRegion());
    }
    // A full announce split over several messages replaces once, with the first part.
    boolean replace = announce.getFull() && !fullAnnounceContinues;
    fullAnnounceContinues = announce.getFull() && announce.getMore();
    int count = holdings.size();
    if (!server.lookups().indexes(listenPort)) {
      // The node accepts no incoming connections (Reachability): checked but not indexed.
      listener.announceHandled(Outcome.OK, count);
      return;
    }
    PeerInfo peer = peerInfo();
    whenDone(ctx, server.index().announceChecked(peer, replace, holdings, server.epochMillis()), (result, error) -> {
      if (error != null) {
        indexFailed(ctx, "announce", error);
        listener.announceHandled(Outcome.ERROR, count);
        return;
      }
      listener.announceHandled(Outcome.OK, count);
      if (result.refusedTotal() > 0) {
        refuseHoldings(ctx, result, count);
      }
    });
  }

  /**
   * Tells the node which bound its announce hit. Not a violation and the connection stays: a
   * well-behaved node with a large cache can reach a cap, and it learns that the tracker does
   * not have everything it announced (it announces in full again later).
   */
  private void refuseHoldings(ChannelHandlerContext ctx, AnnounceResult result, int count) {
    StringBuilder detail = new StringBuilder().append(result.refusedTotal()).append(" of ").append(count)
        .append(" holdings not indexed:");
    for (AnnounceResult.Refusal r : AnnounceResult.Refusal.values()) {
      int n = result.refused(r);
      if (n > 0) {
        listener.holdingsRefused(r, n);
        detail.append(' ').append(r.label()).append('=').append(n);
      }
    }
    sendError(ctx, ErrorCode.LIMIT_EXCEEDED, 0, detail.toString());
  }

  private PeerInfo peerInfo() {
    if (peerInfo == null || !peerInfo.coordinate().equals(coordinate) || !peerInfo.region().equals(region)) {
      peerInfo = PeerInfo.of(identity.staticKey(), ipBytes, listenPort, coordinate, region);
    }
    return peerInfo;
  }

  static String checkRegion(String region) throws ProtocolException {
    if (region.length() > PeerInfo.MAX_REGION_LENGTH) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "region tag longer than " + PeerInfo.MAX_REGION_LENGTH);
    }
    return region;
  }

  static Holding holding(TrackHolding t) throws ProtocolException {
    TrackId track = trackId(t.getTrackId());
    ChunkSet chunks = t.getChunks();
    try {
      if (chunks.getHoldingCase() == ChunkSet.HoldingCase.BITMAP) {
        return Holding.partial(track, t.getChunkCount(), chunks.getBitmap().toByteArray());
      }
      return Holding.complete(track, t.getChunkCount());
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "track " + track + ": " + e.getMessage());
    }
  }

  static TrackId trackId(ByteString bytes) throws ProtocolException {
    if (bytes.size() != 32) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "a track id is 32 bytes, got " + bytes.size());
    }
    return TrackId.fromBytes(bytes.toByteArray());
  }

  private void withdraw(ChannelHandlerContext ctx, Withdraw withdraw) throws ProtocolException {
    if (!announces.tryTake(server.nanoTime())) {
      refuseRateLimited(ctx, 0);
      listener.withdrawHandled(Outcome.RATE_LIMITED, withdraw.getTrackIdsCount());
      return;
    }
    if (withdraw.getTrackIdsCount() > config.maxTracksPerAnnounce()) {
      throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "withdraw of " + withdraw.getTrackIdsCount()
          + " tracks; at most " + config.maxTracksPerAnnounce() + " per message");
    }
    List<TrackId> tracks = new ArrayList<>(withdraw.getTrackIdsCount());
    for (ByteString id : withdraw.getTrackIdsList()) {
      tracks.add(trackId(id));
    }
    int count = tracks.size();
    whenDone(ctx, server.index().withdraw(identity.nodeId(), tracks), (v, error) -> {
      if (error != null) {
        indexFailed(ctx, "withdraw", error);
      }
      listener.withdrawHandled(error == null ? Outcome.OK : Outcome.ERROR, count);
    });
  }

  private void lookup(ChannelHandlerContext ctx, Lookup lookup) throws ProtocolException {
    long start = server.nanoTime();
    if (!lookups.tryTake(start)) {
      refuseRateLimited(ctx, lookup.getLookupId());
      listener.lookupHandled(Outcome.RATE_LIMITED, 0, server.nanoTime() - start);
      return;
    }
    TrackId track = trackId(lookup.getTrackId());
    int requested = lookup.getMaxPeers();
    byte[] wanted = lookup.getWanted().getHoldingCase() == ChunkSet.HoldingCase.BITMAP
        ? lookup.getWanted().getBitmap().toByteArray()
        : null;
    if (wanted != null && !LookupPolicy.wantedFits(wanted.length)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "wanted bitmap of " + wanted.length + " bytes");
    }
    long lookupId = lookup.getLookupId();
    whenDone(ctx, server.index().candidates(track, server.epochMillis()), (candidates, error) -> {
      if (error != null) {
        indexFailed(ctx, "lookup", error);
        sendError(ctx, ErrorCode.INTERNAL_ERROR, lookupId, "the peer index is unavailable");
        listener.lookupHandled(Outcome.ERROR, 0, server.nanoTime() - start);
        return;
      }
      List<Candidate> ranked = server.lookups().answer(identity.nodeId(), prefix, region,
          coordinate, candidates, wanted, requested, random);
      ctx.writeAndFlush(TrackerMessage.newBuilder().setLookupResult(result(lookupId, ranked)).build());
      listener.lookupHandled(Outcome.OK, ranked.size(), server.nanoTime() - start);
    });
  }

  /**
   * Adds a node's playback figures to the swarm's. A report that breaks a rule is dropped and
   * answered with an error, but is not a protocol violation: a node with odd counters should not
   * lose its tracker over telemetry.
   */
  private void playbackReport(ChannelHandlerContext ctx, PlaybackReport report) throws ProtocolException {
    long now = server.nanoTime();
    if (!reports.tryTake(now)) {
      listener.playbackReportRefused(Outcome.RATE_LIMITED);
      refuseRateLimited(ctx, 0, report.getSequence());
      return;
    }
    PlaybackReports.Figures figures;
    try {
      figures = PlaybackReports.check(report, now - lastReportNanos);
    } catch (ProtocolException e) {
      listener.playbackReportRefused(Outcome.INVALID);
      sendError(ctx, e.code(), 0, report.getSequence(), e.getMessage());
      return;
    }
    lastReportNanos = now;
    listener.playbackReported(config.telemetryRegionLabel(region), figures);
  }

  private static LookupResult result(long lookupId, List<Candidate> ranked) {
    LookupResult.Builder result = LookupResult.newBuilder().setLookupId(lookupId);
    for (Candidate c : ranked) {
      PeerInfo p = c.peer();
      ChunkSet chunks = c.holding().isComplete() ? ChunkSets.complete() : ChunkSets.bitmap(c.holding().bitmap());
      result.addPeers(TrackerPeer.newBuilder()
          .setNodeId(ByteString.copyFrom(p.nodeId().bytes()))
          .setStaticKey(ByteString.copyFrom(p.staticKey()))
          .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(p.ip())).setPort(p.port()))
          .setCoordinate(p.coordinate().toWire())
          .setChunks(chunks));
    }
    return result.build();
  }

  private void refuseRateLimited(ChannelHandlerContext ctx, long lookupId) throws ProtocolException {
    refuseRateLimited(ctx, lookupId, 0);
  }

  /** As above, for a playback report: the error names the report by its sequence. */
  private void refuseRateLimited(ChannelHandlerContext ctx, long lookupId, long reportSequence)
      throws ProtocolException {
    listener.rejected(ErrorCode.RATE_LIMITED);
    if (++rateLimited >= config.rateLimitedBeforeDisconnect()) {
      throw new ProtocolException(ErrorCode.RATE_LIMITED,
          rateLimited + " requests over the rate limit; slow down before reconnecting");
    }
    sendError(ctx, ErrorCode.RATE_LIMITED, lookupId, reportSequence, "over the rate limit");
  }

  private static void sendError(ChannelHandlerContext ctx, ErrorCode code, long lookupId, String detail) {
    sendError(ctx, code, lookupId, 0, detail);
  }

  private static void sendError(ChannelHandlerContext ctx, ErrorCode code, long lookupId, long reportSequence,
      String detail) {
    ctx.writeAndFlush(TrackerMessage.newBuilder()
        .setError(dev.chorus.protocol.wire.Error.newBuilder().setCode(code).setLookupId(lookupId)
            .setReportSequence(reportSequence).setDetail(detail))
        .build());
  }

  private void indexFailed(ChannelHandlerContext ctx, String what, Throwable error) {
    log.warn("{} for {} failed in the peer index", what, identity.nodeId(), error);
  }

  /** Runs {@code then} on this channel's event loop when {@code stage} completes. */
  private static <T> void whenDone(ChannelHandlerContext ctx, CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
    stage.whenComplete((value, error) -> {
      if (ctx.executor().inEventLoop()) {
        then.accept(value, error);
      } else {
        ctx.executor().execute(() -> then.accept(value, error));
      }
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Channel channel = ctx.channel();
    if (admission == AbuseGuard.Admission.ADMIT) {
      server.guard().release(quotaPrefix);
    }
    CloseReason reason = channel.attr(ProtocolErrorHandler.CLOSE_REASON).get();
    if (reason != null && reason.isLocal() && isViolation(reason.code()) && ip != null) {
      if (server.guard().violation(quotaPrefix, server.nanoTime())) {
        listener.banned();
        log.info("banned {} ({}) for {} after repeated protocol violations", quotaPrefix, ip, config.banDuration());
      }
    }
    if (registered) {
      listener.connectionClosed(reason == null ? ErrorCode.NONE : reason.code(), reason != null && reason.isLocal());
      if (server.unregister(identity, channel)) {
        server.index().removePeer(identity.nodeId());
      }
    }
    super.channelInactive(ctx);
  }

  /** Codes that mean the remote side broke the protocol (as opposed to timeouts or shutdowns). */
  static boolean isViolation(ErrorCode code) {
    switch (code) {
      case FRAME_TOO_LARGE:
      case FRAME_TRUNCATED:
      case MALFORMED_MESSAGE:
      case UNEXPECTED_MESSAGE:
      case PROTOCOL_VERSION_UNSUPPORTED:
      case EMPTY_MESSAGE:
      case HANDSHAKE_FAILED:
      case DECRYPT_FAILED:
      case BAD_REQUEST:
      case LIMIT_EXCEEDED:
      case RATE_LIMITED:
        return true;
      default:
        return false;
    }
  }
}
