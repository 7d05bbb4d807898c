package dev.chorus.protocol.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.protocol.wire.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private final FrameDecoder decoder = new FrameDecoder(FrameFormat.messages(64));

  private static ByteBuffer bytes(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length);
    for (int v : values) {
      b.put((byte) v);
    }
    return b.flip();
  }

  private static byte[] remaining(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Nested
  class WellFormed {
    @Test
    void decodesOneFrameAndConsumesExactlyIt() throws Exception {
      ByteBuffer in = bytes(0, 0, 0, 3, 'a', 'b', 'c', 0x7f);
      ByteBuffer frame = decoder.nextFrame(in);
      assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), remaining(frame));
      assertEquals(7, in.position());
    }

    @Test
    void decodesSeveralFramesFromOneBuffer() throws Exception {
      ByteBuffer in = bytes(0, 0, 0, 1, 'x', 0, 0, 0, 2, 'y', 'z');
      assertArrayEquals(new byte[] {'x'}, remaining(decoder.nextFrame(in)));
      assertArrayEquals(new byte[] {'y', 'z'}, remaining(decoder.nextFrame(in)));
      assertNull(decoder.nextFrame(in));
      assertEquals(0, in.remaining());
    }

    @Test
    void acceptsAFrameOfExactlyTheMaximum() throws Exception {
      ByteBuffer in = ByteBuffer.allocate(4 + 64).putInt(64).put(new byte[64]).flip();
      assertEquals(64, decoder.nextFrame(in).remaining());
    }

    @Test
    void encoderAndDecoderAgree() throws Exception {
      FrameEncoder encoder = new FrameEncoder(FrameFormat.noiseRecords());
      FrameDecoder records = new FrameDecoder(FrameFormat.noiseRecords());
      byte[] body = new byte[65535];
      body[65534] = 42;
      ByteBuffer in = encoder.encode(body);
      assertEquals(2 + 65535, in.remaining());
      assertArrayEquals(body, remaining(records.nextFrame(in)));
    }
  }

  @Nested
  class NotEnoughBytesYet {
    @Test
    void partialHeaderNeedsMore() throws Exception {
      ByteBuffer in = bytes(0, 0, 0);
      assertEquals(FrameDecoder.NEED_MORE, decoder.nextFrameLength(in));
      assertNull(decoder.nextFrame(in));
      assertEquals(0, in.position(), "nothing consumed");
    }

    @Test
    void partialBodyNeedsMoreThenCompletes() throws Exception {
      ByteBuffer in = ByteBuffer.allocate(16);
      in.put(new byte[] {0, 0, 0, 4, 'a', 'b'}).flip();
      assertNull(decoder.nextFrame(in));
      assertEquals(0, in.position());
      in.compact().put(new byte[] {'c', 'd'}).flip();
      assertArrayEquals("abcd".getBytes(StandardCharsets.US_ASCII), remaining(decoder.nextFrame(in)));
    }

    @Test
    void endOfStreamInsideAFrameIsTruncation() {
      FrameException e = assertThrows(FrameException.class, () -> decoder.endOfStream(3));
      assertEquals(ErrorCode.FRAME_TRUNCATED, e.code());
    }

    @Test
    void endOfStreamBetweenFramesIsFine() throws Exception {
      decoder.endOfStream(0);
    }
  }

  @Nested
  class InvalidContent {
    @Test
    void emptyFrameIsMalformed() {
      FrameException e = assertThrows(FrameException.class, () -> decoder.nextFrame(bytes(0, 0, 0, 0)));
      assertEquals(ErrorCode.MALFORMED_MESSAGE, e.code());
    }

    @Test
    void encoderRefusesAnEmptyBody() {
      FrameEncoder encoder = new FrameEncoder(FrameFormat.messages(64));
      assertEquals(ErrorCode.MALFORMED_MESSAGE,
          assertThrows(FrameException.class, () -> encoder.encode(new byte[0])).code());
    }
  }

  @Nested
  class BadLength {
    @Test
    void oversizedFrameIsRefusedFromItsHeaderAlone() {
      FrameException e = assertThrows(FrameException.class, () -> decoder.nextFrameLength(bytes(0, 0, 0, 65)));
      assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
    }

    @Test
    void lengthWithTheTopBitSetIsTooLargeNotNegative() {
      FrameException e = assertThrows(FrameException.class,
          () -> decoder.nextFrameLength(bytes(0xff, 0xff, 0xff, 0xff)));
      assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
    }

    @Test
    void aHeaderReadByTheCallerIsCheckedTheSameWay() throws Exception {
      assertEquals(ErrorCode.FRAME_TOO_LARGE, assertThrows(FrameException.class, () -> decoder.frameLength(65, 65)).code());
      assertEquals(ErrorCode.FRAME_TOO_LARGE,
          assertThrows(FrameException.class, () -> decoder.frameLength(0xffff_ffffL, 0)).code());
      assertEquals(ErrorCode.MALFORMED_MESSAGE,
          assertThrows(FrameException.class, () -> decoder.frameLength(0, 10)).code());
      assertEquals(FrameDecoder.NEED_MORE, decoder.frameLength(64, 63));
      assertEquals(64, decoder.frameLength(64, 64));
      assertEquals(3, decoder.frameLength(3, 100));
    }

    @Test
    void encoderRefusesABodyOverTheMaximum() {
      FrameEncoder encoder = new FrameEncoder(FrameFormat.messages(64));
      assertEquals(ErrorCode.FRAME_TOO_LARGE,
          assertThrows(FrameException.class, () -> encoder.encode(new byte[65])).code());
    }

    @Test
    void messageMaximumMustBeSane() {
      assertThrows(IllegalArgumentException.class, () -> FrameFormat.messages(0));
      assertThrows(IllegalArgumentException.class, () -> FrameFormat.messages(FrameFormat.MAX_CONFIGURABLE_MESSAGE_BYTES + 1));
    }
  }
}
