package dev.chorus.node.internal.portmap;

/**
 * Where port mapping stands, for logs, {@code NodeStats} and metrics.
 *
 * @param state what the mapper is doing
 * @param mapping the mapping held now, or null
 * @param lastError why the last attempt failed ("" if none did)
 */
public record PortMappingStatus(State state, Mapping mapping, String lastError) {
  /** The states of {@link PortMappingCore}. */
  public enum State {
    /** Asking the gateway, protocol after protocol. */
    DISCOVERING,
    /** A mapping is held (and renewed before it expires). */
    MAPPED,
    /** No protocol gave a mapping; trying again later. */
    FAILED,
    /** Closed: the mapping was (or is being) removed. */
    STOPPED;

    /** The state's name in {@code NodeStats}: lower case. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static final PortMappingStatus STARTING = new PortMappingStatus(State.DISCOVERING, null, "");
}
