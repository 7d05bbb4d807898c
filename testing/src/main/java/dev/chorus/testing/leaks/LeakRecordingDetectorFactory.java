package dev.chorus.testing.leaks;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector only logs; this one also records, so that tests can fail on a leaked
 * buffer. Installed for the whole test JVM by {@link LeakDetectionSession} before any buffer
 * class loads, at level PARANOID (every buffer tracked).
 */
public final class LeakRecordingDetectorFactory extends ResourceLeakDetectorFactory {
  private static final List<String> LEAKS = new ArrayList<>();

  @Override
  public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
    return new RecordingDetector<>(resource, samplingInterval);
  }

  /** The abstract method Netty 4.1 still declares (deprecated there); same detector. */
  @Override
  @Deprecated
  public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
    return newResourceLeakDetector(resource, samplingInterval);
  }

  /** Collects garbage, lets the detectors report, and returns (and clears) the leaks seen so far. */
  public static List<String> collectLeaks() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      // Detectors report leaks found by the GC on the next tracked allocation.
      io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(8).release();
      io.netty.buffer.UnpooledByteBufAllocator.DEFAULT.heapBuffer(8).release();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (LEAKS) {
      List<String> copy = new ArrayList<>(LEAKS);
      LEAKS.clear();
      return copy;
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      synchronized (LEAKS) {
        LEAKS.add(resourceType + " leaked:" + records);
      }
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      synchronized (LEAKS) {
        LEAKS.add(resourceType + " leaked (untraced)");
      }
    }
  }
}
