package dev.chorus.node.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Registered through META-INF/services so it runs before any test class loads a Netty buffer:
 * every buffer is tracked (PARANOID) and leaks are recorded for {@link NoLeaks} to check.
 */
public final class LeakDetectionSession implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new LeakRecordingDetectorFactory());
  }
}
