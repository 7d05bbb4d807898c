package dev.chorus.node.internal.portmap;

import java.util.Objects;

/** What {@link PortMappingCore} asks its shell to do next. */
public sealed interface MappingCommand {
  /** Nothing now; call {@link PortMappingCore#tick} at {@link PortMappingCore#nextWakeNanos()}. */
  record Wait() implements MappingCommand {}

  /**
   * Ask the gateway with {@code protocol} to map the internal port to {@code suggestedExternalPort}
   * for {@code lifetimeSeconds} (0: a permanent lease); report with {@link PortMappingCore#mapped} or
   * {@link PortMappingCore#failed}.
   */
  record Map(MappingProtocol protocol, int suggestedExternalPort, long lifetimeSeconds) implements MappingCommand {
    public Map {
      Objects.requireNonNull(protocol, "protocol");
    }
  }

  /** Remove this mapping; no report is expected (the node is closing or no longer wants it). */
  record Unmap(Mapping mapping) implements MappingCommand {
    public Unmap {
      Objects.requireNonNull(mapping, "mapping");
    }
  }

  /** The one {@link Wait}. */
  Wait WAIT = new Wait();
}
