package dev.chorus.protocol.netty;

/** The loopback contract on Linux's native epoll, the default transport where it loads. */
class LoopbackSecureChannelEpollTest extends LoopbackSecureChannelContract {
  @Override
  Transport transport() {
    return Transport.EPOLL;
  }
}
