package dev.chorus.protocol.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.MessageLite;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.limits.WireLimits;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Coordinate;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.OverlayPeer;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.TrackerPeer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One frame body, as a peer or a tracker would send it, through both envelopes' decoding and the
 * protocol's shared readers of what they carry (chunk sets, coordinates): each either yields a
 * value or fails with {@link ProtocolException} {@code MALFORMED_MESSAGE}/{@code EMPTY_MESSAGE},
 * never anything else, and an accepted message survives re-encoding. The node's and tracker's own
 * rules on top have their targets in those modules. Seeds in {@code EnvelopeFuzzTestInputs/}; for
 * a fuzzing run see README.md (Testing).
 */
class EnvelopeFuzzTest {
  private static final Set<ErrorCode> DECODE_CODES = EnumSet.of(ErrorCode.MALFORMED_MESSAGE, ErrorCode.EMPTY_MESSAGE);

  @FuzzTest(maxDuration = "30s")
  void decodesOrRefusesWithATypedError(byte[] body) {
    PeerMessage peer = decode(new MessageCodec<>(Envelope.PEER), body);
    if (peer != null) {
      peerParts(peer);
    }
    TrackerMessage tracker = decode(new MessageCodec<>(Envelope.TRACKER), body);
    if (tracker != null) {
      trackerParts(tracker);
    }
  }

  private static <T extends MessageLite> T decode(MessageCodec<T> codec, byte[] body) {
    T message;
    try {
      message = codec.decode(ByteBuffer.wrap(body));
    } catch (ProtocolException e) {
      assertNotNull(e.getMessage());
      assertTrue(DECODE_CODES.contains(e.code()), e::toString);
      return null;
    }
    assertNotNull(codec.envelope().kindOf(message));
    ByteBuffer again = ByteBuffer.allocate(codec.encodedSize(message));
    codec.encode(message, again);
    again.flip();
    try {
      assertEquals(message, codec.decode(again), "re-encoded message decodes to itself");
    } catch (ProtocolException e) {
      throw new AssertionError("re-encoded " + codec.envelope().name() + " message refused", e);
    }
    return message;
  }

  private static void peerParts(PeerMessage m) {
    List<ChunkSet> sets = new ArrayList<>();
    List<Coordinate> coordinates = new ArrayList<>();
    sets.add(m.getHave().getChunks());
    for (OverlayPeer p : m.getPeerQueryAnswer().getPeersList()) {
      sets.add(p.getChunks());
      coordinates.add(p.getCoordinate());
    }
    coordinates.add(m.getHello().getCoordinate());
    coordinates.add(m.getPing().getCoordinate());
    coordinates.add(m.getPong().getCoordinate());
    check(sets, coordinates);
  }

  private static void trackerParts(TrackerMessage m) {
    List<ChunkSet> sets = new ArrayList<>();
    List<Coordinate> coordinates = new ArrayList<>();
    for (TrackHolding t : m.getAnnounce().getTracksList()) {
      sets.add(t.getChunks());
    }
    sets.add(m.getLookup().getWanted());
    for (TrackerPeer p : m.getLookupResult().getPeersList()) {
      sets.add(p.getChunks());
      coordinates.add(p.getCoordinate());
    }
    coordinates.add(m.getHello().getCoordinate());
    coordinates.add(m.getAnnounce().getCoordinate());
    check(sets, coordinates);
  }

  private static void check(List<ChunkSet> sets, List<Coordinate> coordinates) {
    for (ChunkSet set : sets) {
      BitSet bits = ChunkSets.bits(set);
      if (ChunkSets.isComplete(set)) {
        assertTrue(bits.isEmpty());
      } else if (set.getHoldingCase() == ChunkSet.HoldingCase.BITMAP) {
        assertTrue(bits.length() <= set.getBitmap().size() * 8L);
        if (set.getBitmap().size() <= WireLimits.MAX_CHUNK_BITMAP_BYTES) {
          assertEquals(bits, ChunkSets.bits(ChunkSets.of(false, bits)), "bitmap round trip");
        }
      }
    }
    for (Coordinate c : coordinates) {
      assertNotNull(VivaldiCoordinate.fromWireOrOrigin(c));
    }
  }
}
