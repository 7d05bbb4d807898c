package dev.chorus.node;

import dev.chorus.protocol.netty.Transport;

/** Every {@link NodeSwarmTest} case with the nodes on Java NIO, the transport where epoll does not load and under {@code --transport nio}. */
class NodeSwarmNioTest extends NodeSwarmTest {
  @Override
  Transport transport() {
    return Transport.NIO;
  }
}
