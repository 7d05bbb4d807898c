package dev.chorus.testing.leaks;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check must be able to fail: a dropped buffer is reported. */
class LeakDetectionSelfTest {
  @Test
  void aDroppedBufferIsReported() {
    leakOne();
    List<String> leaks = LeakRecordingDetectorFactory.collectLeaks();
    assertFalse(leaks.isEmpty(), "the detector saw the dropped buffer");
  }

  private static void leakOne() {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(64);
    leaked.writeLong(42);
    // no release: the buffer becomes garbage with refCnt 1
  }
}
