package dev.chorus.node.internal.peer;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkMissing;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Have;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.OverlayPeer;
import dev.chorus.protocol.wire.PeerAddress;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.PeerQuery;
import dev.chorus.protocol.wire.PeerQueryAnswer;
import java.nio.charset.StandardCharsets;

/**
 * The field rules of the peer protocol beyond what protobuf checks: id and key lengths, run
 * lengths, payload sizes, hop limits, answer sizes, addresses. Pure: no I/O, no clock. A message
 * that breaks a rule is refused with {@code BAD_REQUEST} and the link ends; the caller turns the
 * exception into a Goodbye.
 *
 * <p>Coordinates are not checked here: {@code VivaldiCoordinate.fromWireOrOrigin} reads an invalid
 * one as the origin with maximum error, so a bad coordinate costs the peer its ranking, not its
 * link (the same policy as the tracker's).
 */
final class PeerMessageRules {
  static final int ID_BYTES = 32;
  static final int MAX_ANSWER_PEERS = 10;
  static final int MAX_BITMAP_BYTES = 64 * 1024;
  private static final long UINT32_RANGE = 1L << 32;

  private final int maxRunChunks;
  private final int maxChunkBytes;
  private final int maxQueryHops;

  PeerMessageRules(int maxRunChunks, int maxChunkBytes, int maxQueryHops) {
    this.maxRunChunks = maxRunChunks;
    this.maxChunkBytes = maxChunkBytes;
    this.maxQueryHops = maxQueryHops;
  }

  static PeerMessageRules of(PeerNetworkConfig config) {
    return new PeerMessageRules(config.maxRunChunks(), config.maxChunkBytes(), config.maxQueryHops());
  }

  /** Passes a valid message; throws {@code BAD_REQUEST} (with what is wrong) otherwise. */
  void check(PeerMessage message) throws ProtocolException {
    switch (message.getBodyCase()) {
      case HELLO:
        hello(message.getHello());
        break;
      case CHUNK_REQUEST:
        chunkRequest(message.getChunkRequest());
        break;
      case CHUNK_DATA:
        chunkData(message.getChunkData());
        break;
      case CHUNK_MISSING:
        chunkMissing(message.getChunkMissing());
        break;
      case HAVE:
        have(message.getHave());
        break;
      case PEER_QUERY:
        peerQuery(message.getPeerQuery());
        break;
      case PEER_QUERY_ANSWER:
        peerQueryAnswer(message.getPeerQueryAnswer());
        break;
      case CANCEL:
      case PING:
      case PONG:
      case GOODBYE:
        break; // nothing to check beyond protobuf (coordinates: see the class comment)
      case BODY_NOT_SET:
      default:
        // The codec refuses empty envelopes first; a body this build does not know is from a newer
        // minor version and would be an unknown field, so this is an empty envelope too.
        throw new ProtocolException(ErrorCode.EMPTY_MESSAGE, "a peer message with no body");
    }
  }

  private static void hello(Hello hello) throws ProtocolException {
    if (hello.getListenPort() > 65535) {
      throw bad("hello: listen_port " + Integer.toUnsignedString(hello.getListenPort()) + " is not a port");
    }
    if (hello.getCapabilitiesCount() > PeerNetworkConfig.MAX_CAPABILITIES) {
      throw bad("hello: " + hello.getCapabilitiesCount() + " capabilities, at most " + PeerNetworkConfig.MAX_CAPABILITIES);
    }
    for (String c : hello.getCapabilitiesList()) {
      if (c.length() > PeerNetworkConfig.MAX_CAPABILITY_BYTES
          || c.getBytes(StandardCharsets.UTF_8).length > PeerNetworkConfig.MAX_CAPABILITY_BYTES) {
        throw bad("hello: a capability longer than " + PeerNetworkConfig.MAX_CAPABILITY_BYTES + " bytes");
      }
    }
  }

  private void chunkRequest(ChunkRequest r) throws ProtocolException {
    id("chunk_request: track_id", r.getTrackId());
    run("chunk_request", r.getFirstIndex(), r.getCount());
  }

