package dev.chorus.node.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty found a leaked buffer (the node module has no launcher
 * hook like the protocol module's, so the recording detector is installed here, before the test
 * class allocates its first buffer). Leak detection must be PARANOID (the root pom's argLine).
 */
final class NoPeerLeaks implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> LEAKS = new ArrayList<>();
  private static boolean installed;

  @Override
  public void beforeAll(ExtensionContext context) {
    assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
        "Netty tests must run with leak detection at PARANOID");
    synchronized (LEAKS) {
      if (!installed) {
        installed = true;
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new Factory());
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      // Detectors report what the GC found on the next tracked allocation.
      PooledByteBufAllocator.DEFAULT.buffer(8).release();
      UnpooledByteBufAllocator.DEFAULT.heapBuffer(8).release();
      Thread.sleep(20);
    }
    List<String> leaks;
    synchronized (LEAKS) {
      leaks = new ArrayList<>(LEAKS);
      LEAKS.clear();
    }
    assertEquals(List.of(), leaks, "leaked Netty buffers");
  }

  private static final class Factory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
      return new Recording<>(resource, samplingInterval);
    }

    @Override
    @Deprecated
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
      return newResourceLeakDetector(resource, samplingInterval);
    }
  }

  private static final class Recording<T> extends ResourceLeakDetector<T> {
    Recording(Class<T> resource, int samplingInterval) {
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
