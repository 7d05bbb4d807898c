package dev.chorus.tracker;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.ConnectionPlan;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.PeerIdentity;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.ReachabilityClass;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.PlaybackReports;
import dev.chorus.protocol.limits.TokenBucket;
import dev.chorus.protocol.netty.CloseReason;
import dev.chorus.protocol.netty.Goodbyes;
import dev.chorus.protocol.netty.NoiseHandshakeCompletionEvent;
import dev.chorus.protocol.netty.ProtocolErrorHandler;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.ConnectTo;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.PlaybackReport;
import dev.chorus.protocol.wire.PunchRequest;
import dev.chorus.protocol.wire.PunchWith;
import dev.chorus.protocol.wire.ReachabilityReport;
import dev.chorus.protocol.wire.ReachabilityVerdict;
import dev.chorus.protocol.wire.ReverseConnect;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.Withdraw;
import dev.chorus.tracker.index.AnnounceResult;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.CandidateList;
import dev.chorus.tracker.index.LookupPolicy;
import dev.chorus.tracker.index.NetworkPrefix;
import dev.chorus.tracker.index.PeerInfo;
import dev.chorus.tracker.TrackerListener.Outcome;
import dev.chorus.protocol.framing.FrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Locale;
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
  /** ReverseConnects this node may ask for. */
  private final TokenBucket reversalsAsked;
  /** ConnectTos relayed to this node; touched only on this channel's event loop. */
  private final TokenBucket reversalsRelayed;
  /** PunchRequests this node may make. */
  private final TokenBucket punchesAsked;
  /** PunchWiths sent to this node as the holder; touched only on this channel's event loop. */
  private final TokenBucket punchesRelayed;
  /** The node's Hello lists the punch capability too and this tracker coordinates punches. */
  private boolean punching;
  /**
   * This node's class as last decided, for other sessions' lookups and punches (read from their
   * event loops): whether a port-0 holder is punchable.
   */
  private volatile ReachabilityClass published = ReachabilityClass.NONE;
  /** {@link #punchable(PeerInfo)}, made once (a lookup allocates nothing for it). */
  private final java.util.function.Predicate<PeerInfo> punchableHolder = this::punchable;
  /** The node takes part in traversal (its Hello lists the capability) and this tracker relays. */
  private boolean traversal;
  private ReachabilityVerdict verdict = ReachabilityVerdict.VERDICT_UNKNOWN;
  private int observedPort;
  /** This session's channel, once admitted. */
  private Channel channel;
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
  /** The coordinate {@link #peerInfo} was made with. */
  private VivaldiCoordinate peerInfoCoordinate;
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
    TraversalConfig t = config.traversal();
    this.reversalsAsked = new TokenBucket(t.reversalsPerSecondPerRequester(), t.reversalBurstPerRequester(), now);
    this.reversalsRelayed = new TokenBucket(t.reversalsPerSecondPerHolder(), t.reversalBurstPerHolder(), now);
    this.punchesAsked = new TokenBucket(t.reversalsPerSecondPerRequester(), t.reversalBurstPerRequester(), now);
    this.punchesRelayed = new TokenBucket(t.reversalsPerSecondPerHolder(), t.reversalBurstPerHolder(), now);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    ipBytes = remote.getAddress().getAddress();
    ip = remote.getAddress().getHostAddress();
    observedPort = remote.getPort();
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
      channel = ctx.channel();
      server.register(identity, channel);
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
    if (admission != AbuseGuard.Admission.ADMIT || identity == null) {
      return; // a refused connection is being closed; nothing it says counts
    }
    if (msg instanceof RequestReader.LookupFields) {
      lookup(ctx, (RequestReader.LookupFields) msg);
      return;
    }
    if (msg instanceof RequestReader.AnnounceFields) {
      announce(ctx, (RequestReader.AnnounceFields) msg);
      return;
    }
    TrackerMessage message = (TrackerMessage) msg;
    switch (message.getBodyCase()) {
      case HELLO:
        hello(ctx, message.getHello());
        break;
      case REVERSE_CONNECT:
        reverseConnect(ctx, message.getReverseConnect());
        break;
      case PUNCH_REQUEST:
        punchRequest(ctx, message.getPunchRequest());
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

  private void hello(ChannelHandlerContext ctx, Hello hello) {
    listenPort = Reachability.normalise(hello.getListenPort());
    peerInfo = null;
    coordinate = VivaldiCoordinate.fromWireOrOrigin(hello.getCoordinate());
    traversal = config.traversal().reversal() && hello.getCapabilitiesList().contains(Reachability.TRAVERSAL_CAPABILITY);
    punching = traversal && config.traversal().punching()
        && hello.getCapabilitiesList().contains(Reachability.PUNCH_CAPABILITY);
    published = reachabilityClass();
    if (traversal) {
      InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
      server.probe().probe(remote.getAddress(), listenPort, identity.staticKey())
          .thenAccept(v -> ctx.executor().execute(() -> reachabilityDecided(ctx, v)));
    }
  }

  /** This node's class as the rule ({@link LookupPolicy#classOf}) sees it now. */
  private ReachabilityClass reachabilityClass() {
    return server.lookups().classOf(listenPort, verdict != ReachabilityVerdict.VERDICT_UNREACHABLE, traversal, punching);
  }

  /** Whether the node indexed as {@code holder} is connected here and punchable (any event loop). */
  private boolean punchable(PeerInfo holder) {
    Channel ch = server.session(holder.nodeId());
    TrackerSessionHandler s = ch == null ? null : ch.pipeline().get(TrackerSessionHandler.class);
    return s != null && s.published == ReachabilityClass.PUNCHABLE;
  }

  /**
   * The dial-back has answered. A node that turned out unreachable loses the entries it was
   * indexed with under its claimed port (it announces again, in full, when it reads the report).
   */
  private void reachabilityDecided(ChannelHandlerContext ctx, ReachabilityVerdict decided) {
    if (!ctx.channel().isActive()) {
      return;
    }
    boolean wasIndexedWithPort = reachabilityClass().acceptsIncoming();
    verdict = decided;
    peerInfo = null;
    published = reachabilityClass();
    listener.reachabilityDecided(decided.name().substring("VERDICT_".length()).toLowerCase(Locale.ROOT));
    log.debug("node {} at {}:{} is {}", identity.nodeId(), ip, listenPort, decided);
    if (wasIndexedWithPort && !reachabilityClass().acceptsIncoming()) {
      server.index().removePeer(identity.nodeId());
    }
    ctx.writeAndFlush(TrackerMessage.newBuilder().setReachability(ReachabilityReport.newBuilder()
        .setObserved(PeerAddress.newBuilder().setIp(ByteString.copyFrom(ipBytes)).setPort(observedPort))
        .setVerdict(decided)).build());
  }

  /**
   * A reachable node asks that a holder connect to it: relayed over the holder's own connection,
   * on the holder's event loop, within the asker's and the holder's budgets.
   */
  private void reverseConnect(ChannelHandlerContext ctx, ReverseConnect request) throws ProtocolException {
    long id = request.getReversalId();
    if (!traversal) {
      throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE,
          "ReverseConnect from a node whose Hello does not list \"" + Reachability.TRAVERSAL_CAPABILITY + "\"");
    }
    if (request.getNodeId().size() != NodeId.BYTES) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "a node id is 32 bytes, got " + request.getNodeId().size());
    }
    if (!reversalsAsked.tryTake(server.nanoTime())) {
      reversalRefused(ctx, id, "rate_limited", ErrorCode.RATE_LIMITED, "over this node's reversal rate");
      return;
    }
    if (!reachabilityClass().acceptsIncoming()) {
      reversalRefused(ctx, id, "refused", ErrorCode.BAD_REQUEST,
          "this node is not reachable (" + verdict + "), so a holder could not connect to it");
      return;
    }
    NodeId holder = NodeId.fromBytes(request.getNodeId().toByteArray());
    Channel holderChannel = holder.equals(identity.nodeId()) ? null : server.session(holder);
    TrackerSessionHandler holderSession = holderChannel == null ? null : holderChannel.pipeline().get(TrackerSessionHandler.class);
    if (holderSession == null) {
      reversalRefused(ctx, id, "holder_gone", ErrorCode.HOLDER_GONE, "that node has no connection to this tracker");
      return;
    }
    ConnectTo connectTo = ConnectTo.newBuilder()
        .setNodeId(ByteString.copyFrom(identity.nodeId().bytes()))
        .setStaticKey(ByteString.copyFrom(identity.staticKey()))
        .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(ipBytes)).setPort(listenPort))
        .build();
    holderChannel.eventLoop().execute(() -> {
      String outcome = holderSession.relay(connectTo);
      ctx.executor().execute(() -> {
        switch (outcome) {
          case "relayed" -> listener.reversalHandled(outcome);
          case "holder_gone" -> reversalRefused(ctx, id, outcome, ErrorCode.HOLDER_GONE, "that node has left");
          case "rate_limited" -> reversalRefused(ctx, id, outcome, ErrorCode.RATE_LIMITED,
              "that node is asked for reversals too often; try another holder");
          default -> reversalRefused(ctx, id, outcome, ErrorCode.BAD_REQUEST,
              "that node takes no part in connection reversal");
        }
      });
    });
  }

  /** On this (the holder's) event loop: tells the node to dial a requester, if it may be asked. */
  private String relay(ConnectTo connectTo) {
    if (channel == null || !channel.isActive() || server.session(identity.nodeId()) != channel) {
      return "holder_gone";
    }
    if (!traversal) {
      return "refused";
    }
    if (!reversalsRelayed.tryTake(server.nanoTime())) {
      return "rate_limited";
    }
    channel.writeAndFlush(TrackerMessage.newBuilder().setConnectTo(connectTo).build());
    return "relayed";
  }

  /**
   * An unreachable node asks to punch a hole with an unreachable holder: both are told, each over
   * its own connection, to dial the other's observed address after the same delay; within the
   * asker's and the holder's budgets, and only when both sides punch.
   */
  private void punchRequest(ChannelHandlerContext ctx, PunchRequest request) throws ProtocolException {
    long id = request.getPunchId();
    if (!punching) {
      throw new ProtocolException(ErrorCode.UNEXPECTED_MESSAGE, "PunchRequest from a node whose Hello does not list \""
          + Reachability.PUNCH_CAPABILITY + "\" (or to a tracker that coordinates no punches)");
    }
    if (request.getNodeId().size() != NodeId.BYTES) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "a node id is 32 bytes, got " + request.getNodeId().size());
    }
    if (!punchesAsked.tryTake(server.nanoTime())) {
      punchRefused(ctx, id, "rate_limited", ErrorCode.RATE_LIMITED, "over this node's punch rate");
      return;
    }
    if (reachabilityClass() != ReachabilityClass.PUNCHABLE) {
      punchRefused(ctx, id, "refused", ErrorCode.BAD_REQUEST, "this node is " + reachabilityClass()
          + ", not punchable (a reachable node asks for a reversal; one without a listen port cannot punch)");
      return;
    }
    NodeId holder = NodeId.fromBytes(request.getNodeId().toByteArray());
    Channel holderChannel = holder.equals(identity.nodeId()) ? null : server.session(holder);
    TrackerSessionHandler holderSession = holderChannel == null ? null : holderChannel.pipeline().get(TrackerSessionHandler.class);
    if (holderSession == null) {
      punchRefused(ctx, id, "holder_gone", ErrorCode.HOLDER_GONE, "that node has no connection to this tracker");
      return;
    }
    int delayMillis = (int) config.traversal().punchStartDelay().toMillis();
    PunchWith toHolder = PunchWith.newBuilder().setPunchId(id)
        .setNodeId(ByteString.copyFrom(identity.nodeId().bytes()))
        .setStaticKey(ByteString.copyFrom(identity.staticKey()))
        .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(ipBytes)).setPort(listenPort))
        .setStartDelayMs(delayMillis)
        .build();
    holderChannel.eventLoop().execute(() -> {
      PunchRelay relay = holderSession.relayPunch(toHolder);
      ctx.executor().execute(() -> {
        switch (relay.outcome()) {
          case "relayed" -> {
            listener.punchHandled("relayed");
            ctx.writeAndFlush(TrackerMessage.newBuilder().setPunchWith(relay.toAsker()).build());
          }
          case "holder_gone" -> punchRefused(ctx, id, "holder_gone", ErrorCode.HOLDER_GONE, "that node has left");
          case "rate_limited" -> punchRefused(ctx, id, "rate_limited", ErrorCode.RATE_LIMITED,
              "that node is asked for punches too often; try another holder");
          default -> punchRefused(ctx, id, "refused", ErrorCode.BAD_REQUEST,
              "that node cannot punch (it is reachable, has no listen port or takes no part in punching)");
        }
      });
    });
  }

  /** What {@link #relayPunch} did, and what the asker is told when it was relayed. */
  private record PunchRelay(String outcome, PunchWith toAsker) {}

  /**
   * On this (the holder's) event loop: tells the node to punch towards the asker, if it may be
   * asked, and returns what the asker is told (this node's key and observed address). Both
   * messages leave at about the same moment, so the same start delay brings both dials close.
   */
  private PunchRelay relayPunch(PunchWith toHolder) {
    if (channel == null || !channel.isActive() || server.session(identity.nodeId()) != channel) {
      return new PunchRelay("holder_gone", null);
    }
    if (reachabilityClass() != ReachabilityClass.PUNCHABLE) {
      return new PunchRelay("refused", null);
    }
    if (!punchesRelayed.tryTake(server.nanoTime())) {
      return new PunchRelay("rate_limited", null);
    }
    channel.writeAndFlush(TrackerMessage.newBuilder().setPunchWith(toHolder).build());
    return new PunchRelay("relayed", PunchWith.newBuilder().setPunchId(toHolder.getPunchId())
        .setNodeId(ByteString.copyFrom(identity.nodeId().bytes()))
        .setStaticKey(ByteString.copyFrom(identity.staticKey()))
        .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(ipBytes)).setPort(listenPort))
        .setStartDelayMs(toHolder.getStartDelayMs())
        .build());
  }

  private void punchRefused(ChannelHandlerContext ctx, long id, String outcome, ErrorCode code, String detail) {
    listener.punchHandled(outcome);
    ctx.writeAndFlush(TrackerMessage.newBuilder()
        .setError(dev.chorus.protocol.wire.Error.newBuilder().setCode(code).setPunchId(id).setDetail(detail))
        .build());
  }

  private void reversalRefused(ChannelHandlerContext ctx, long id, String outcome, ErrorCode code, String detail) {
    listener.reversalHandled(outcome);
    ctx.writeAndFlush(TrackerMessage.newBuilder()
        .setError(dev.chorus.protocol.wire.Error.newBuilder().setCode(code).setReversalId(id).setDetail(detail))
        .build());
  }

  private void announce(ChannelHandlerContext ctx, Announce announce) throws ProtocolException {
    announce(ctx, announce.getTracksCount(), announce.getFull(), announce.getMore(), () -> {
      List<Holding> holdings = new ArrayList<>(announce.getTracksCount());
      for (TrackHolding t : announce.getTracksList()) {
        holdings.add(holding(t));
      }
      return holdings;
    }, announce.hasCoordinate() ? VivaldiCoordinate.fromWireOrOrigin(announce.getCoordinate()) : null,
        announce.getRegion());
  }

  /** The same announce read straight from its frame ({@link RequestReader}; never a region). */
  private void announce(ChannelHandlerContext ctx, RequestReader.AnnounceFields a) throws ProtocolException {
    announce(ctx, a.count, a.full, a.more, () -> {
      List<Holding> holdings = new ArrayList<>(a.count);
      for (int i = 0; i < a.count; i++) {
        holdings.add(holding(a.frame, a.trackIdOffset[i], a.trackIdLength[i], a.bitmapOffset[i], a.bitmapLength[i],
            a.chunkCount[i]));
      }
      return holdings;
    }, a.coordinate, "");
  }

  /** What an announce's holdings are, read only once it has passed the rate limit and the count cap. */
  @FunctionalInterface
  private interface HoldingsReader {
    List<Holding> read() throws ProtocolException;
  }

  /**
   * @param newCoordinate null when the announce carries none
   * @param newRegion empty when the announce carries none
   */
  private void announce(ChannelHandlerContext ctx, int trackCount, boolean full, boolean more,
      HoldingsReader holdingsReader, VivaldiCoordinate newCoordinate, String newRegion) throws ProtocolException {
    if (!announces.tryTake(server.nanoTime())) {
      refuseRateLimited(ctx, 0);
      listener.announceHandled(Outcome.RATE_LIMITED, trackCount);
      return;
    }
    if (trackCount > config.maxTracksPerAnnounce()) {
      listener.announceHandled(Outcome.INVALID, trackCount);
      throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "announce of " + trackCount
          + " tracks; at most " + config.maxTracksPerAnnounce() + " per message (split with more=true)");
    }
    List<Holding> holdings = holdingsReader.read();
    if (newCoordinate != null) {
      coordinate = newCoordinate;
    }
    if (!newRegion.isEmpty()) {
      region = checkRegion(newRegion);
    }
    // A full announce split over several messages replaces once, with the first part.
    boolean replace = full && !fullAnnounceContinues;
    fullAnnounceContinues = full && more;
    int count = holdings.size();
    if (!server.lookups().indexes(reachabilityClass())) {
      // Nobody could connect to the node (LookupPolicy, ConnectionPlan): checked but not indexed.
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
    int port = server.lookups().indexedPort(reachabilityClass(), listenPort);
    if (peerInfo == null || !peerInfoCoordinate.equals(coordinate) || !peerInfo.region().equals(region)
        || peerInfo.port() != port) {
      peerInfo = PeerInfo.of(identity.staticKey(), ipBytes, port, coordinate, region);
      peerInfoCoordinate = coordinate;
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

  /** {@link #holding(TrackHolding)} for a holding read straight from its frame; {@code bitmapOffset} -1: complete. */
  static Holding holding(ByteBuf frame, int trackIdOffset, int trackIdLength, int bitmapOffset, int bitmapLength,
      int chunkCount) throws ProtocolException {
    TrackId track = trackId(frame, trackIdOffset, trackIdLength);
    try {
      if (bitmapOffset >= 0) {
        byte[] bitmap = new byte[bitmapLength];
        frame.getBytes(bitmapOffset, bitmap);
        return Holding.partial(track, chunkCount, bitmap);
      }
      return Holding.complete(track, chunkCount);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "track " + track + ": " + e.getMessage());
    }
  }

  /** {@link #trackId(ByteString)} for a track id read straight from its frame. */
  static TrackId trackId(ByteBuf frame, int offset, int length) throws ProtocolException {
    if (length != TrackId.BYTES) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "a track id is 32 bytes, got " + length);
    }
    byte[] id = new byte[TrackId.BYTES];
    frame.getBytes(offset, id);
    return TrackId.fromBytes(id);
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
    byte[] wanted = lookup.getWanted().getHoldingCase() == ChunkSet.HoldingCase.BITMAP
        ? lookup.getWanted().getBitmap().toByteArray()
        : null;
    lookup(ctx, lookup.getLookupId(), track, wanted, lookup.getMaxPeers(), start);
  }

  /** The same lookup read straight from its frame ({@link RequestReader}). */
  private void lookup(ChannelHandlerContext ctx, RequestReader.LookupFields lookup) throws ProtocolException {
    long start = server.nanoTime();
    if (!lookups.tryTake(start)) {
      refuseRateLimited(ctx, lookup.lookupId);
      listener.lookupHandled(Outcome.RATE_LIMITED, 0, server.nanoTime() - start);
      return;
    }
    TrackId track = trackId(lookup.frame, lookup.trackIdOffset, lookup.trackIdLength);
    byte[] wanted = null;
    if (lookup.wantedOffset >= 0) {
      if (!LookupPolicy.wantedFits(lookup.wantedLength)) {
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "wanted bitmap of " + lookup.wantedLength + " bytes");
      }
      wanted = new byte[lookup.wantedLength];
      lookup.frame.getBytes(lookup.wantedOffset, wanted);
    }
    lookup(ctx, lookup.lookupId, track, wanted, lookup.maxPeers, start);
  }

  private void lookup(ChannelHandlerContext ctx, long lookupId, TrackId track, byte[] wanted, int requested, long start)
      throws ProtocolException {
    if (wanted != null && !LookupPolicy.wantedFits(wanted.length)) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "wanted bitmap of " + wanted.length + " bytes");
    }
    if (answerNow(ctx, track, lookupId, wanted, requested, start)) {
      return;
    }
    whenDone(ctx, server.index().candidates(track, server.epochMillis()), (candidates, error) -> {
      if (error != null) {
        indexFailed(ctx, "lookup", error);
        sendError(ctx, ErrorCode.INTERNAL_ERROR, lookupId, "the peer index is unavailable");
        listener.lookupHandled(Outcome.ERROR, 0, server.nanoTime() - start);
        return;
      }
      List<dev.chorus.tracker.index.Candidate> ranked = server.lookups().answer(identity.nodeId(), reachabilityClass(),
          traversalForLookups(), punchableHolder, prefix, region, coordinate, candidates, wanted, requested, random);
      ByteBuf reply;
      try {
        reply = server.replies().encode(ctx.alloc(), lookupId, ranked);
      } catch (FrameException e) {
        ctx.fireExceptionCaught(e);
        return;
      }
      ctx.writeAndFlush(reply);
      listener.lookupHandled(Outcome.OK, ranked.size(), server.nanoTime() - start);
    });
  }

  /**
   * Answers a lookup from an index that can answer at once (the in-memory one), without an object
   * per candidate; false if the index cannot, and the caller takes the asynchronous path.
   */
  private boolean answerNow(ChannelHandlerContext ctx, TrackId track, long lookupId, byte[] wanted, int requested,
      long start) {
    LookupScratch scratch = LookupScratch.get();
    CandidateList candidates = scratch.candidates;
    try {
      if (!server.index().candidatesNow(track, server.epochMillis(), candidates)) {
        return false;
      }
      int count = server.lookups().answer(identity.nodeId(), reachabilityClass(), traversalForLookups(),
          punchableHolder, prefix,
          region, coordinate, candidates, wanted, requested, random, scratch.order);
      ByteBuf reply;
      try {
        reply = server.replies().encode(ctx.alloc(), lookupId, candidates, scratch.order, count);
      } catch (FrameException e) {
        ctx.fireExceptionCaught(e);
        return true;
      }
      ctx.writeAndFlush(reply);
      listener.lookupHandled(Outcome.OK, count, server.nanoTime() - start);
      return true;
    } finally {
      candidates.clear();
    }
  }

  /** What the traversal rule lets this node's lookups use: reversal, and punching when the node punches. */
  private ConnectionPlan.Traversal traversalForLookups() {
    return !traversal ? ConnectionPlan.Traversal.NONE : punching ? ConnectionPlan.Traversal.ALL : ConnectionPlan.Traversal.REVERSAL;
  }

  /** Per I/O thread: a lookup's candidates and answer, reused (used within one call only). */
  private static final class LookupScratch {
    private static final ThreadLocal<LookupScratch> PER_THREAD = ThreadLocal.withInitial(LookupScratch::new);

    final CandidateList candidates = new CandidateList();
    final int[] order = new int[LookupPolicy.MAX_PEERS_LIMIT];

    static LookupScratch get() {
      return PER_THREAD.get();
    }
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
    if (stage instanceof CompletableFuture<T> done && done.isDone() && ctx.executor().inEventLoop()) {
      // The in-memory index completes before returning: no dependent stage to allocate.
      T value;
      try {
        value = done.join();
      } catch (CompletionException | CancellationException e) {
        then.accept(null, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
        return;
      }
      then.accept(value, null);
      return;
    }
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
