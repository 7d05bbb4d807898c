package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Records every command the core hands out, in order, as typed values. */
class RecordingActions implements SwarmActions {
  sealed interface Command permits FetchManifest, Lookup, Connect, Disconnect, Ban, Request, Cancel,
      CdnFetch, CdnCancel, Serve, StopServing, Refuse, Query, Answer, Announce, Withdraw, SendHave {}

  record FetchManifest(TrackId track) implements Command {}

  record Lookup(TrackId track, int maxPeers) implements Command {}

  record Connect(NodeId peer) implements Command {}

  record Disconnect(NodeId peer, ErrorCode reason) implements Command {}

  record Ban(NodeId peer, ErrorCode reason) implements Command {}

  record Request(NodeId peer, long id, TrackId track, int first, int count, Priority priority) implements Command {}

  record Cancel(NodeId peer, long id) implements Command {}

  record CdnFetch(long id, TrackId track, int first, int count) implements Command {}

  record CdnCancel(long id) implements Command {}

  record Serve(NodeId peer, long id, TrackId track, int first, int count) implements Command {}

  record StopServing(NodeId peer, long id) implements Command {}

  record Refuse(NodeId peer, long id, int first, int count, ErrorCode reason) implements Command {}

  record Query(NodeId peer, long id, TrackId track, int hops) implements Command {}

  record Answer(NodeId peer, long id, boolean self, List<NodeId> holders) implements Command {}

  record Announce(List<TrackId> tracks) implements Command {}

  record Withdraw(List<TrackId> tracks) implements Command {}

  record SendHave(NodeId peer, TrackId track) implements Command {}

  final List<Command> log = new ArrayList<>();

  <T extends Command> List<T> all(Class<T> type) {
    return log.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  <T extends Command> List<T> all(Class<T> type, Predicate<T> filter) {
    return all(type).stream().filter(filter).collect(Collectors.toList());
  }

  void clear() {
    log.clear();
  }

  @Override
  public void fetchManifest(TrackId trackId) {
    log.add(new FetchManifest(trackId));
  }

  @Override
  public void lookup(TrackId trackId, int maxPeers) {
    log.add(new Lookup(trackId, maxPeers));
  }

  @Override
  public void connect(PeerContact contact) {
    log.add(new Connect(contact.id()));
  }

  @Override
  public void disconnect(NodeId peer, ErrorCode reason) {
    log.add(new Disconnect(peer, reason));
  }

  @Override
  public void ban(NodeId peer, ErrorCode reason) {
    log.add(new Ban(peer, reason));
  }

  @Override
  public void requestChunks(NodeId peer, long requestId, TrackId trackId, int first, int count, Priority priority) {
    log.add(new Request(peer, requestId, trackId, first, count, priority));
  }

  @Override
  public void cancelRequest(NodeId peer, long requestId) {
    log.add(new Cancel(peer, requestId));
  }

  @Override
  public void fetchFromCdn(long fetchId, TrackId trackId, int first, int count) {
    log.add(new CdnFetch(fetchId, trackId, first, count));
  }

  @Override
  public void cancelCdn(long fetchId) {
    log.add(new CdnCancel(fetchId));
  }

  @Override
  public void serveChunks(NodeId peer, long requestId, TrackId trackId, int first, int count) {
    log.add(new Serve(peer, requestId, trackId, first, count));
  }

  @Override
  public void stopServing(NodeId peer, long requestId) {
    log.add(new StopServing(peer, requestId));
  }

  @Override
  public void refuseRequest(NodeId peer, long requestId, int first, int count, ErrorCode reason) {
    log.add(new Refuse(peer, requestId, first, count, reason));
  }

  @Override
  public void sendQuery(NodeId peer, long queryId, TrackId trackId, int hopsLeft) {
    log.add(new Query(peer, queryId, trackId, hopsLeft));
  }

  @Override
  public void answerQuery(NodeId peer, long queryId, TrackId trackId, boolean includeSelf, List<PeerHolding> holders) {
    log.add(new Answer(peer, queryId, includeSelf,
        holders.stream().map(h -> h.contact().id()).collect(Collectors.toList())));
  }

  @Override
  public void announce(List<TrackId> trackIds) {
    log.add(new Announce(List.copyOf(trackIds)));
  }

  @Override
  public void withdraw(List<TrackId> trackIds) {
    log.add(new Withdraw(List.copyOf(trackIds)));
  }

  @Override
  public void sendHave(NodeId peer, TrackId trackId) {
    log.add(new SendHave(peer, trackId));
  }
}
