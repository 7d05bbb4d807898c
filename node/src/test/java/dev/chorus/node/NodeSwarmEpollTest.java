package dev.chorus.node;

import dev.chorus.protocol.netty.Transport;
import dev.chorus.testing.NativeLibrary;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link NodeSwarmTest} case on Linux's native epoll ({@code --transport epoll}). */
class NodeSwarmEpollTest extends NodeSwarmTest {
  @BeforeEach
  void epollRunsHere() {
    NativeLibrary.require("epoll", Transport.EPOLL.isAvailable(), Transport.epollBundled());
  }

  @Override
  Transport transport() {
    return Transport.EPOLL;
  }
}
