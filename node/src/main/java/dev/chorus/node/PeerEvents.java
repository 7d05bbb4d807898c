package dev.chorus.node;

import dev.chorus.node.internal.core.PeerContact;
import dev.chorus.node.internal.core.PeerHolding;
import dev.chorus.node.internal.peer.PeerLink;
import dev.chorus.node.internal.peer.PeerNetworkListener;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.wire.ChunkMissing;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Have;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.PeerQuery;
import dev.chorus.protocol.wire.PeerQueryAnswer;
import java.util.BitSet;
import java.util.List;

/**
 * What the peer network reports, turned into core events (Netty threads in, the {@link CoreLoop}
 * out). Messages arrive already validated by the network's rules; chunk data goes to {@link
 * ReceivedChunks} to be verified first.
 */
final class PeerEvents implements PeerNetworkListener {
  private final CoreLoop loop;
  private final ReceivedChunks received;
  private final Writability writability;
  private final NodeId selfId;

  PeerEvents(CoreLoop loop, ReceivedChunks received, Writability writability, NodeId selfId) {
    this.loop = loop;
    this.received = received;
    this.writability = writability;
    this.selfId = selfId;
  }

  @Override
  public void connected(PeerLink link) {
    received.peerConnected(link.nodeId());
    PeerContact contact = new PeerContact(link.nodeId(), link.identity().staticKey(),
        link.remoteAddress().getAddress().getAddress(), link.remoteHello().getListenPort(),
        VivaldiCoordinate.fromWireOrOrigin(link.remoteHello().getCoordinate()));
    loop.post(core -> {
      if (!core.peerConnected(contact, loop.now())) {
        link.close(ErrorCode.TOO_MANY_CONNECTIONS, "neighbour limit reached");
      }
    });
  }

  @Override
  public void disconnected(PeerLink link, ErrorCode reason) {
    NodeId peer = link.nodeId();
    received.peerGone(peer);
    loop.post(core -> core.peerDisconnected(peer, loop.now()));
  }

  @Override
  public void writabilityChanged(PeerLink link, boolean isWritable) {
    if (isWritable) {
      writability.signal();
    }
  }

  @Override
  public void rttMeasured(PeerLink link, long rttNanos, VivaldiCoordinate remote) {
    NodeId peer = link.nodeId();
    loop.post(core -> core.rttMeasured(peer, rttNanos, remote, loop.now()));
  }

  @Override
  public void message(PeerLink link, PeerMessage message) {
    NodeId peer = link.nodeId();
    switch (message.getBodyCase()) {
      case CHUNK_DATA -> received.chunkData(link, message.getChunkData());
      case CHUNK_REQUEST -> {
        ChunkRequest r = message.getChunkRequest();
        TrackId id = PeerWire.trackId(r.getTrackId());
        loop.post(core -> core.requestReceived(peer, r.getRequestId(), id, r.getFirstIndex(), r.getCount(),
            r.getPriority(), loop.now()));
      }
      case CANCEL -> {
        long requestId = message.getCancel().getRequestId();
        loop.post(core -> core.cancelReceived(peer, requestId, loop.now()));
      }
      case CHUNK_MISSING -> {
        ChunkMissing m = message.getChunkMissing();
        loop.post(core -> core.chunkMissing(peer, m.getRequestId(), m.getFirstIndex(), m.getCount(),
            m.getReason(), loop.now()));
      }
      case HAVE -> {
        Have h = message.getHave();
        TrackId id = PeerWire.trackId(h.getTrackId());
        boolean complete = ChunkSets.isComplete(h.getChunks());
        BitSet bits = ChunkSets.bits(h.getChunks());
        loop.post(core -> core.peerHas(peer, id, complete, bits, loop.now()));
      }
      case PEER_QUERY -> {
        PeerQuery q = message.getPeerQuery();
        TrackId id = PeerWire.trackId(q.getTrackId());
        loop.post(core -> core.queryReceived(peer, q.getQueryId(), id, q.getHopsLeft(), loop.now()));
      }
      case PEER_QUERY_ANSWER -> {
        PeerQueryAnswer a = message.getPeerQueryAnswer();
        List<PeerHolding> holders = PeerWire.holders(link, a, selfId);
        loop.post(core -> core.queryAnswered(peer, a.getQueryId(), holders, loop.now()));
      }
      default -> { }
    }
  }
}
