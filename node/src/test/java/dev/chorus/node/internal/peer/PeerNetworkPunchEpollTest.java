package dev.chorus.node.internal.peer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.netty.Transport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link PeerNetworkPunchTest} case on Linux's native epoll ({@code --transport epoll}). */
class PeerNetworkPunchEpollTest extends PeerNetworkPunchTest {
  @BeforeEach
  void epollRunsWhereItIsBundled() {
    if (Transport.epollBundled()) {
      assertTrue(Transport.EPOLL.isAvailable(), "epoll should load on Linux x86-64 from the bundled library");
    }
    Assumptions.assumeTrue(Transport.EPOLL.isAvailable(), "epoll does not run on this platform");
  }

  @Override
  Transport transport() {
    return Transport.EPOLL;
  }
}
