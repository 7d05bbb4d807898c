package dev.chorus.node.internal.portmap;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One UDP request to the gateway and its answer, retransmitted on silence as RFC 6886 §3.1 and
 * RFC 6887 §8.1.1 ask (first wait {@code initialTimeout}, doubling), but with fewer sends than they
 * allow, so that a gateway without the protocol costs under two seconds at start. The socket is
 * connected to the gateway, so datagrams from anyone else are dropped by the kernel.
 */
final class UdpExchange {
  /** Larger than any PCP message (1100 bytes): a bigger answer is seen, and rejected. */
  private static final int RECEIVE_BUFFER = PcpCodec.MAX_MESSAGE + 1;

  private final InetSocketAddress gateway;
  private final Duration initialTimeout;
  private final int sends;

  UdpExchange(InetSocketAddress gateway, Duration initialTimeout, int sends) {
    this.gateway = gateway;
    this.initialTimeout = initialTimeout;
    this.sends = sends;
  }

  /** An answer: the datagram's bytes (valid up to {@code length}). */
  record Answer(byte[] bytes, int length) {}

  /** The local address the gateway sees requests come from (PCP needs it in the request). */
  InetAddress localAddressTowardsGateway() throws MappingException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(gateway);
      InetAddress local = socket.getLocalAddress();
      if (local == null || local.isAnyLocalAddress()) {
        throw new MappingException(MappingFailure.LOCAL, "no local address routes to the gateway " + gateway);
      }
      return local;
    } catch (IOException e) {
      throw new MappingException(MappingFailure.LOCAL, "cannot reach the gateway " + gateway + ": " + e.getMessage(), e);
    }
  }

  Answer exchange(byte[] request, String what) throws MappingException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(gateway);
      DatagramPacket out = new DatagramPacket(request, request.length);
      byte[] buffer = new byte[RECEIVE_BUFFER];
      long timeoutMillis = Math.max(1, initialTimeout.toMillis());
      for (int i = 0; i < sends; i++) {
        socket.send(out);
        socket.setSoTimeout((int) timeoutMillis);
        try {
          DatagramPacket in = new DatagramPacket(buffer, buffer.length);
          socket.receive(in);
          if (in.getLength() > PcpCodec.MAX_MESSAGE) {
            throw new MappingException(MappingFailure.MALFORMED, what + ": the gateway's answer is over "
                + PcpCodec.MAX_MESSAGE + " bytes");
          }
          return new Answer(buffer, in.getLength());
        } catch (SocketTimeoutException e) {
          timeoutMillis *= 2;
        }
      }
      throw new MappingException(MappingFailure.NO_ANSWER, what + ": no answer from " + gateway + " after "
          + sends + " tries");
    } catch (PortUnreachableException e) {
      throw new MappingException(MappingFailure.NO_ANSWER, what + ": " + gateway + " refused it (port unreachable)", e);
    } catch (IOException e) {
      throw new MappingException(MappingFailure.LOCAL, what + ": " + e.getMessage(), e);
    }
  }
}
