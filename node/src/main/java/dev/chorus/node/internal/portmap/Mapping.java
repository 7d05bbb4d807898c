package dev.chorus.node.internal.portmap;

import java.util.Objects;

/**
 * A port mapping a gateway granted.
 *
 * @param protocol which protocol made it
 * @param externalAddress the gateway's external IPv4 address as a literal ("" if it did not say)
 * @param externalPort the port on that address that reaches the node
 * @param lifetimeSeconds how long the gateway keeps it; 0 for a permanent lease (UPnP)
 */
public record Mapping(MappingProtocol protocol, String externalAddress, int externalPort, long lifetimeSeconds) {
  public Mapping {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(externalAddress, "externalAddress");
    if (externalPort < 1 || externalPort > 65_535) {
      throw new IllegalArgumentException("externalPort must be in 1..65535, was " + externalPort);
    }
    if (lifetimeSeconds < 0) {
      throw new IllegalArgumentException("lifetimeSeconds must not be negative, was " + lifetimeSeconds);
    }
  }
}
