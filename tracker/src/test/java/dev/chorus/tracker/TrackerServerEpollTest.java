package dev.chorus.tracker;

import dev.chorus.protocol.netty.Transport;
import dev.chorus.testing.NativeLibrary;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link TrackerServerTest} case on Linux's native epoll ({@code --transport epoll}). */
class TrackerServerEpollTest extends TrackerServerTest {
  @BeforeEach
  void epollRunsHere() {
    NativeLibrary.require("epoll", Transport.EPOLL.isAvailable(), Transport.epollBundled());
  }

  @Override
  Transport transport() {
    return Transport.EPOLL;
  }
}
