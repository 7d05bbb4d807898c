package dev.chorus.testing.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback ports for servers started by tests and benchmarks. */
public final class FreePorts {
  private FreePorts() {}

  /**
   * A loopback port nothing listens on right now (nor, very likely, soon: also good for a refused
   * connection). Another process may take it before it is used: servers started on it retry
   * ({@link ServerProcess#onFreePort}).
   */
  public static int loopback() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }
}
