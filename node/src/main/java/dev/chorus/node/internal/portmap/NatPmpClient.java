package dev.chorus.node.internal.portmap;

/** NAT-PMP: the external address (opcode 0), then the TCP mapping (opcode 2). */
final class NatPmpClient implements MappingClient {
  private final UdpExchange udp;

  NatPmpClient(UdpExchange udp) {
    this.udp = udp;
  }

  @Override
  public MappingProtocol protocol() {
    return MappingProtocol.NAT_PMP;
  }

  @Override
  public Mapping map(int internalPort, int suggestedExternalPort, long lifetimeSeconds) throws MappingException {
    UdpExchange.Answer address = udp.exchange(NatPmpCodec.externalAddressRequest(), "NAT-PMP external address");
    String external = NatPmpCodec.externalAddress(address.bytes(), address.length());
    // NAT-PMP has no permanent lease: 0 would delete, so a PERMANENT_ONLY retry never reaches here with 0.
    long lifetime = lifetimeSeconds == 0 ? 7200 : lifetimeSeconds;
    UdpExchange.Answer answer = udp.exchange(NatPmpCodec.mapRequest(internalPort, suggestedExternalPort, lifetime),
        "NAT-PMP map");
    return NatPmpCodec.mapping(answer.bytes(), answer.length(), internalPort, external);
  }

  @Override
  public void unmap(Mapping mapping, int internalPort) throws MappingException {
    UdpExchange.Answer answer = udp.exchange(NatPmpCodec.mapRequest(internalPort, 0, 0), "NAT-PMP delete");
    NatPmpCodec.header(answer.bytes(), answer.length(), NatPmpCodec.OP_MAP_TCP, NatPmpCodec.MAP_RESPONSE_SIZE);
  }
}
