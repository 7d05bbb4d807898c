package dev.chorus.protocol.netty;

/** The loopback contract on Java NIO, the transport everywhere epoll does not load. */
class LoopbackSecureChannelNioTest extends LoopbackSecureChannelContract {
  @Override
  Transport transport() {
    return Transport.NIO;
  }
}