  private void chunkData(ChunkData d) throws ProtocolException {
    int size = d.getData().size();
    if (size < 1 || size > maxChunkBytes) {
      throw bad("chunk_data: " + size + " bytes of data, must be 1.." + maxChunkBytes);
    }
  }

  private void chunkMissing(ChunkMissing m) throws ProtocolException {
    run("chunk_missing", m.getFirstIndex(), m.getCount());
  }

  private void run(String what, int firstIndex, int count) throws ProtocolException {
    long c = Integer.toUnsignedLong(count);
    if (c < 1 || c > maxRunChunks) {
      throw bad(what + ": count " + c + ", must be 1.." + maxRunChunks);
    }
    if (Integer.toUnsignedLong(firstIndex) + c > UINT32_RANGE) {
      throw bad(what + ": run [" + Integer.toUnsignedString(firstIndex) + ", +" + c + ") passes 2^32");
    }
  }

  private static void have(Have h) throws ProtocolException {
    id("have: track_id", h.getTrackId());
    if (!h.hasChunks() || h.getChunks().getHoldingCase() == ChunkSet.HoldingCase.HOLDING_NOT_SET) {
      throw bad("have: no chunks");
    }
    chunkSet("have", h.getChunks());
  }

  private static void chunkSet(String what, ChunkSet chunks) throws ProtocolException {
    if (chunks.getHoldingCase() == ChunkSet.HoldingCase.BITMAP && chunks.getBitmap().size() > MAX_BITMAP_BYTES) {
      throw bad(what + ": chunk bitmap of " + chunks.getBitmap().size() + " bytes, at most " + MAX_BITMAP_BYTES);
    }
  }

  private void peerQuery(PeerQuery q) throws ProtocolException {
    id("peer_query: track_id", q.getTrackId());
    if (Integer.toUnsignedLong(q.getHopsLeft()) > maxQueryHops) {
      throw bad("peer_query: hops_left " + Integer.toUnsignedString(q.getHopsLeft()) + ", at most " + maxQueryHops);
    }
  }

  private static void peerQueryAnswer(PeerQueryAnswer a) throws ProtocolException {
    if (a.getPeersCount() > MAX_ANSWER_PEERS) {
      throw bad("peer_query_answer: " + a.getPeersCount() + " peers, at most " + MAX_ANSWER_PEERS);
    }
    for (int i = 0; i < a.getPeersCount(); i++) {
      overlayPeer("peer_query_answer: peer " + i, a.getPeers(i));
    }
  }

  private static void overlayPeer(String what, OverlayPeer p) throws ProtocolException {
    id(what + " node_id", p.getNodeId());
    id(what + " static_key", p.getStaticKey());
    if (!NodeId.ofStaticKey(p.getStaticKey().toByteArray()).equals(NodeId.fromBytes(p.getNodeId().toByteArray()))) {
      throw bad(what + ": node_id is not the SHA-256 of static_key");
    }
    // No address means "the sender itself" (the asker knows where it is connected to); the node
    // runtime answers that way for itself and accepts such an entry only from its sender.
    if (p.hasAddress()) {
      address(what, p.getAddress());
    }
    if (p.hasChunks()) {
      chunkSet(what, p.getChunks());
    }
  }

  private static void address(String what, PeerAddress a) throws ProtocolException {
    int ipBytes = a.getIp().size();
    if (ipBytes != 4 && ipBytes != 16) {
      throw bad(what + ": an IP address is 4 or 16 bytes, got " + ipBytes);
    }
    long port = Integer.toUnsignedLong(a.getPort());
    if (port < 1 || port > 65535) {
      throw bad(what + ": port " + port + ", must be 1..65535");
    }
  }

  private static void id(String what, ByteString id) throws ProtocolException {
    if (id.size() != ID_BYTES) {
      throw bad(what + " is " + ID_BYTES + " bytes, got " + id.size());
    }
  }

  private static ProtocolException bad(String detail) {
    return new ProtocolException(ErrorCode.BAD_REQUEST, detail);
  }
}
