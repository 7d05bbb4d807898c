package dev.chorus.node.internal.portmap;

/** One protocol's way of asking a gateway; blocking, every call bounded in time and size. */
interface MappingClient {
  MappingProtocol protocol();

  /** Maps TCP {@code internalPort} (renews it when it is already mapped); lifetime 0 = permanent lease. */
  Mapping map(int internalPort, int suggestedExternalPort, long lifetimeSeconds) throws MappingException;

  /** Removes a mapping this client made. */
  void unmap(Mapping mapping, int internalPort) throws MappingException;
}
