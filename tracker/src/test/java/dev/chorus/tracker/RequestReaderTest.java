package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.chorus.protocol.ProtocolException;
import dev.chorus.protocol.VivaldiCoordinate;
import dev.chorus.protocol.message.Envelope;
import dev.chorus.protocol.message.MessageCodec;
import dev.chorus.protocol.wire.Announce;
import dev.chorus.protocol.wire.ChunkSet;
import dev.chorus.protocol.wire.Coordinate;
import dev.chorus.protocol.wire.Hello;
import dev.chorus.protocol.wire.Lookup;
import dev.chorus.protocol.wire.TrackHolding;
import dev.chorus.protocol.wire.TrackerMessage;
import dev.chorus.protocol.wire.Withdraw;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestReader} against the generated parser: on every frame the reader takes, it must
 * read what the generated parser reads, and it must take every frame the generated encoder
 * writes for a lookup or an announce without a region. Random messages, then random mutations
 * of them (flipped, inserted, removed bytes; truncation; duplicated fields).
 */
class RequestReaderTest {
  private static final int MAX_TRACKS = 50;
  private static final MessageCodec<TrackerMessage> CODEC = new MessageCodec<>(Envelope.TRACKER);

  @Test
  void readsEveryEncodedLookupAsTheGeneratedParserDoes() {
    SplittableRandom r = new SplittableRandom(20);
    RequestReader reader = new RequestReader(MAX_TRACKS);
    for (int i = 0; i < 5_000; i++) {
      TrackerMessage message = TrackerMessage.newBuilder().setLookup(randomLookup(r)).build();
      Object read = reader.read(frame(message.toByteArray(), r));
      assertNotNull(read, "not taken: " + message);
      assertSame(message, read);
    }
  }

  @Test
  void readsEveryEncodedAnnounceWithoutRegionAsTheGeneratedParserDoes() {
    SplittableRandom r = new SplittableRandom(21);
    RequestReader reader = new RequestReader(MAX_TRACKS);
    for (int i = 0; i < 5_000; i++) {
      TrackerMessage message = TrackerMessage.newBuilder().setAnnounce(randomAnnounce(r, false)).build();
      Object read = reader.read(frame(message.toByteArray(), r));
      assertNotNull(read, "not taken: " + message);
      assertSame(message, read);
    }
  }

