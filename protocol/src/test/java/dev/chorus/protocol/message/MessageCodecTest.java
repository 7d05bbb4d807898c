package dev.chorus.protocol.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.wire.ChunkData;
import dev.chorus.protocol.wire.ChunkRequest;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.PeerMessage;
import dev.chorus.protocol.wire.Priority;
import dev.chorus.protocol.wire.TrackerMessage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private final MessageCodec<PeerMessage> peer = new MessageCodec<>(Envelope.PEER);
  private final MessageCodec<TrackerMessage> tracker = new MessageCodec<>(Envelope.TRACKER);

  private static final PeerMessage REQUEST = PeerMessage.newBuilder()
      .setChunkRequest(ChunkRequest.newBuilder()
          .setRequestId(7).setTrackId(ByteString.copyFrom(new byte[32]))
          .setFirstIndex(10).setCount(4).setPriority(Priority.PLAYBACK))
      .build();

  private static ByteBuffer encode(MessageCodec<PeerMessage> codec, PeerMessage m) {
    ByteBuffer out = ByteBuffer.allocate(codec.encodedSize(m));
    codec.encode(m, out);
    return out.flip();
  }

  @Nested
  class WellFormed {
    @Test
    void peerMessagesRoundTrip() throws Exception {
      assertEquals(REQUEST, peer.decode(encode(peer, REQUEST)));
      PeerMessage data = PeerMessage.newBuilder()
          .setChunkData(ChunkData.newBuilder().setRequestId(7).setIndex(10)
              .setData(ByteString.copyFrom(new byte[16384])))
          .build();
      assertEquals(data, peer.decode(encode(peer, data)));
    }

    @Test
    void trackerMessagesRoundTrip() throws Exception {
      TrackerMessage lookup = TrackerMessage.newBuilder()
          .setLookup(Lookup.newBuilder().setLookupId(1).setTrackId(ByteString.copyFrom(new byte[32])).setMaxPeers(10))
          .build();
      assertEquals(lookup, tracker.decode(ByteBuffer.wrap(lookup.toByteArray())));
    }

    @Test
    void goodbyeCarriesTheCodeAndABoundedDetail() {
      String longDetail = "é".repeat(400);
      PeerMessage bye = Envelope.PEER.goodbye(ErrorCode.DECRYPT_FAILED, longDetail);
      assertEquals(ErrorCode.DECRYPT_FAILED, bye.getGoodbye().getReason());
      assertTrue(bye.getGoodbye().getDetailBytes().size() <= Envelope.MAX_DETAIL_BYTES);
    }
  }

  @Nested
  class NotEnoughBytes {
    @Test
    void aMessageCutShortIsMalformed() {
      ByteBuffer whole = encode(peer, REQUEST);
      for (int cut = 1; cut < whole.remaining(); cut++) {
        ByteBuffer part = ByteBuffer.wrap(Arrays.copyOf(whole.array(), cut));
        ProtocolException e = assertThrows(ProtocolException.class, () -> peer.decode(part), "cut at " + cut);
        assertTrue(e.code() == ErrorCode.MALFORMED_MESSAGE || e.code() == ErrorCode.EMPTY_MESSAGE,
            "cut at " + cut + " gave " + e.code());
      }
    }
  }

  @Nested
  class InvalidContent {
    @Test
    void garbageIsMalformed() {
      ByteBuffer garbage = ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
      assertEquals(ErrorCode.MALFORMED_MESSAGE, assertThrows(ProtocolException.class, () -> peer.decode(garbage)).code());
    }

    @Test
    void envelopeWithOnlyUnknownFieldsIsEmpty() {
      // field 99, varint 1: a future message this build does not know
      ByteBuffer unknown = ByteBuffer.wrap(new byte[] {(byte) 0x98, 0x06, 0x01});
      assertEquals(ErrorCode.EMPTY_MESSAGE, assertThrows(ProtocolException.class, () -> peer.decode(unknown)).code());
    }

    @Test
    void deepNestingIsRefused() {
      // start-group tags of unknown field 1 (0x0b) nested 100 deep: the parser must stop at its
      // recursion limit instead of descending
      byte[] nested = new byte[100];
      Arrays.fill(nested, (byte) 0x0b);
      assertEquals(ErrorCode.MALFORMED_MESSAGE,
          assertThrows(ProtocolException.class, () -> peer.decode(ByteBuffer.wrap(nested))).code());
    }
  }

  @Nested
  class BadLength {
    @Test
    void fieldLengthBeyondTheFrameIsMalformed() {
      // field 4 (chunk_data), length-delimited, declared length 100 with 2 bytes present
      ByteBuffer lying = ByteBuffer.wrap(new byte[] {0x22, 100, 0x08, 0x01});
      assertEquals(ErrorCode.MALFORMED_MESSAGE, assertThrows(ProtocolException.class, () -> peer.decode(lying)).code());
    }

    @Test
    void hugeDeclaredLengthIsMalformedNotAnAllocation() {
      // chunk_data with declared length 2^31-1
      ByteBuffer lying = ByteBuffer.wrap(new byte[] {0x22, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x08});
      assertEquals(ErrorCode.MALFORMED_MESSAGE, assertThrows(ProtocolException.class, () -> peer.decode(lying)).code());
    }
  }
}
