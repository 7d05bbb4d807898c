package dev.chorus.tracker;

import dev.chorus.protocol.netty.Transport;

/** Every {@link TrackerServerTest} case on Java NIO, the transport where epoll does not load and under {@code --transport nio}. */
class TrackerServerNioTest extends TrackerServerTest {
  @Override
  Transport transport() {
    return Transport.NIO;
  }
}