  @Test
  void leavesToTheGeneratedParserWhatItDoesNotTake() {
    SplittableRandom r = new SplittableRandom(22);
    RequestReader reader = new RequestReader(MAX_TRACKS);
    Announce.Builder tooMany = Announce.newBuilder();
    for (int i = 0; i <= MAX_TRACKS; i++) {
      tooMany.addTracks(randomHolding(r));
    }
    TrackerMessage[] others = {
        TrackerMessage.newBuilder().setAnnounce(tooMany).build(),
        TrackerMessage.newBuilder().setAnnounce(randomAnnounce(r, false).toBuilder().setRegion("eu-west")).build(),
        TrackerMessage.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1)).build(),
        TrackerMessage.newBuilder().setWithdraw(Withdraw.newBuilder().addTrackIds(ByteString.copyFrom(new byte[32]))).build(),
        TrackerMessage.getDefaultInstance(),
    };
    for (TrackerMessage message : others) {
      assertNull(reader.read(frame(message.toByteArray(), r)), message.toString());
    }
    byte[] lookup = TrackerMessage.newBuilder().setLookup(Lookup.newBuilder().setLookupId(7)
        .setTrackId(ByteString.copyFrom(new byte[32])).setMaxPeers(5)).build().toByteArray();
    assertNotNull(reader.read(frame(lookup, r)));
    // The same lookup with: a field twice, an unknown field, a truncated body, an 11-byte varint,
    // a length past the end, a multi-byte tag, and a second envelope body after it.
    assertNull(reader.read(frame(withBody(lookup, bytes(0x20, 9)), r)), "max_peers twice");
    assertNull(reader.read(frame(withBody(lookup, bytes(0x28, 1)), r)), "unknown field 5");
    assertNull(reader.read(frame(Arrays.copyOf(lookup, lookup.length - 1), r)), "truncated");
    assertNull(reader.read(frame(withBody(Arrays.copyOf(lookup, 4),
        bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)), r)), "11-byte varint");
    assertNull(reader.read(frame(withBody(lookup, bytes(0x12, 0x7f, 1)), r)), "length past the end");
    assertNull(reader.read(frame(withBody(lookup, bytes(0x80, 0x01, 0)), r)), "two-byte tag (field 16)");
    byte[] twoBodies = Arrays.copyOf(lookup, lookup.length * 2);
    System.arraycopy(lookup, 0, twoBodies, lookup.length, lookup.length);
    assertNull(reader.read(frame(twoBodies, r)), "two envelope bodies");
    assertNull(reader.read(frame(new byte[0], r)), "empty frame");
  }

  @Test
  void mutatedFramesAreTakenOnlyAsTheGeneratedParserReadsThem() {
    SplittableRandom r = new SplittableRandom(23);
    RequestReader reader = new RequestReader(MAX_TRACKS);
    int taken = 0;
    int refusedByBoth = 0;
    for (int i = 0; i < 20_000; i++) {
      TrackerMessage message = r.nextBoolean()
          ? TrackerMessage.newBuilder().setLookup(randomLookup(r)).build()
          : TrackerMessage.newBuilder().setAnnounce(randomAnnounce(r, r.nextInt(10) == 0)).build();
      byte[] bytes = mutate(message.toByteArray(), r);
      Object read = reader.read(frame(bytes, r));
      TrackerMessage parsed;
      try {
        parsed = CODEC.decode(ByteBuffer.wrap(bytes));
      } catch (ProtocolException e) {
        if (read != null) {
          fail("taken, but the generated parser refuses it (" + e.getMessage() + "): " + hex(bytes));
        }
        refusedByBoth++;
        continue;
      }
      if (read != null) {
        taken++;
        try {
          assertSame(parsed, read);
        } catch (AssertionError e) {
          throw new AssertionError("read differently from the generated parser: " + hex(bytes), e);
        }
      }
    }
    // The mutations must exercise both outcomes, or the test proves nothing.
    assertTrue(taken > 1_500, "taken " + taken);
    assertTrue(refusedByBoth > 1_500, "refused by both " + refusedByBoth);
  }

  /** The reader's fields equal what the generated parser made of the same frame. */
  private static void assertSame(TrackerMessage parsed, Object read) {
    if (parsed.hasLookup()) {
      RequestReader.LookupFields l = assertInstanceOf(RequestReader.LookupFields.class, read);
      Lookup expected = parsed.getLookup();
      assertEquals(expected.getLookupId(), l.lookupId);
      assertArrayEquals(expected.getTrackId().toByteArray(), slice(l.frame, l.trackIdOffset, l.trackIdLength));
      assertSameOutcome(() -> TrackerSessionHandler.trackId(expected.getTrackId()),
          () -> TrackerSessionHandler.trackId(l.frame, l.trackIdOffset, l.trackIdLength));
      assertEquals(expected.getMaxPeers(), l.maxPeers);
      if (expected.getWanted().getHoldingCase() == ChunkSet.HoldingCase.BITMAP) {
        assertTrue(l.wantedOffset >= 0, "wanted bitmap");
        assertArrayEquals(expected.getWanted().getBitmap().toByteArray(), slice(l.frame, l.wantedOffset, l.wantedLength));
      } else {
        assertEquals(-1, l.wantedOffset, "no wanted bitmap");
      }
      return;
    }
    RequestReader.AnnounceFields a = assertInstanceOf(RequestReader.AnnounceFields.class, read);
    Announce expected = parsed.getAnnounce();
    assertEquals("", expected.getRegion());
    assertEquals(expected.getFull(), a.full);
    assertEquals(expected.getMore(), a.more);
    assertEquals(expected.hasCoordinate()
        ? VivaldiCoordinate.fromWireOrOrigin(expected.getCoordinate()) : null, a.coordinate);
    assertEquals(expected.getTracksCount(), a.count);
    for (int i = 0; i < a.count; i++) {
      TrackHolding t = expected.getTracks(i);
      assertArrayEquals(t.getTrackId().toByteArray(), slice(a.frame, a.trackIdOffset[i], a.trackIdLength[i]));
      assertEquals(t.getChunkCount(), a.chunkCount[i]);
      int h = i;
      assertSameOutcome(() -> TrackerSessionHandler.holding(t), () -> TrackerSessionHandler.holding(a.frame,
          a.trackIdOffset[h], a.trackIdLength[h], a.bitmapOffset[h], a.bitmapLength[h], a.chunkCount[h]));
      if (t.getChunks().getHoldingCase() == ChunkSet.HoldingCase.BITMAP) {
        assertTrue(a.bitmapOffset[i] >= 0, "bitmap of holding " + i);
        assertArrayEquals(t.getChunks().getBitmap().toByteArray(), slice(a.frame, a.bitmapOffset[i], a.bitmapLength[i]));
      } else {
        assertEquals(-1, a.bitmapOffset[i], "holding " + i + " complete");
      }
    }
  }

  private interface Check {
    Object run() throws ProtocolException;
  }

  /** The session's checks give the same value, or the same error, from either reading. */
  private static void assertSameOutcome(Check generated, Check fromFrame) {
    Object expected;
    try {
      expected = generated.run();
    } catch (ProtocolException e) {
      ProtocolException got = assertThrows(ProtocolException.class, fromFrame::run);
      assertEquals(e.code(), got.code());
      assertEquals(e.getMessage(), got.getMessage());
      return;
    }
    try {
      assertEquals(expected, fromFrame.run());
    } catch (ProtocolException e) {
      fail("refused from the frame only: " + e.getMessage());
    }
  }

  private static Lookup randomLookup(SplittableRandom r) {
    Lookup.Builder b = Lookup.newBuilder();
    switch (r.nextInt(4)) {
      case 0 -> b.setLookupId(r.nextLong());
      case 1 -> b.setLookupId(r.nextInt(1000));
      default -> { }
    }
    if (r.nextInt(8) != 0) {
      b.setTrackId(ByteString.copyFrom(randomBytes(r, r.nextInt(6) == 0 ? r.nextInt(40) : 32)));
    }
    if (r.nextInt(3) == 0) {
      b.setWanted(randomChunks(r));
    }
    if (r.nextBoolean()) {
      b.setMaxPeers(r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(60));
    }
    return b.build();
  }

  private static Announce randomAnnounce(SplittableRandom r, boolean region) {
    Announce.Builder b = Announce.newBuilder().setFull(r.nextBoolean()).setMore(r.nextInt(4) == 0);
    int tracks = r.nextInt(8) == 0 ? r.nextInt(MAX_TRACKS + 1) : r.nextInt(4);
    for (int i = 0; i < tracks; i++) {
      b.addTracks(randomHolding(r));
    }
    if (r.nextBoolean()) {
      Coordinate.Builder c = Coordinate.newBuilder();
      int dimensions = r.nextInt(10);
      for (int d = 0; d < dimensions; d++) {
        c.addPositionMs(r.nextInt(10) == 0 ? Float.NaN : (float) (r.nextDouble() * 400 - 200));
      }
      if (r.nextBoolean()) {
        c.setHeightMs(r.nextInt(10) == 0 ? -1f : (float) (r.nextDouble() * 50));
      }
      if (r.nextBoolean()) {
        c.setError((float) (r.nextDouble() * 2));
      }
      b.setCoordinate(c);
    }
    if (region) {
      b.setRegion("region-" + r.nextInt(5));
    }
    return b.build();
  }

  private static TrackHolding randomHolding(SplittableRandom r) {
    TrackHolding.Builder t = TrackHolding.newBuilder();
    if (r.nextInt(10) != 0) {
      t.setTrackId(ByteString.copyFrom(randomBytes(r, r.nextInt(10) == 0 ? r.nextInt(40) : 32)));
    }
    if (r.nextInt(4) != 0) {
      t.setChunks(randomChunks(r));
    }
    if (r.nextInt(5) != 0) {
      t.setChunkCount(r.nextInt(5) == 0 ? r.nextInt() : r.nextInt(2000));
    }
    return t.build();
  }

  private static ChunkSet randomChunks(SplittableRandom r) {
    return switch (r.nextInt(4)) {
      case 0 -> ChunkSet.getDefaultInstance();
      case 1 -> ChunkSet.newBuilder().setComplete(r.nextBoolean()).build();
      default -> ChunkSet.newBuilder().setBitmap(ByteString.copyFrom(randomBytes(r, r.nextInt(r.nextBoolean() ? 4 : 300)))).build();
    };
  }

  private static byte[] mutate(byte[] bytes, SplittableRandom r) {
    byte[] out = bytes.clone();
    int mutations = 1 + r.nextInt(3);
    for (int m = 0; m < mutations; m++) {
      if (out.length == 0) {
        return out;
      }
      int at = r.nextInt(out.length);
      switch (r.nextInt(6)) {
        case 0 -> out[at] ^= (byte) (1 << r.nextInt(8));
        case 1 -> out[at] = (byte) r.nextInt(256);
        case 2 -> out = Arrays.copyOf(out, at); // truncate
        case 3 -> { // insert a byte
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, at);
          longer[at] = (byte) r.nextInt(256);
          System.arraycopy(out, at, longer, at + 1, out.length - at);
          out = longer;
        }
        case 4 -> { // remove a byte
          byte[] shorter = new byte[out.length - 1];
          System.arraycopy(out, 0, shorter, 0, at);
          System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
          out = shorter;
        }
        default -> { // duplicate a run of bytes (often a whole field)
          int length = 1 + r.nextInt(Math.min(8, out.length - at));
          byte[] longer = new byte[out.length + length];
          System.arraycopy(out, 0, longer, 0, at + length);
          System.arraycopy(out, at, longer, at + length, out.length - at);
          out = longer;
        }
      }
    }
    return out;
  }

  /** Reused (allocating a direct buffer per frame made the test slow): the reader keeps nothing past the next read. */
  private final ByteBuf direct = Unpooled.directBuffer(1 << 16);
  private final ByteBuf heap = Unpooled.buffer(1 << 16);

  /** The bytes in a frame buffer: heap or direct, at a non-zero reader index, as the pipeline hands them over. */
  private ByteBuf frame(byte[] bytes, SplittableRandom r) {
    int offset = r.nextInt(4);
    ByteBuf buf = r.nextBoolean() ? direct : heap;
    buf.clear().writeZero(offset).writeBytes(bytes).readerIndex(offset);
    return buf;
  }

  @AfterEach
  void release() {
    direct.release();
    heap.release();
  }

  private static byte[] withBody(byte[] envelope, byte[] extra) {
    // envelope: tag, one-byte length, body; append to the body and fix the length.
    byte[] out = Arrays.copyOf(envelope, envelope.length + extra.length);
    System.arraycopy(extra, 0, out, envelope.length, extra.length);
    out[1] = (byte) (envelope[1] + extra.length);
    return out;
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static byte[] slice(ByteBuf buf, int offset, int length) {
    byte[] out = new byte[length];
    buf.getBytes(offset, out);
    return out;
  }

  private static byte[] randomBytes(SplittableRandom r, int length) {
    byte[] out = new byte[length];
    r.nextBytes(out);
    return out;
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
