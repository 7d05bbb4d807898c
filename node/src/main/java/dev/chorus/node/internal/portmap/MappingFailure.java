package dev.chorus.node.internal.portmap;

/** Why a gateway did not map (or unmap) a port; what the core does next depends on it. */
public enum MappingFailure {
  /** Nothing answered in time: the gateway does not speak this protocol (or is not there). */
  NO_ANSWER,
  /** The gateway answered that it does not support this protocol version or request. */
  UNSUPPORTED,
  /** The gateway answered, but refused (not authorised, no resources, network failure, ...). */
  REFUSED,
  /** The external port asked for is taken (UPnP ConflictInMappingEntry): another port may work. */
  CONFLICT,
  /** The gateway only grants permanent leases (UPnP OnlyPermanentLeasesSupported): ask with lifetime 0. */
  PERMANENT_ONLY,
  /** The answer broke the protocol (wrong size, wrong fields, unparseable, too large, too slow). */
  MALFORMED,
  /** A local error (no gateway address known, socket failure). */
  LOCAL
}
