package dev.chorus.node.internal.portmap;

/** The port-mapping protocols, by the name used in logs, {@code NodeStats} and metric tags. */
public enum MappingProtocol {
  /** Port Control Protocol, RFC 6887 (UDP 5351). */
  PCP("pcp"),
  /** NAT Port Mapping Protocol, RFC 6886 (UDP 5351); PCP's predecessor, still common on Apple routers. */
  NAT_PMP("nat-pmp"),
  /** UPnP Internet Gateway Device: SSDP discovery, then SOAP over HTTP. */
  UPNP_IGD("upnp-igd");

  private final String label;

  MappingProtocol(String label) {
    this.label = label;
  }

  /** The name in logs, stats and metric tags. */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
