package dev.chorus.node;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.chorus.node.internal.core.PeerContact;
import dev.chorus.node.internal.core.PeerHolding;
import dev.chorus.node.internal.peer.PeerLink;
import dev.chorus.node.internal.trackerclient.Holding;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.Reachability;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.message.ChunkSets;
import dev.chorus.protocol.wire.Cancel;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkMissing;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Have;
import dev.chorus.protocol.wire.OverlayPeer;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.PeerQuery;
import dev.chorus.protocol.wire.PeerQueryAnswer;
import dev.chorus.protocol.wire.Priority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Peer messages to and from the swarm core's domain values; no state, no I/O. */
final class PeerWire {
  private PeerWire() {}

  static PeerMessage request(long requestId, TrackId trackId, int first, int count, Priority priority) {
    return PeerMessage.newBuilder().setChunkRequest(ChunkRequest.newBuilder().setRequestId(requestId)
        .setTrackId(bytes(trackId)).setFirstIndex(first).setCount(count).setPriority(priority)).build();
  }

  static PeerMessage cancel(long requestId) {
    return PeerMessage.newBuilder().setCancel(Cancel.newBuilder().setRequestId(requestId)).build();
  }

  static PeerMessage missing(long requestId, int first, int count, ErrorCode reason) {
    return PeerMessage.newBuilder().setChunkMissing(ChunkMissing.newBuilder().setRequestId(requestId)
        .setFirstIndex(first).setCount(count).setReason(reason)).build();
  }

  /** No copy: chunk arrays are never written after they are read or received. */
  static PeerMessage data(long requestId, int index, byte[] chunk) {
    return PeerMessage.newBuilder().setChunkData(ChunkData.newBuilder().setRequestId(requestId)
        .setIndex(index).setData(UnsafeByteOperations.unsafeWrap(chunk))).build();
  }

  /**
   * A received chunk's bytes, without copying them again: the decoder gave the field an array of
   * its own (MessageCodec parses without aliasing the pooled frame buffer), and nothing writes a
   * chunk array once received, so that array is the chunk. Any other layout is copied.
   */
  static byte[] chunkBytes(ByteString data) {
    WholeArray whole = new WholeArray(data.size());
    try {
      UnsafeByteOperations.unsafeWriteTo(data, whole);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // WholeArray throws nothing
    }
    return whole.array != null ? whole.array : data.toByteArray();
  }

  /** Keeps the array a ByteString hands over when it is one whole array of the expected size. */
  private static final class WholeArray extends ByteOutput {
    private final int expected;
    private boolean written;
    byte[] array;

    WholeArray(int expected) {
      this.expected = expected;
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      array = !written && offset == 0 && length == value.length && length == expected ? value : null;
      written = true;
    }

    @Override
    public void write(byte value) {
      notWhole();
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      notWhole();
    }

    @Override
    public void write(ByteBuffer value) {
      notWhole();
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      notWhole();
    }

    private void notWhole() {
      array = null;
      written = true;
    }
  }

  static PeerMessage have(Holding h) {
    return PeerMessage.newBuilder().setHave(Have.newBuilder().setTrackId(bytes(h.track()))
        .setChunks(set(h))).build();
  }

  static PeerMessage query(long queryId, TrackId trackId, int hopsLeft) {
    return PeerMessage.newBuilder().setPeerQuery(PeerQuery.newBuilder().setQueryId(queryId)
        .setTrackId(bytes(trackId)).setHopsLeft(hopsLeft)).build();
  }

  /**
   * An overlay answer: {@code self} (this node's holding, or null) first, described without an
   * address (the asker knows it), then the holders with theirs.
   */
  static PeerMessage answer(long queryId, Holding self, NodeId selfId, byte[] selfKey,
      VivaldiCoordinate selfCoordinate, List<PeerHolding> holders) {
    PeerQueryAnswer.Builder answer = PeerQueryAnswer.newBuilder().setQueryId(queryId);
    if (self != null) {
      answer.addPeers(OverlayPeer.newBuilder().setNodeId(ByteString.copyFrom(selfId.bytes()))
          .setStaticKey(ByteString.copyFrom(selfKey)).setCoordinate(selfCoordinate.toWire())
          .setChunks(set(self)));
    }
    for (PeerHolding h : holders) {
      PeerContact c = h.contact();
      answer.addPeers(OverlayPeer.newBuilder().setNodeId(ByteString.copyFrom(c.id().bytes()))
          .setStaticKey(ByteString.copyFrom(c.staticKey()))
          .setAddress(PeerAddress.newBuilder().setIp(ByteString.copyFrom(c.ip())).setPort(c.port()))
          .setCoordinate(c.coordinate().toWire())
          .setChunks(h.isComplete() ? ChunkSets.complete() : ChunkSets.bitmap(h.chunks().toByteArray())));
    }
    return PeerMessage.newBuilder().setPeerQueryAnswer(answer).build();
  }

  /**
   * An overlay answer's peers as contacts. An entry without an address is the sender itself; an
   * id that does not match its key is a lie and dropped, as are this node and peers that accept no
   * incoming connections.
   */
  static List<PeerHolding> holders(PeerLink from, PeerQueryAnswer answer, NodeId selfId) {
    List<PeerHolding> out = new ArrayList<>();
    for (OverlayPeer p : answer.getPeersList()) {
      byte[] key = p.getStaticKey().toByteArray();
      NodeId id = NodeId.ofStaticKey(key);
      if (!id.equals(NodeId.fromBytes(p.getNodeId().toByteArray())) || id.equals(selfId)) {
        continue;
      }
      byte[] ip;
      int port;
      if (!p.hasAddress()) {
        if (!id.equals(from.nodeId())) {
          continue;
        }
        ip = from.remoteAddress().getAddress().getAddress();
        port = from.remoteHello().getListenPort();
      } else {
        ip = p.getAddress().getIp().toByteArray();
        port = p.getAddress().getPort();
      }
      if (!Reachability.acceptsIncoming(port)) {
        continue;
      }
      PeerContact c = new PeerContact(id, key, ip, port, VivaldiCoordinate.fromWireOrOrigin(p.getCoordinate()));
      out.add(ChunkSets.isComplete(p.getChunks()) ? PeerHolding.complete(c)
          : PeerHolding.partial(c, ChunkSets.bits(p.getChunks())));
    }
    return out;
  }

  private static dev.chorus.protocol.wire.ChunkSet set(Holding h) {
    return h.isComplete() ? ChunkSets.complete() : ChunkSets.bitmap(h.chunks().toByteArray());
  }

  static TrackId trackId(ByteString bytes) {
    return TrackId.fromBytes(bytes.toByteArray());
  }

  private static ByteString bytes(TrackId id) {
    return ByteString.copyFrom(id.bytes());
  }
}
