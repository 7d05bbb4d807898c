package dev.chorus.node.internal.peer;

import dev.chorus.protocol.netty.Transport;

/** Every {@link PeerNetworkPunchTest} case on Java NIO (its own SO_REUSEPORT option), as under {@code --transport nio}. */
class PeerNetworkPunchNioTest extends PeerNetworkPunchTest {
  @Override
  Transport transport() {
    return Transport.NIO;
  }
}
