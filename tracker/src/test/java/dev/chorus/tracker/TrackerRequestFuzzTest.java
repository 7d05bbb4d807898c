package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.limits.WireLimits;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.MessageCodec;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.tracker.index.Holding;
import dev.chorus.tracker.index.LookupPolicy;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/**
 * A frame body as a node would send it to the tracker, through decoding and the session's checks
 * of what an Announce, Withdraw or Lookup carries before it reaches the index: each part is either
 * turned into a valid index argument or refused with {@link ProtocolException} {@code
 * BAD_REQUEST} (decoding: {@code MALFORMED_MESSAGE}/{@code EMPTY_MESSAGE}), never anything else.
 * The per-message count caps and rate limits are configuration, tested in {@code
 * TrackerServerTest}. Seeds in {@code TrackerRequestFuzzTestInputs/}; for a fuzzing run see
 * README.md (Testing).
 */
class TrackerRequestFuzzTest {
  private static final MessageCodec<TrackerMessage> CODEC = new MessageCodec<>(Envelope.TRACKER);
  private static final Set<ErrorCode> DECODE_CODES = EnumSet.of(ErrorCode.MALFORMED_MESSAGE, ErrorCode.EMPTY_MESSAGE);

  @FuzzTest(maxDuration = "30s")
  void checksOrRefusesWithBadRequest(byte[] body) {
    TrackerMessage message;
    try {
      message = CODEC.decode(ByteBuffer.wrap(body));
    } catch (ProtocolException e) {
      assertTrue(DECODE_CODES.contains(e.code()), e::toString);
      return;
    }
    switch (message.getBodyCase()) {
      case ANNOUNCE -> {
        for (TrackHolding t : message.getAnnounce().getTracksList()) {
          holding(t);
        }
        String region = message.getAnnounce().getRegion();
        checked(() -> assertEquals(region, TrackerSessionHandler.checkRegion(region)));
      }
      case WITHDRAW -> {
        for (ByteString id : message.getWithdraw().getTrackIdsList()) {
          checked(() -> assertEquals(id, ByteString.copyFrom(TrackerSessionHandler.trackId(id).bytes())));
        }
      }
      case LOOKUP -> {
        Lookup lookup = message.getLookup();
        checked(() -> assertNotNull(TrackerSessionHandler.trackId(lookup.getTrackId())));
        if (lookup.getWanted().hasBitmap()) {
          assertEquals(lookup.getWanted().getBitmap().size() <= WireLimits.MAX_CHUNK_BITMAP_BYTES,
              LookupPolicy.wantedFits(lookup.getWanted().getBitmap().size()));
        }
      }
      default -> { }
    }
  }

  private static void holding(TrackHolding t) {
    checked(() -> {
      Holding h = TrackerSessionHandler.holding(t);
      assertEquals(t.getChunkCount(), h.chunkCount());
      assertTrue(h.chunkCount() <= WireLimits.MAX_CHUNKS_PER_TRACK);
      if (!h.isComplete()) {
        byte[] bitmap = h.bitmap();
        assertTrue(bitmap.length <= (h.chunkCount() + 7) / 8, "bitmap within the chunk count");
        for (int i = 0; i < bitmap.length * 8; i++) {
          assertEquals((bitmap[i / 8] >> (i % 8) & 1) == 1, h.has(i));
        }
      }
    });
  }

  private interface Check {
    void run() throws ProtocolException;
  }

  private static void checked(Check check) {
    try {
      check.run();
    } catch (ProtocolException e) {
      assertEquals(ErrorCode.BAD_REQUEST, e.code(), e::toString);
      assertNotNull(e.getMessage());
    }
  }
}
