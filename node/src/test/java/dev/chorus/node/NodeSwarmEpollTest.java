package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.protocol.netty.Transport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link NodeSwarmTest} case on Linux's native epoll ({@code --transport epoll}). */
class NodeSwarmEpollTest extends NodeSwarmTest {
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
