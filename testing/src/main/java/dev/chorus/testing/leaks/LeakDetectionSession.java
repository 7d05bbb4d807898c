package dev.chorus.testing.leaks;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Registered through META-INF/services so it runs before any test class loads a Netty buffer:
 * every buffer is tracked (PARANOID) and leaks are recorded for {@link NoLeaks} to check.
 *
 * <p>A module turns it on for its tests with the one-line file {@code
 * src/test/resources/META-INF/services/org.junit.platform.launcher.LauncherSessionListener}
 * naming this class (protocol, tracker and node do), and its Netty test classes check with {@code
 * @ExtendWith(NoLeaks.class)}. The surefire argLine of the root pom sets the same level for every
 * module's tests.
 */
public final class LeakDetectionSession implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new LeakRecordingDetectorFactory());
  }
}
