package dev.chorus.tracker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.netty.Transport;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link TrackerServerTest} case on Linux's native epoll ({@code --transport epoll}). */
class TrackerServerEpollTest extends TrackerServerTest {
  @BeforeEach
  void epollRunsWhereItIsBundled() {
    boolean bundled = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
        && System.getProperty("os.arch").matches("amd64|x86_64");
    if (bundled) {
      assertTrue(Transport.EPOLL.isAvailable(), "epoll should load on Linux x86-64 from the bundled library");
    }
    Assumptions.assumeTrue(Transport.EPOLL.isAvailable(), "epoll does not run on this platform");
  }

  @Override
  Transport transport() {
    return Transport.EPOLL;
  }
}
