package dev.chorus.node.internal.trackerclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.limits.WireLimits;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.MessageCodec;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/**
 * A frame body as a tracker would send it to a node, through decoding and the node's reading of a
 * lookup result's peers: each peer is either dropped or becomes a contact whose id is its key's
 * hash, with a 4- or 16-byte address, a port in 1..65535 and a bitmap within the wire limit;
 * nothing throws. Seeds in {@code TrackerPeerFuzzTestInputs/}; for a fuzzing run see README.md
 * (Testing).
 */
class TrackerPeerFuzzTest {
  private static final MessageCodec<TrackerMessage> CODEC = new MessageCodec<>(Envelope.TRACKER);
  private static final Set<ErrorCode> DECODE_CODES = EnumSet.of(ErrorCode.MALFORMED_MESSAGE, ErrorCode.EMPTY_MESSAGE);

  @FuzzTest(maxDuration = "30s")
  void keepsOnlyWellFormedPeers(byte[] body) {
    TrackerMessage message;
    try {
      message = CODEC.decode(ByteBuffer.wrap(body));
    } catch (ProtocolException e) {
      assertTrue(DECODE_CODES.contains(e.code()), e::toString);
      return;
    }
    for (TrackerPeer wire : message.getLookupResult().getPeersList()) {
      TrackerPeerInfo peer = TrackerPeerInfo.fromWire(wire);
      if (peer == null) {
        continue;
      }
      assertEquals(NodeId.ofStaticKey(peer.staticKey()), peer.nodeId());
      int port = peer.address().getPort();
      assertTrue(port >= 1 && port <= 65535);
      int ip = peer.address().getAddress().getAddress().length;
      assertTrue(ip == 4 || ip == 16);
      if (!peer.isComplete()) {
        assertTrue(peer.chunks().length() <= WireLimits.MAX_CHUNK_BITMAP_BYTES * 8);
      }
    }
  }
}
