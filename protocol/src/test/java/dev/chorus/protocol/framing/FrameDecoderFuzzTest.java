package dev.chorus.protocol.framing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Any byte sequence must either decode into frames within the bounds or fail with a {@link
 * FrameException}, never anything else, and the decoder must account for every byte. Runs its
 * seed inputs in the normal build; see protocol/README.md for a real fuzzing run.
 */
class FrameDecoderFuzzTest {
  private static final int MAX = 300;

  @FuzzTest(maxDuration = "30s")
  void decodesOrRefusesWithATypedError(byte[] input) {
    for (FrameFormat format : new FrameFormat[] {FrameFormat.messages(MAX), FrameFormat.noiseRecords()}) {
      FrameDecoder decoder = new FrameDecoder(format);
      ByteBuffer in = ByteBuffer.wrap(input);
      long consumed = 0;
      try {
        ByteBuffer frame;
        while ((frame = decoder.nextFrame(in)) != null) {
          assertTrue(frame.remaining() >= 1 && frame.remaining() <= format.maxBodyBytes());
          consumed += format.headerBytes() + frame.remaining();
        }
        assertEquals(consumed, in.position(), "decoder consumed exactly the frames it returned");
        decoder.endOfStream(in.remaining());
        assertEquals(input.length, consumed);
      } catch (FrameException expected) {
        assertTrue(expected.code() != null);
      }
    }
  }
}
