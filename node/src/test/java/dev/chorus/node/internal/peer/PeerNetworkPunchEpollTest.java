package dev.chorus.node.internal.peer;

import dev.chorus.protocol.netty.Transport;
import dev.chorus.testing.NativeLibrary;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link PeerNetworkPunchTest} case on Linux's native epoll ({@code --transport epoll}). */
class PeerNetworkPunchEpollTest extends PeerNetworkPunchTest {
  @BeforeEach
  void epollRunsHere() {
    NativeLibrary.require("epoll", Transport.EPOLL.isAvailable(), Transport.epollBundled());
  }

  @Override
  Transport transport() {
    return Transport.EPOLL;
  }
}
