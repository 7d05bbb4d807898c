package dev.chorus.testing.leaks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension for Netty tests: checks that leak detection is at PARANOID and fails a test
 * after which a leaked buffer is found. Use with {@code @ExtendWith(NoLeaks.class)}.
 */
public final class NoLeaks implements BeforeAllCallback, AfterEachCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
        "Netty tests must run with leak detection at PARANOID");
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> leaks = LeakRecordingDetectorFactory.collectLeaks();
    assertEquals(List.of(), leaks, "leaked Netty buffers");
  }
}
