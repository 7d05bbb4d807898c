package dev.chorus.node.internal.portmap;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.random.RandomGenerator;

/**
 * PCP MAP for TCP. One nonce for the client's life: renewals and the deletion must carry the nonce
 * that created the mapping (RFC 6887 §11.2).
 */
final class PcpClient implements MappingClient {
  private final UdpExchange udp;
  private final byte[] nonce = new byte[PcpCodec.NONCE_BYTES];

  PcpClient(UdpExchange udp, RandomGenerator random) {
    this.udp = udp;
    random.nextBytes(nonce);
  }

  @Override
  public MappingProtocol protocol() {
    return MappingProtocol.PCP;
  }

  @Override
  public Mapping map(int internalPort, int suggestedExternalPort, long lifetimeSeconds) throws MappingException {
    long lifetime = lifetimeSeconds == 0 ? 7200 : lifetimeSeconds; // 0 would delete
    byte[] request = PcpCodec.mapRequest(clientAddress(), nonce, internalPort, suggestedExternalPort, lifetime);
    UdpExchange.Answer answer = udp.exchange(request, "PCP map");
    return PcpCodec.mapping(answer.bytes(), answer.length(), nonce, internalPort);
  }

  @Override
  public void unmap(Mapping mapping, int internalPort) throws MappingException {
    byte[] request = PcpCodec.mapRequest(clientAddress(), nonce, internalPort, mapping.externalPort(), 0);
    UdpExchange.Answer answer = udp.exchange(request, "PCP delete");
    PcpCodec.deleted(answer.bytes(), answer.length(), nonce, internalPort);
  }

  private byte[] clientAddress() throws MappingException {
    InetAddress local = udp.localAddressTowardsGateway();
    if (!(local instanceof Inet4Address)) {
      throw new MappingException(MappingFailure.LOCAL, "PCP: only IPv4 gateways are supported, the route to the "
          + "gateway leaves from " + local.getHostAddress());
    }
    return local.getAddress();
  }
}
